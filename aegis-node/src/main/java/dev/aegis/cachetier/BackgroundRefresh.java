package dev.aegis.cachetier;

import dev.aegis.server.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A stale-while-revalidate refresh: the node sends the request to itself, marked with its secret refresh header,
 * so the refresh takes the same path as any miss (route, WAF, balancing, retries, revalidation with validators,
 * storing) while the client that found the stale object has long had its answer. The headers its variant is
 * chosen by go along. The response is read and dropped here: storing it is the serving side's job. Being a request
 * from the node's own address, it counts against that address's rate limit like any other.
 */
public final class BackgroundRefresh {
    private static final int TIMEOUT_SECONDS = 60;

    private BackgroundRefresh() {
    }

    /** Sends the refresh on {@code loop}; {@code done} runs once, however it ends. */
    public static void send(Transport transport, EventLoop loop, InetSocketAddress node, String target, String host,
                            java.util.List<java.util.Map.Entry<String, String>> headers, String token, Runnable done) {
        AtomicBoolean ended = new AtomicBoolean();
        Runnable end = () -> {
            if (ended.compareAndSet(false, true)) {
                done.run();
            }
        };
        InetSocketAddress to = node.getAddress().isAnyLocalAddress()
                ? new InetSocketAddress("127.0.0.1", node.getPort()) : node;
        new Bootstrap()
                .group(loop)
                .channel(transport.clientChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ReadTimeoutHandler(TIMEOUT_SECONDS), new HttpClientCodec(),
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        boolean last = msg instanceof LastHttpContent;
                                        ReferenceCountUtil.release(msg);
                                        if (last) {
                                            ctx.close();
                                        }
                                    }

                                    @Override
                                    public void channelInactive(ChannelHandlerContext ctx) {
                                        end.run();
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        ctx.close();
                                    }
                                });
                    }
                })
                .connect(to)
                .addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        end.run();
                        return;
                    }
                    FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target,
                            Unpooled.EMPTY_BUFFER);
                    for (java.util.Map.Entry<String, String> h : headers) {
                        r.headers().add(h.getKey(), h.getValue());
                    }
                    r.headers().set(HttpHeaderNames.HOST, host != null ? host : to.getHostString() + ":" + to.getPort())
                            .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                            .set("X-Aegis-Refresh", token);
                    f.channel().writeAndFlush(r);
                });
    }
}
