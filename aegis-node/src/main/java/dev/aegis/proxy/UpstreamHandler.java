package dev.aegis.proxy;

import dev.aegis.upstream.ConnectionPool;
import dev.aegis.upstream.UpstreamServer;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of an upstream connection: hands what the origin sends to the exchange using the connection,
 * or, while the connection idles in the pool, closes it on any unexpected byte and removes it when it closes.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    final UpstreamServer server;
    /** The exchange using this connection, or null while it is pooled. */
    ProxyHandler.Exchange exchange;
    /** Requests this connection carried; more than 0 means a reused (pooled) connection. */
    int uses;

    UpstreamHandler(UpstreamServer server) {
        this.server = server;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ProxyHandler.Exchange ex = exchange;
        if (ex == null) {
            ReferenceCountUtil.release(msg);
            ctx.close(); // an origin must not speak unasked on an idle keep-alive connection
            return;
        }
        ex.onUpstreamMessage(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ProxyHandler.Exchange ex = exchange;
        if (ex != null) {
            ex.onUpstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ProxyHandler.Exchange ex = exchange;
        if (ex != null && ctx.channel().isWritable()) {
            ex.onUpstreamWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ProxyHandler.Exchange ex = exchange;
        if (ex != null) {
            ex.onUpstreamClosed(null);
        } else {
            ConnectionPool.current().remove(server, ctx.channel());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof io.netty.handler.timeout.IdleStateEvent && exchange == null) {
            ctx.close(); // idled in the pool for pool.idle_timeout; an exchange in progress has its own timers
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ProxyHandler.Exchange ex = exchange;
        if (ex != null) {
            ex.onUpstreamClosed(cause);
        }
        ctx.close();
    }
}
