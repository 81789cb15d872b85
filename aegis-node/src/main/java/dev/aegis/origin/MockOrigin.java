package dev.aegis.origin;

import dev.aegis.server.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in mock origin: a fast keep-alive HTTP/1.1 server on its own Netty event loops that stands behind
 * the proxy in the quick start ({@code aegis run} serves it on :9000), the load tests and the integration tests.
 *
 * <p>Endpoints (any method unless said; HEAD answers the same head without the body):
 * <ul>
 *   <li>{@code /} a short text; {@code /1k}, {@code /16k}, {@code /64k} bodies of exactly that size;
 *       {@code /bytes/{n}} n bytes (up to 2^40) streamed in 64 KiB chunks as the client reads them;
 *   <li>{@code POST|PUT|PATCH|... /echo} the request body streamed back as it arrives, framed like the request
 *       (same Content-Length, or chunked);
 *   <li>{@code /status/{code}}, {@code /delay/{ms}}, {@code /cache/{seconds}} (a cacheable resource with an
 *       ETag and Last-Modified, honouring If-None-Match, whose body counts the fetches), {@code /health},
 *       {@code /api/users|products|orders} (fixed JSON);
 *   <li>{@code /drop} closes without an answer, {@code /reset} closes with a TCP RST;
 *   <li>anything else: the request's method, target and headers echoed as JSON.
 * </ul>
 * Sized bodies and downloads repeat the 64-byte line {@code 0-9a-zA-Z-\n}: byte {@code i} is
 * {@code "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-\n".charAt(i % 64)}.
 */
public final class MockOrigin implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MockOrigin.class);

    private static final long SHUTDOWN_TIMEOUT_SECONDS = 5;
    // The proxy under test enforces its own, smaller limits; the origin should not be the one refusing.
    private static final HttpDecoderConfig DECODER = new HttpDecoderConfig()
            .setMaxInitialLineLength(64 * 1024)
            .setMaxHeaderSize(64 * 1024)
            .setMaxChunkSize(64 * 1024);
    // Requests decoded but not yet answered; the handler stops reading long before a well-behaved client hits it.
    private static final int MAX_PIPELINE_DEPTH = 1024;
    // A few 64 KiB chunks in flight per connection: enough to keep the socket busy, bounded for 1 GiB downloads.
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(64 * 1024, 256 * 1024);

    private final EventLoopGroup group;
    private final Channel listener;
    /** Every accepted connection still open: {@link #close} closes them itself, as a killed process's kernel would. */
    private final ChannelGroup connections;
    private final int port;
    private final OriginState state;
    private final AtomicBoolean closed = new AtomicBoolean();

    private MockOrigin(EventLoopGroup group, Channel listener, ChannelGroup connections, OriginState state) {
        this.group = group;
        this.listener = listener;
        this.connections = connections;
        this.port = ((InetSocketAddress) listener.localAddress()).getPort();
        this.state = state;
    }

    /** Starts an origin with one event-loop thread on {@code host:port} ({@code port} 0: an ephemeral port). */
    public static MockOrigin start(String host, int port) {
        return start(host, port, 1);
    }

    /**
     * Starts an origin with {@code threads} event-loop threads on {@code host:port} ({@code port} 0: an
     * ephemeral port), on native epoll where available and NIO elsewhere ({@link Transport#best()}).
     *
     * @throws UncheckedIOException when it cannot listen there (address in use, unknown host)
     */
    public static MockOrigin start(String host, int port, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(threads, "aegis-mock-origin");
        OriginState state = new OriginState();
        ChannelGroup connections = new DefaultChannelGroup("mock-origin-connections", GlobalEventExecutor.INSTANCE);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false) // reads follow writes: see OriginHandler
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        state.connectionOpened();
                        connections.add(ch);
                        ch.closeFuture().addListener(f -> state.connectionClosed());
                        ch.pipeline().addLast(new HttpServerCodec(DECODER, MAX_PIPELINE_DEPTH),
                                new OriginHandler(state));
                    }
                });
        ChannelFuture bound = bootstrap.bind(host, port).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(SHUTDOWN_TIMEOUT_SECONDS,
                    TimeUnit.SECONDS);
            Throwable cause = bound.cause();
            String message = "mock origin cannot listen on " + host + ":" + port + ": " + cause.getMessage();
            throw new UncheckedIOException(message, cause instanceof IOException e ? e : new IOException(cause));
        }
        MockOrigin origin = new MockOrigin(group, bound.channel(), connections, state);
        log.debug("mock origin listening on {} ({}, {} thread(s))", bound.channel().localAddress(), transport,
                threads);
        return origin;
    }

    /** The port it listens on (the chosen one when started with port 0). */
    public int port() {
        return port;
    }

    /** TCP connections accepted since start or the last {@link #resetCounters()}. */
    public long connectionsAccepted() {
        return state.connectionsAccepted();
    }

    /** TCP connections open right now (not affected by {@link #resetCounters()}). */
    public long openConnections() {
        return state.openConnections();
    }

    /** Requests whose head was received since start or the last {@link #resetCounters()}. */
    public long requestsServed() {
        return state.requestsServed();
    }

    /**
     * The request-targets (exactly as received) of the requests since start or the last {@link #resetCounters()},
     * in arrival order, at most the last 100,000; a copy, safe to read while requests go on.
     */
    public List<String> requestTargets() {
        return state.requestTargets();
    }

    /** The last request received completely (head and body), or null when none has been since the last reset. */
    public RecordedRequest lastRequest() {
        return state.lastRequest();
    }

    /** Zeroes the counters and forgets the recorded targets and last request; the /cache fetch count goes on. */
    public void resetCounters() {
        state.resetCounters();
    }

    /**
     * Stops listening, closes every connection and shuts down its event loops, waiting up to a few seconds for
     * them to terminate (not at all when called from one of them). Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean onOwnLoop = false;
        for (EventExecutor loop : group) {
            onOwnLoop |= loop.inEventLoop(); // awaiting our own loops from one of them would deadlock
        }
        // Like a killed process: no new connections, then every open one closed before this returns. Shutting the
        // event loops down closes them too, but only once each loop has run what it had queued; a proxy test that
        // sends a request right after close() must meet a closed connection, not one still open for a moment.
        Future<?> unbound = listener.close();
        Future<?> disconnected = connections.close();
        if (!onOwnLoop) {
            unbound.awaitUninterruptibly(SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            disconnected.awaitUninterruptibly(SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        // No quiet period: the origin is not draining anything, and shutdown closes every registered channel.
        Future<?> terminated = group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (onOwnLoop) {
            return;
        }
        if (!terminated.awaitUninterruptibly(SHUTDOWN_TIMEOUT_SECONDS * 2, TimeUnit.SECONDS)) {
            log.warn("mock origin on port {} did not stop within {} s", port, SHUTDOWN_TIMEOUT_SECONDS * 2);
        }
    }

    @Override
    public String toString() {
        return "MockOrigin[port=" + port + "]";
    }
}
