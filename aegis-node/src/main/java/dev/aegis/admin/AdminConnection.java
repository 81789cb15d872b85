package dev.aegis.admin;

import static io.netty.handler.codec.http.HttpVersion.HTTP_1_1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admin connection, after {@link io.netty.handler.codec.http.HttpServerCodec} and the body aggregator: checks
 * the token, looks the request up in the {@link AdminRoutes}, runs the endpoint and writes its answer.
 *
 * <p>It owns every message it receives: each {@link FullHttpRequest} is copied into an {@link AdminRequest} and
 * released before the endpoint runs, so an endpoint that completes later holds no buffer.
 *
 * <p>Auto-read is off and one request is handled at a time: the next read is asked for only once the answer has
 * been written. Endpoints may complete out of order on other threads, so this is what keeps pipelined answers in
 * request order (RFC 9112 §9.3.2). Requests that were already decoded wait in a queue, which stays small: no read
 * is asked for while a request is answered, so it holds what one read brought, plus at most one body the
 * aggregator finishes (up to its limit).
 *
 * <p>All state is confined to the channel's event loop.
 */
final class AdminConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AdminConnection.class);

    /** Passed on by the aggregator instead of a request whose body is over the limit, to be answered in turn. */
    static final Object TOO_LARGE = new Object() {
        @Override
        public String toString() {
            return "request body over the limit";
        }
    };

    // RFC 6750 §3: the challenge of a Bearer-protected resource.
    private static final String CHALLENGE = "Bearer realm=\"aegis-admin\"";
    private static final AsciiString X_CONTENT_TYPE_OPTIONS = AsciiString.cached("x-content-type-options");
    private static final AsciiString NOSNIFF = AsciiString.cached("nosniff");
    private static final AsciiString CONTENT_SECURITY_POLICY = AsciiString.cached("content-security-policy");
    private static final AsciiString CSP = AsciiString.cached(
            "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");

    /** Whether a Host field names an IP address or localhost (absent: HTTP/1.0 without Host, a direct client). */
    static boolean localHost(String host) {
        if (host == null || host.isEmpty()) {
            return true;
        }
        String h = host;
        if (h.startsWith("[")) {
            return h.indexOf(']') > 0; // an IPv6 literal
        }
        int colon = h.lastIndexOf(':');
        if (colon >= 0) {
            h = h.substring(0, colon);
        }
        h = h.toLowerCase(java.util.Locale.ROOT);
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        return h.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    }

    /** How to frame the answer of one request. */
    private record Exchange(HttpVersion version, boolean keepAlive, boolean head) {
        static final Exchange LAST = new Exchange(HTTP_1_1, false, false);

        Exchange last() {
            return new Exchange(version, false, head);
        }
    }

    private final AdminRoutes routes;
    private final BearerToken token;
    private final Runnable onUnauthorized;
    private final ArrayDeque<Object> waiting = new ArrayDeque<>(2);
    private ChannelHandlerContext ctx;
    private boolean busy;       // a request is being answered
    private boolean proceeding; // inside proceed(): answers completing synchronously must not recurse
    private boolean closed;

    AdminConnection(AdminRoutes routes, BearerToken token, Runnable onUnauthorized) {
        this.routes = routes;
        this.token = token;
        this.onUnauthorized = onUnauthorized;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closed) {
            ReferenceCountUtil.release(msg);
        } else if (busy || !waiting.isEmpty()) {
            waiting.addLast(msg);
        } else {
            handle(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // A read that completed no request (a head or body still arriving, or a body being discarded) needs
        // another one; the decoders ask too, but not in every case, and a second read() is harmless.
        if (!busy && !closed && waiting.isEmpty()) {
            ctx.read();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            // Nothing moved for the idle time: an idle keep-alive connection or a stalled request. A slow endpoint
            // (a reload) keeps its connection.
            if (!busy) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        releaseWaiting();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseWaiting();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("admin connection {} failed: {}", ctx.channel(), cause.toString());
        } else {
            log.warn("admin connection {} failed", ctx.channel(), cause);
        }
        closed = true;
        releaseWaiting();
        ctx.close();
    }

    private void releaseWaiting() {
        Object msg;
        while ((msg = waiting.pollFirst()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Answers the queued requests one by one, then asks for more. */
    private void proceed() {
        if (proceeding) {
            return; // the loop below is already running further up the stack
        }
        proceeding = true;
        try {
            while (!busy && !closed) {
                Object next = waiting.pollFirst();
                if (next == null) {
                    ctx.read();
                    return;
                }
                handle(next);
            }
        } finally {
            proceeding = false;
        }
    }

    private void handle(Object msg) {
        if (msg == TOO_LARGE) {
            busy = true;
            // The rest of the body is still on its way and will not be read: this is the connection's last answer.
            send(AdminResponse.error(413, "request body over " + AdminServer.MAX_BODY_BYTES + " bytes"),
                    Exchange.LAST, null, null);
            return;
        }
        if (!(msg instanceof FullHttpRequest req)) {
            ReferenceCountUtil.release(msg); // nothing else comes out of the aggregator
            return;
        }
        busy = true;
        AdminRoutes.Route route;
        AdminRequest request;
        Exchange exchange;
        try {
            if (req.decoderResult().isFailure()) {
                refuse(req.decoderResult().cause());
                return;
            }
            exchange = new Exchange(req.protocolVersion(), HttpUtil.isKeepAlive(req),
                    HttpMethod.HEAD.equals(req.method()));
            if (req.protocolVersion().equals(HTTP_1_1) && req.headers().getAll(HttpHeaderNames.HOST).size() != 1) {
                // RFC 9112 §3.2: a missing or repeated Host is a 400.
                send(AdminResponse.error(400, "an HTTP/1.1 request needs exactly one Host header"),
                        exchange.last(), null, null);
                return;
            }
            String target = req.uri();
            String path = null; // null: a target that names no path here
            Map<String, List<String>> query = Map.of();
            // Only origin-form names a resource of this server. The admin port never proxies: an absolute-form
            // target (http://example.com/), authority-form (CONNECT) or asterisk-form is nothing here, a 404.
            if (target.startsWith("/")) {
                QueryStringDecoder decoder = new QueryStringDecoder(target);
                path = decoder.rawPath();
                try {
                    query = decoder.parameters();
                } catch (IllegalArgumentException e) {
                    send(AdminResponse.error(400, "malformed query string"), exchange.last(), null, null);
                    return;
                }
            }
            if (!token.required() && !routes.isPublic(path) && !localHost(req.headers().get(HttpHeaderNames.HOST))) {
                // Without a token, the admin API trusts whoever reaches it. A web page the operator visits could
                // reach it too, through a host name rebound to this address (DNS rebinding); the browser would
                // then send that name as Host. Only addresses and localhost are accepted, so it cannot. Probes
                // (which hold nothing) answer any Host: load balancers send all kinds.
                send(AdminResponse.error(403, "without admin.token the admin API answers only requests for an "
                        + "IP address or localhost; set admin.token to use a host name"), exchange, null, null);
                return;
            }
            if (!routes.isPublic(path) && !token.accepts(req.headers().getAll(HttpHeaderNames.AUTHORIZATION))) {
                onUnauthorized.run();
                send(AdminResponse.error(401, "missing or wrong bearer token"), exchange,
                        HttpHeaderNames.WWW_AUTHENTICATE, CHALLENGE);
                return;
            }
            String method = req.method().name();
            switch (routes.match(method, path)) {
                case AdminRoutes.NotFound n -> {
                    send(AdminResponse.error(404, "not found"), exchange, null, null);
                    return;
                }
                case AdminRoutes.WrongMethod w -> {
                    send(AdminResponse.error(405, "method not allowed"), exchange, HttpHeaderNames.ALLOW, w.allow());
                    return;
                }
                case AdminRoutes.Found f -> {
                    route = f.route();
                    request = new AdminRequest(method, path, query, headers(req.headers()),
                            ByteBufUtil.getBytes(req.content()));
                }
            }
        } finally {
            req.release();
        }
        run(route, request, exchange);
    }

    private void refuse(Throwable cause) {
        AdminResponse answer;
        if (cause instanceof TooLongHttpLineException) {
            answer = AdminResponse.error(414, "request line too long");
        } else if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            answer = AdminResponse.error(431, "request header fields too large");
        } else {
            answer = AdminResponse.error(400, "malformed request");
        }
        log.debug("admin connection {}: refused a malformed request: {}", ctx.channel(), String.valueOf(cause));
        // The decoder has lost its place in the byte stream: nothing after this can be trusted.
        send(answer, Exchange.LAST, null, null);
    }

    private void run(AdminRoutes.Route route, AdminRequest request, Exchange exchange) {
        CompletableFuture<AdminResponse> answer;
        try {
            answer = route.handler().handle(request);
            if (answer == null) {
                answer = CompletableFuture.failedFuture(new NullPointerException("the endpoint returned no future"));
            }
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        EventExecutor loop = ctx.executor();
        answer.whenComplete((response, failure) -> {
            AdminResponse result = response;
            if (failure != null || response == null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                // The client learns that it failed, never how: stack traces stay in the log.
                log.warn("admin endpoint {} {} failed", route.method(), route.path(), cause);
                result = AdminResponse.error(500, "internal error");
            }
            AdminResponse out = result;
            if (loop.inEventLoop()) {
                send(out, exchange, null, null);
            } else {
                try {
                    loop.execute(() -> send(out, exchange, null, null));
                } catch (RejectedExecutionException e) {
                    // The admin server is closing, and this connection with it: there is no one to answer.
                }
            }
        });
    }

    private void send(AdminResponse answer, Exchange exchange, CharSequence extraName, String extraValue) {
        if (closed) {
            return; // the client left while the endpoint worked
        }
        byte[] body = answer.body();
        ByteBuf content = exchange.head() || body.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
        FullHttpResponse response = new DefaultFullHttpResponse(exchange.version(),
                HttpResponseStatus.valueOf(answer.status()), content);
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, answer.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length) // for HEAD too: what GET would send (§9.3.2)
                // Admin answers describe the node's state at this instant; no cache should keep them.
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set(X_CONTENT_TYPE_OPTIONS, NOSNIFF)
                // the dashboard loads its own script and styles only, and no other site may frame it
                .set(CONTENT_SECURITY_POLICY, CSP);
        if (extraName != null) {
            h.set(extraName, extraValue);
        }
        boolean keepAlive = exchange.keepAlive();
        HttpUtil.setKeepAlive(response, keepAlive);
        ctx.writeAndFlush(response).addListener(f -> {
            if (!f.isSuccess() || !keepAlive) {
                closed = true;
                ctx.close();
                return;
            }
            busy = false;
            proceed();
        });
    }

    private static Map<String, List<String>> headers(HttpHeaders headers) {
        Map<String, List<String>> byName = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : headers) {
            byName.computeIfAbsent(e.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>(1)).add(e.getValue());
        }
        return byName; // AdminRequest freezes it
    }
}
