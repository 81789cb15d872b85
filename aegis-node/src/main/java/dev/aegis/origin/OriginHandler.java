package dev.aegis.origin;

import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;
import static io.netty.handler.codec.http.HttpResponseStatus.EXPECTATION_FAILED;
import static io.netty.handler.codec.http.HttpResponseStatus.NOT_MODIFIED;
import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static io.netty.handler.codec.http.HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
import static io.netty.handler.codec.http.HttpResponseStatus.REQUEST_URI_TOO_LONG;
import static io.netty.handler.codec.http.HttpVersion.HTTP_1_0;
import static io.netty.handler.codec.http.HttpVersion.HTTP_1_1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mock origin's per-connection handler, after {@link io.netty.handler.codec.http.HttpServerCodec}: routes
 * each request to its endpoint and produces the answer. It owns every message it receives: a
 * {@link HttpContent} is either written back (echo) or released.
 *
 * <p>Auto-read is off: this handler asks for the next read only when nothing waits in its backlog and the
 * channel is writable, so a client that does not read its answers stops being read (backpressure), and a
 * pipelined request that arrives while an answer is still being produced (a delay, a download) waits in the
 * backlog, bounded by one read, and is answered in order (RFC 9112 §9.3.2). Endpoints other than echo
 * answer once the request body has been drained, so a request is recorded before its client sees the answer.
 *
 * <p>All state is confined to the channel's event loop.
 */
