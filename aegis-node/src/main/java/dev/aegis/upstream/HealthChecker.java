package dev.aegis.upstream;

import dev.aegis.config.UpstreamConfig;
import dev.aegis.server.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks: every {@code interval}, {@code GET path} on each server of each group that configures
 * {@code health_check}, on an event loop of its own (never a request's). A 2xx or 3xx answer within
 * {@code timeout} is a success; {@code unhealthy} failures in a row take the server out of rotation and
 * {@code healthy} successes in a row bring it back, also ending a passive ejection.
 */
public final class HealthChecker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);

    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private HealthChecker() {
    }

    /** Starts checking the groups of {@code groups} that configure a health check, on {@code loops}. */
    public static HealthChecker start(Collection<UpstreamGroup> groups, EventLoopGroup loops, Transport transport) {
        HealthChecker checker = new HealthChecker();
        for (UpstreamGroup group : groups) {
            UpstreamConfig.HealthCheckConfig hc = group.config().healthCheck();
            if (hc == null) {
                continue;
            }
            for (ServerState server : group.servers()) {
                Probe probe = new Probe(checker, group, server, hc, loops, transport);
                long interval = hc.interval().toNanos();
                checker.tasks.add(probe.loop.scheduleAtFixedRate(probe::run, 0, interval, TimeUnit.NANOSECONDS));
            }
        }
        return checker;
    }

    /** Stops all checks (the servers keep the health they have). */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            tasks.forEach(t -> t.cancel(false));
        }
    }

    /** One server's repeating check; runs on its event loop only, so its fields need no synchronisation. */
    private static final class Probe {
        private final HealthChecker owner;
        private final UpstreamGroup group;
        private final ServerState server;
        private final UpstreamConfig.HealthCheckConfig hc;
        /** The probe's schedule and its connections share one event loop, so its state is confined to it. */
        final io.netty.channel.EventLoop loop;
        private final Transport transport;
        private boolean running;

        Probe(HealthChecker owner, UpstreamGroup group, ServerState server, UpstreamConfig.HealthCheckConfig hc,
              EventLoopGroup loops, Transport transport) {
            this.owner = owner;
            this.group = group;
            this.server = server;
            this.hc = hc;
            this.loop = loops.next();
            this.transport = transport;
        }

        void run() {
            if (running || owner.closed.get()) {
                return; // the previous check is still waiting for its timeout
            }
            running = true;
            long timeoutMillis = Math.max(1, hc.timeout().toMillis());
            Bootstrap b = new Bootstrap()
                    .group(loop)
                    .channel(transport.clientChannel())
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), new SimpleChannelInboundHandler<HttpObject>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                                    if (msg instanceof HttpResponse r) {
                                        int code = r.status().code();
                                        done(ctx.channel(), code >= 200 && code < 400, "status " + code);
                                    }
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext ctx) {
                                    done(ctx.channel(), false, "closed without an answer");
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    done(ctx.channel(), false, String.valueOf(cause.getMessage()));
                                }
                            });
                        }
                    });
            ChannelFuture connect = b.connect(server.server.address());
            Channel ch = connect.channel();
            ScheduledFuture<?> deadline = ch.eventLoop().schedule(
                    () -> done(ch, false, "no answer within " + hc.timeout().toMillis() + "ms"),
                    timeoutMillis, TimeUnit.MILLISECONDS);
            ch.closeFuture().addListener(f -> deadline.cancel(false));
            connect.addListener((ChannelFuture f) -> {
                if (!f.isSuccess()) {
                    done(ch, false, "connect: " + f.cause().getMessage());
                    return;
                }
                DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                        hc.path(), Unpooled.EMPTY_BUFFER);
                request.headers().set(HttpHeaderNames.HOST, server.server.key())
                        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                        .set(HttpHeaderNames.USER_AGENT, "aegis-health-check");
                f.channel().writeAndFlush(request);
            });
        }

        /** The outcome of one check; later signals for the same check (close after answer) are ignored. */
        private void done(Channel ch, boolean ok, String detail) {
            if (!running) {
                return;
            }
            running = false;
            ch.close();
            if (owner.closed.get()) {
                return;
            }
            boolean before = server.activeHealthy();
            server.activeResult(ok, hc.healthy(), hc.unhealthy());
            boolean after = server.activeHealthy();
            if (before != after) {
                if (after) {
                    log.info("upstream {} server {} is healthy again ({} checks passed)", group.name(),
                            server.server.key(), hc.healthy());
                } else {
                    log.warn("upstream {} server {} is down after {} failed checks (last: {})", group.name(),
                            server.server.key(), hc.unhealthy(), detail);
                }
            }
        }
    }
}
