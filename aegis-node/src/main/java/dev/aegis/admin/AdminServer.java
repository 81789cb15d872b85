package dev.aegis.admin;

import dev.aegis.config.HostPort;
import dev.aegis.server.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API listener ({@code admin.listen}): a small HTTP/1.1 server on its own event loop, apart from the
 * proxy port, that never proxies. {@code GET /healthz} and {@code GET /readyz} answer anyone; every other request
 * needs {@code Authorization: Bearer <admin.token>} when a token is configured.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    /** The largest request body the admin API takes; it is aggregated in memory (the admin is not the hot path). */
    static final int MAX_BODY_BYTES = 1024 * 1024;
    /** A connection with no traffic for this long, and no request being answered, is closed. */
    private static final int IDLE_SECONDS = 60;
    private static final long SHUTDOWN_TIMEOUT_SECONDS = 5;

    private final EventLoopGroup group;
    private final Channel listener;
    private final ChannelGroup connections;
    private final AtomicLong unauthorized;
    private final AtomicBoolean closed = new AtomicBoolean();

    private AdminServer(EventLoopGroup group, Channel listener, ChannelGroup connections, AtomicLong unauthorized) {
        this.group = group;
        this.listener = listener;
        this.connections = connections;
        this.unauthorized = unauthorized;
    }

    /**
     * Binds {@code listen} ({@code port} 0: an ephemeral port) and serves the node's admin API over
     * {@code endpoints}; {@code token} null or empty means no authentication.
     *
     * @throws IllegalStateException "cannot listen on ..." when it cannot bind
     * @throws IllegalArgumentException when {@code token} contains white space or control characters
     */
    public static AdminServer start(HostPort listen, String token, AdminEndpoints endpoints) {
        dev.aegis.metrics.NodeMetrics metrics = endpoints.metrics();
        return start(listen, token, AdminRoutes.forNode(endpoints),
                metrics == null ? () -> { } : metrics::adminUnauthorized);
    }

    /** Binds {@code listen} and serves {@code routes}. */
    static AdminServer start(HostPort listen, String token, AdminRoutes routes) {
        return start(listen, token, routes, () -> { });
    }

    /** Binds {@code listen} and serves {@code routes}; {@code onUnauthorized} runs for each 401 answered. */
    static AdminServer start(HostPort listen, String token, AdminRoutes routes, Runnable onUnauthorized) {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(routes, "routes");
        BearerToken bearer = BearerToken.of(token);
        InetSocketAddress address = new InetSocketAddress(listen.host(), listen.port());
        AtomicLong unauthorized = new AtomicLong();
        ChannelGroup connections = new DefaultChannelGroup("aegis-admin", GlobalEventExecutor.INSTANCE);
        Runnable countUnauthorized = () -> {
            unauthorized.incrementAndGet();
            onUnauthorized.run();
        };
        Transport transport = Transport.best();
        // One loop accepts and serves: the admin API sees a handful of requests, never the proxy's traffic, and
        // sharing nothing with the proxy's loops means a busy proxy cannot starve health checks or a reload.
        EventLoopGroup group = transport.newGroup(1, "aegis-admin");
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false) // AdminConnection reads one request at a time
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch); // leaves the group by itself when it closes
                        ch.pipeline().addLast(
                                new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS),
                                new HttpServerCodec(),
                                new BoundedAggregator(MAX_BODY_BYTES),
                                new AdminConnection(routes, bearer, countUnauthorized));
                    }
                });
        ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS)
                    .awaitUninterruptibly(SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Throwable cause = bound.cause();
            throw new IllegalStateException("cannot listen on " + listen + " (admin.listen): " + cause.getMessage(),
                    cause);
        }
        AdminServer server = new AdminServer(group, bound.channel(), connections, unauthorized);
        log.info("admin API listening on {}{}", bound.channel().localAddress(),
                bearer.required() ? " (token required)" : "");
        InetAddress ip = address.getAddress();
        if (!bearer.required() && ip != null && !ip.isLoopbackAddress()) {
            log.warn("the admin API on {} has no admin.token: anyone who can reach it can use it", listen);
        }
        return server;
    }

    /** The port it listens on (the chosen one when started with port 0). */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Requests answered 401 (missing or wrong token) since start. */
    public long unauthorizedTotal() {
        return unauthorized.get();
    }

    /**
     * Stops listening and closes every admin connection (a request in progress gets no answer), waiting a few
     * seconds for the event loop to end (not when called from it). Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean inLoop = false;
        for (EventExecutor loop : group) {
            inLoop |= loop.inEventLoop(); // then awaiting anything done on the loop would deadlock
        }
        // Connections are closed here rather than left to the loop's shutdown: with no quiet period, a shutdown
        // that lands between two of the loop's checks ends it without closing its channels (Netty 4.2), and the
        // sockets would stay open. The listener goes first, so no connection is accepted after the group closed.
        ChannelFuture listenerClosed = listener.close();
        if (!inLoop) {
            listenerClosed.awaitUninterruptibly(SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            connections.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } else {
            connections.close();
        }
        Future<?> terminated = group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (inLoop) {
            return;
        }
        if (!terminated.awaitUninterruptibly(SHUTDOWN_TIMEOUT_SECONDS * 2, TimeUnit.SECONDS)) {
            log.warn("admin API did not stop within {} s", SHUTDOWN_TIMEOUT_SECONDS * 2);
        }
    }

    /**
     * {@link HttpObjectAggregator} whose too-large request is answered by {@link AdminConnection}, in its turn
     * among pipelined requests and with the admin API's JSON error, rather than by the aggregator on the spot.
     */
    private static final class BoundedAggregator extends HttpObjectAggregator {
        BoundedAggregator(int maxContentLength) {
            super(maxContentLength);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            // The aggregator releases the message and discards the rest of its body itself.
            ctx.fireChannelRead(AdminConnection.TOO_LARGE);
        }
    }
}