final class OriginHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(OriginHandler.class);

    static final int STREAM_CHUNK = 64 * 1024;
    /** Chunks a download writes per event-loop turn, so one fast reader cannot starve other connections. */
    private static final int CHUNKS_PER_TURN = 16;
    static final long MAX_STREAM_BYTES = 1L << 40;
    static final long MAX_DELAY_MILLIS = TimeUnit.MINUTES.toMillis(10);
    static final long MAX_CACHE_SECONDS = 10L * 365 * 24 * 3600;

    // Our own header values are constants or digits: validating them on every answer would be wasted work.
    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    private static final AsciiString SERVER = AsciiString.cached("aegis-mock-origin");
    private static final AsciiString TEXT = AsciiString.cached("text/plain; charset=utf-8");
    private static final AsciiString OCTETS = AsciiString.cached("application/octet-stream");
    private static final AsciiString JSON = AsciiString.cached("application/json");

    private final OriginState state;
    private final ArrayDeque<Object> backlog = new ArrayDeque<>(4);
    private ChannelHandlerContext ctx;

    // The request whose head was dispatched and whose body is still arriving.
    private boolean receiving;
    private HttpRequest request;
    private long bodyBytes;
    private boolean echoing;
    private Runnable answer; // to run when the request is complete

    // The answer of the exchange in progress.
    private boolean keepAlive;
    private boolean http10;
    private boolean responding; // still being produced: a delay timer, a download or an echo
    private long streamLeft;
    private boolean pumping;
    private ScheduledFuture<?> delayed;

    private boolean closed;
    private boolean inRead;
    private boolean draining;
    private boolean flushPending;

    OriginHandler(OriginState state) {
        this.state = state;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inRead = true;
        if (closed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest r) {
            state.requestReceived(r.uri());
        }
        if (!backlog.isEmpty() || (responding && msg instanceof HttpRequest)) {
            backlog.addLast(msg);
            return;
        }
        dispatch(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Answers written during one read go out in one flush: pipelined requests cost one syscall, not one each.
        inRead = false;
        if (flushPending) {
            flushPending = false;
            ctx.flush();
        }
        maybeRead();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            pump();
            maybeRead();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        streamLeft = 0;
        if (delayed != null) {
            delayed.cancel(false);
            delayed = null;
        }
        receiving = false;
        request = null;
        answer = null;
        releaseBacklog();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseBacklog();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("mock origin connection {} failed: {}", ctx.channel(), cause.toString());
        } else {
            log.warn("mock origin connection {} failed", ctx.channel(), cause);
        }
        closed = true;
        releaseBacklog();
        ctx.close();
    }

    private void dispatch(Object msg) {
        if (msg instanceof HttpRequest r) {
            onHead(r);
        }
        if (msg instanceof HttpContent c) {
            onContent(c);
        } else if (!(msg instanceof HttpRequest)) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(HttpRequest req) {
        if (req.decoderResult().isFailure()) {
            refuse(req.decoderResult().cause());
            return;
        }
        receiving = true;
        request = req;
        bodyBytes = 0;
        echoing = false;
        answer = null;
        keepAlive = HttpUtil.isKeepAlive(req);
        http10 = HTTP_1_0.equals(req.protocolVersion());
        if (unsupportedExpectation(req)) {
            // RFC 9110 §10.1.1: 417. Whether a body follows is unknown, so this is the connection's last exchange.
            keepAlive = false;
            send(text(EXPECTATION_FAILED, "unsupported expectation: " + req.headers().get(HttpHeaderNames.EXPECT),
                    false));
            return;
        }
        String path = pathOf(req.uri());
        if (HttpUtil.is100ContinueExpected(req) && !path.equals("/drop") && !path.equals("/reset")) {
            // Answered here rather than by HttpServerExpectContinueHandler, which would send it the moment the
            // head is decoded, possibly into the middle of an earlier pipelined answer still streaming. Every
            // endpoint but drop/reset takes the body, so the client is always invited to send it (RFC 9110
            // §10.1.1) and the connection stays in sync.
            ctx.write(interim(HttpResponseStatus.CONTINUE), ctx.voidPromise());
            flushSoon();
        }
        answer = route(req, path);
    }

    private void onContent(HttpContent content) {
        if (!receiving || closed) {
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            // A broken body (bad chunk framing) leaves the stream out of sync: say so if no answer has started
            // yet, then close either way.
            Throwable cause = content.decoderResult().cause();
            content.release();
            receiving = false;
            answer = null;
            if (echoing) {
                abort(false);
            } else {
                refuse(cause);
            }
            return;
        }
        bodyBytes += content.content().readableBytes();
        boolean last = content instanceof LastHttpContent;
        if (echoing) {
            ctx.write(content, ctx.voidPromise());
            flushSoon();
        } else {
            content.release();
        }
        if (last) {
            receiving = false;
            state.requestCompleted(request, bodyBytes);
            request = null;
            if (echoing) {
                echoing = false;
                responding = false;
            }
            Runnable a = answer;
            answer = null;
            if (a != null) {
                a.run();
            }
            exchangeProgress();
        }
    }

    /**
     * The answer to {@code req}, to run once the request is complete; or null when the endpoint acted at once
     * (echo, drop, reset). Waiting for the body costs nothing for a bodiless request (its end arrives in the
     * same read) and means a request is recorded as complete before its client sees the answer.
     */
    private Runnable route(HttpRequest req, String path) {
        boolean head = HttpMethod.HEAD.equals(req.method());
        switch (path) {
            case "/": return () -> fixed(FixedBodies.ROOT, TEXT, head);
            case "/response-headers": return () -> responseHeaders(req, head);
            case "/1k": return () -> fixed(FixedBodies.K1, OCTETS, head);
            case "/16k": return () -> fixed(FixedBodies.K16, OCTETS, head);
            case "/64k": return () -> fixed(FixedBodies.K64, OCTETS, head);
            case "/health": return () -> fixed(FixedBodies.HEALTH, TEXT, head);
            case "/api/users": return () -> fixed(FixedBodies.USERS, JSON, head);
            case "/api/products": return () -> fixed(FixedBodies.PRODUCTS, JSON, head);
            case "/api/orders": return () -> fixed(FixedBodies.ORDERS, JSON, head);
            case "/drop":
                abort(false);
                return null;
            case "/reset":
                abort(true);
                return null;
            case "/echo":
                if (head || HttpMethod.GET.equals(req.method())) {
                    return () -> anything(req, head);
                }
                startEcho(req);
                return null;
            default:
                return routeWithArgument(req, path, head);
        }
    }

    private Runnable routeWithArgument(HttpRequest req, String path, boolean head) {
        if (path.startsWith("/bytes/")) {
            long n = number(path, "/bytes/".length(), MAX_STREAM_BYTES);
            return n < 0 ? () -> badRequest("/bytes/{n} takes a byte count from 0 to " + MAX_STREAM_BYTES, head)
                    : () -> startStream(n, head);
        }
        if (path.startsWith("/status/")) {
            long code = number(path, "/status/".length(), 599);
            // 101 would switch this connection to a protocol nobody asked for (RFC 9110 §15.2.2).
            return code < 100 || code == 101
                    ? () -> badRequest("/status/{code} takes a status from 100 to 599, except 101", head)
                    : () -> status((int) code, head);
        }
        if (path.startsWith("/delay/")) {
            long millis = number(path, "/delay/".length(), MAX_DELAY_MILLIS);
            return millis < 0 ? () -> badRequest("/delay/{ms} takes milliseconds from 0 to " + MAX_DELAY_MILLIS, head)
                    : () -> startDelay(millis, head);
        }
        if (path.startsWith("/cache/")) {
            long seconds = number(path, "/cache/".length(), MAX_CACHE_SECONDS);
            return seconds < 0
                    ? () -> badRequest("/cache/{seconds} takes a max-age from 0 to " + MAX_CACHE_SECONDS, head)
                    : () -> cacheable(req, seconds, head);
        }
        return () -> anything(req, head);
    }

    // ---- endpoints

    private void fixed(ByteBuf body, AsciiString type, boolean head) {
        send(full(OK, body.retainedDuplicate(), type, head));
    }

    private void anything(HttpRequest req, boolean head) {
        send(full(OK, ByteBufUtil.writeUtf8(ctx.alloc(), EchoJson.render(req)), JSON, head));
    }

    private void status(int code, boolean head) {
        HttpResponseStatus status = HttpResponseStatus.valueOf(code);
        if (code < 200) {
            // An interim answer is never the last one (RFC 9110 §15.2): a final 200 follows it.
            ctx.write(interim(status), ctx.voidPromise());
            send(text(OK, "final answer after interim " + code + "\n", head));
            return;
        }
        if (code == 204 || code == 304) {
            // No content and no Content-Length (RFC 9110 §8.6, §15.3.5, §15.4.5).
            FullHttpResponse r = empty(status);
            send(r);
            return;
        }
        FullHttpResponse r = code == 205
                ? full(status, Unpooled.EMPTY_BUFFER, TEXT, head) // 205 must not have content (§15.3.6)
                : text(status, code + " " + status.reasonPhrase() + "\n", head);
        if (code >= 300 && code < 400) {
            r.headers().set(HttpHeaderNames.LOCATION, "/");
        }
        send(r);
    }

    private void startDelay(long millis, boolean head) {
        responding = true;
        delayed = ctx.executor().schedule(() -> {
            delayed = null;
            if (closed) {
                return;
            }
            send(text(OK, "delayed " + millis + " ms\n", head));
            responding = false;
            exchangeProgress();
        }, millis, TimeUnit.MILLISECONDS);
    }

    private void cacheable(HttpRequest req, long seconds, boolean head) {
        // A weak validator (RFC 9110 §8.8.1): the body's fetch counter changes, the resource does not, and
        // If-None-Match compares weakly (§13.1.2), so a revalidation gets a 304.
        String etag = "W/\"" + Integer.toHexString(req.uri().hashCode()) + "\"";
        FullHttpResponse r;
        if (notModified(req, etag)) {
            r = empty(NOT_MODIFIED);
        } else {
            r = text(OK, "cached resource " + req.uri() + ", fetch " + state.nextCacheFetch() + "\n", head);
        }
        r.headers()
                .set(HttpHeaderNames.CACHE_CONTROL, "public, max-age=" + seconds)
                .set(HttpHeaderNames.ETAG, etag)
                .set(HttpHeaderNames.LAST_MODIFIED, state.lastModified());
        send(r);
    }

    /**
     * {@code /response-headers?Cache-Control=max-age%3D60&ETag=%22v1%22&status=200}: answers with each query
     * parameter as a response header (except {@code status}, the status to answer with, and {@code delay}, ms to
     * wait), a body naming the fetch (so a test sees whether a cache answered), and 304 when the request's
     * If-None-Match names the given ETag. The cache tests' origin for every directive.
     */
    private void responseHeaders(HttpRequest req, boolean head) {
        io.netty.handler.codec.http.QueryStringDecoder q = new io.netty.handler.codec.http.QueryStringDecoder(req.uri());
        int code = 200;
        long delay = 0;
        String etag = null;
        java.util.List<Map.Entry<String, String>> fields = new java.util.ArrayList<>();
        for (Map.Entry<String, java.util.List<String>> p : q.parameters().entrySet()) {
            for (String v : p.getValue()) {
                switch (p.getKey()) {
                    case "status" -> code = (int) Math.max(200, Math.min(599, parseOr(v, 200)));
                    case "delay" -> delay = Math.max(0, Math.min(MAX_DELAY_MILLIS, parseOr(v, 0)));
                    default -> {
                        fields.add(Map.entry(p.getKey(), v));
                        if (p.getKey().equalsIgnoreCase("ETag")) {
                            etag = v;
                        }
                    }
                }
            }
        }
        String inm = req.headers().get(HttpHeaderNames.IF_NONE_MATCH);
        FullHttpResponse r;
        if (etag != null && inm != null && (inm.equals(etag) || inm.equals("*"))) {
            r = empty(NOT_MODIFIED);
        } else {
            r = text(HttpResponseStatus.valueOf(code), "response " + req.uri() + ", fetch " + state.nextCacheFetch()
                    + "\n", head);
        }
        for (Map.Entry<String, String> f : fields) {
            r.headers().add(f.getKey(), f.getValue());
        }
        if (delay > 0) {
            responding = true;
            delayed = ctx.executor().schedule(() -> {
                delayed = null;
                if (closed) {
                    r.release();
                    return;
                }
                send(r);
                responding = false;
                exchangeProgress();
            }, delay, TimeUnit.MILLISECONDS);
            return;
        }
        send(r);
    }

    private static long parseOr(String v, long fallback) {
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private boolean notModified(HttpRequest req, String etag) {
        String ifNoneMatch = req.headers().get(HttpHeaderNames.IF_NONE_MATCH);
        if (ifNoneMatch != null) {
            String opaque = etag.substring(2);
            for (String candidate : ifNoneMatch.split(",")) {
                String c = candidate.trim();
                if (c.equals("*") || (c.startsWith("W/") ? c.substring(2) : c).equals(opaque)) {
                    return true;
                }
            }
            return false;
        }
        // If-Modified-Since only counts without If-None-Match (RFC 9110 §13.1.3).
        String ifModifiedSince = req.headers().get(HttpHeaderNames.IF_MODIFIED_SINCE);
        if (ifModifiedSince != null) {
            Date since = DateFormatter.parseHttpDate(ifModifiedSince);
            return since != null && state.lastModifiedMillis() <= since.getTime();
        }
        return false;
    }

    private void startEcho(HttpRequest req) {
        echoing = true;
        responding = true;
        HttpResponse r = new DefaultHttpResponse(HTTP_1_1, OK, HEADERS);
        common(r.headers());
        String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type != null ? type : OCTETS);
        // The answer is framed like the question: same Content-Length, or chunked.
        if (HttpUtil.isTransferEncodingChunked(req)) {
            r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else {
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, HttpUtil.getContentLength(req, 0L));
        }
        ctx.write(r, ctx.voidPromise());
        flushSoon();
    }

    private void startStream(long n, boolean head) {
        HttpResponse r = new DefaultHttpResponse(HTTP_1_1, OK, HEADERS);
        common(r.headers());
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, OCTETS).set(HttpHeaderNames.CONTENT_LENGTH, n);
        ctx.write(r, ctx.voidPromise());
        if (head || n == 0) {
            ctx.write(LastHttpContent.EMPTY_LAST_CONTENT, ctx.voidPromise());
            flushSoon();
            return;
        }
        responding = true;
        streamLeft = n;
        pump();
    }

    /** Writes the download's next chunks while the channel is writable; channelWritabilityChanged resumes it. */
    private void pump() {
        if (pumping || streamLeft == 0) {
            return;
        }
        pumping = true;
        try {
            Channel channel = ctx.channel();
            int budget = CHUNKS_PER_TURN;
            while (streamLeft > 0 && channel.isWritable()) {
                if (budget-- == 0) {
                    ctx.executor().execute(this::pump);
                    break;
                }
                int n = (int) Math.min(STREAM_CHUNK, streamLeft);
                streamLeft -= n;
                ByteBuf chunk = FixedBodies.K64.retainedSlice(0, n);
                ctx.write(streamLeft == 0 ? new DefaultLastHttpContent(chunk) : new DefaultHttpContent(chunk),
                        ctx.voidPromise());
                if (!channel.isWritable()) {
                    ctx.flush(); // may drain at once and make the channel writable again
                }
            }
            ctx.flush();
        } finally {
            pumping = false;
        }
        if (streamLeft == 0 && responding && !closed) {
            responding = false;
            exchangeProgress();
        }
    }

    private void abort(boolean reset) {
        closed = true;
        receiving = false;
        releaseBacklog();
        // Answers to earlier pipelined requests still go out first; then the connection ends without one.
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
            if (reset) {
                // SO_LINGER 0: close() discards what is unsent and the peer gets a TCP RST.
                ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
            }
            ctx.close();
        });
    }

    /** A request the codec could not parse: answer why, and close, since the stream is out of sync. */
    private void refuse(Throwable cause) {
        keepAlive = false;
        http10 = false;
        HttpResponseStatus status = cause instanceof TooLongHttpLineException ? REQUEST_URI_TOO_LONG
                : cause instanceof TooLongHttpHeaderException ? REQUEST_HEADER_FIELDS_TOO_LARGE
                : BAD_REQUEST;
        send(text(status, status.code() + " " + status.reasonPhrase() + "\n", false));
        closeAfterFlush();
    }

    private void badRequest(String why, boolean head) {
        send(text(BAD_REQUEST, why + "\n", head));
    }

    // ---- exchange and connection life cycle

    /** Called when the request or its answer completes: ends the connection or moves on to the next request. */
    private void exchangeProgress() {
        if (receiving || responding || closed) {
            return;
        }
        if (!keepAlive) {
            closeAfterFlush();
            return;
        }
        drainBacklog();
    }

    private void drainBacklog() {
        if (draining) {
            return; // the loop below, further up the stack, goes on
        }
        draining = true;
        try {
            while (!closed && !backlog.isEmpty()) {
                if (responding && backlog.peekFirst() instanceof HttpRequest) {
                    break;
                }
                dispatch(backlog.pollFirst());
            }
        } finally {
            draining = false;
        }
        if (flushPending && !inRead) {
            flushPending = false;
            ctx.flush();
        }
        maybeRead();
    }

    private void maybeRead() {
        if (!closed && backlog.isEmpty() && ctx.channel().isWritable()) {
            ctx.read();
        }
    }

    private void closeAfterFlush() {
        closed = true;
        flushPending = false;
        releaseBacklog();
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private void releaseBacklog() {
        Object msg;
        while ((msg = backlog.pollFirst()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    // ---- answers

    private void send(FullHttpResponse response) {
        ctx.write(response, ctx.voidPromise());
        flushSoon();
    }

    private void flushSoon() {
        if (inRead || draining) {
            flushPending = true;
        } else {
            ctx.flush();
        }
    }

    private FullHttpResponse text(HttpResponseStatus status, String body, boolean head) {
        return full(status, ByteBufUtil.writeUtf8(ctx.alloc(), body), TEXT, head);
    }

    /** An answer with {@code body}, which it takes ownership of; a HEAD answer keeps only its length. */
    private FullHttpResponse full(HttpResponseStatus status, ByteBuf body, AsciiString type, boolean head) {
        int length = body.readableBytes();
        ByteBuf content = body;
        if (head) {
            body.release();
            content = Unpooled.EMPTY_BUFFER;
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HTTP_1_1, status, content, HEADERS.newHeaders(),
                EmptyHttpHeaders.INSTANCE);
        common(r.headers());
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type).setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        return r;
    }

    private FullHttpResponse empty(HttpResponseStatus status) {
        FullHttpResponse r = new DefaultFullHttpResponse(HTTP_1_1, status, Unpooled.EMPTY_BUFFER,
                HEADERS.newHeaders(), EmptyHttpHeaders.INSTANCE);
        common(r.headers());
        return r;
    }

    private static FullHttpResponse interim(HttpResponseStatus status) {
        FullHttpResponse r = new DefaultFullHttpResponse(HTTP_1_1, status, Unpooled.EMPTY_BUFFER,
                HEADERS.newHeaders(), EmptyHttpHeaders.INSTANCE);
        r.headers().set(HttpHeaderNames.SERVER, SERVER);
        return r;
    }

    private void common(HttpHeaders h) {
        h.set(HttpHeaderNames.SERVER, SERVER).set(HttpHeaderNames.DATE, HttpDate.now());
        // Persistence follows RFC 9112 §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with "keep-alive",
        // which we then confirm, since a 1.0 client assumes close otherwise.
        if (!keepAlive) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    // ---- parsing

    /** An {@code Expect} other than 100-continue; only HTTP/1.1 requests have expectations (RFC 9110 §10.1.1). */
    private static boolean unsupportedExpectation(HttpRequest req) {
        String expect = req.headers().get(HttpHeaderNames.EXPECT);
        return expect != null && req.protocolVersion().compareTo(HTTP_1_1) >= 0
                && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect.trim());
    }

    /** The path of an origin-form or absolute-form request-target (RFC 9112 §3.2), without the query. */
    static String pathOf(String uri) {
        int start = 0;
        if (!uri.startsWith("/")) {
            int scheme = uri.indexOf("://");
            if (scheme > 0) {
                int slash = uri.indexOf('/', scheme + 3);
                if (slash < 0) {
                    return "/";
                }
                start = slash;
            }
        }
        int end = uri.length();
        for (int i = start; i < end; i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        return start == 0 && end == uri.length() ? uri : uri.substring(start, end);
    }

    /** The decimal number that ends {@code path} after {@code from}, or -1 when it is not one in 0..max. */
    static long number(String path, int from, long max) {
        int length = path.length() - from;
        if (length < 1 || length > 18) {
            return -1;
        }
        long n = 0;
        for (int i = from; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n <= max ? n : -1;
    }
}
