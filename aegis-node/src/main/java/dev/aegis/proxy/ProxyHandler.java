package dev.aegis.proxy;

import dev.aegis.config.LimitsConfig;
import dev.aegis.config.UpstreamConfig;
import dev.aegis.pipeline.LocalResponse;
import dev.aegis.pipeline.Outcome;
import dev.aegis.pipeline.Phase;
import dev.aegis.pipeline.ProxyError;
import dev.aegis.pipeline.RequestRecord;
import dev.aegis.server.Http1RequestDecoder;
import dev.aegis.server.RequestRejected;
import dev.aegis.upstream.ConnectionPool;
import dev.aegis.upstream.UpstreamGroup;
import dev.aegis.upstream.ServerState;
import dev.aegis.upstream.UpstreamServer;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import dev.aegis.cache.CacheControl;
import dev.aegis.cache.CacheKey;
import dev.aegis.cache.Rfc9111;
import dev.aegis.cache.StoredResponse;
import dev.aegis.cachetier.ResponseCache;
import dev.aegis.config.CachePolicy;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The downstream connection's state machine: runs the phases for each request, then streams it to an origin over
 * a pooled connection of this event loop and streams the answer back, with backpressure both ways.
 *
 * <p>One request at a time: the decoder pauses after each request and is resumed when its response is complete,
 * so pipelined requests are answered in order. Auto-read is off on both sides; reads follow writes: the client
 * is read only while the upstream is writable, the upstream only while the client is writable, so neither body
 * is ever buffered beyond a read's worth.
 *
 * <p>Buffers: every {@link HttpContent} received from either side is either written to the other side (which
 * releases it) or released here.
 */
public final class ProxyHandler extends ChannelInboundHandlerAdapter {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ProxyHandler.class);
    private static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    private static final int MAX_PENDING_CONTENT = 64;
    /**
     * A body held for the WAF may come in many small chunks; the byte limit is what bounds it. Past this many pieces
     * they are merged into one buffer, so that tiny chunks can not end inspection before the limit.
     */
    private static final int MAX_INSPECTED_PIECES = 16_384;

    private final NodeRuntime runtime;
    private final Http1RequestDecoder decoder;
    private final ResponseEncoder encoder;
    private final String via;
    private ChannelHandlerContext ctx;
    private String peerAddress;
    private Exchange exchange;
    private ScheduledFuture<?> headTimer;
    /** When the next request head must be complete ({@link System#nanoTime()}), or 0 when not waiting for one. */
    private long headDeadline;
    private final Runnable headCheck = this::checkHeadTimer;
    /**
     * The upstream deadline of the connection's exchange ({@link System#nanoTime()}; 0: none), the exchange it is
     * for, and the one scheduled check that enforces it. As with the head timer, moving the deadline later only
     * sets the field, and the check sleeps again when it runs early: one task per timeout period on a kept-alive
     * connection rather than a schedule and a cancel per request.
     */
    private long upstreamDeadline;
    private Exchange upstreamDeadlineOwner;
    private ScheduledFuture<?> upstreamTimer;
    private long upstreamTimerFiresAt;
    private final Runnable upstreamCheck = this::checkUpstreamDeadline;
    private boolean closing;
    /** Closing: whatever still arrives is discarded. */
    private boolean lingering;
    private static final long LINGER_MILLIS = 1000;
    private static final int MAX_PENDING_BYTES = 256 * 1024;

    /** A handler for one client connection; {@code decoder} and {@code encoder} are that connection's. */
    public ProxyHandler(NodeRuntime runtime, Http1RequestDecoder decoder, String nodeId) {
        this.runtime = runtime;
        this.decoder = decoder;
        this.encoder = new ResponseEncoder();
        this.via = nodeId;
    }

    /** The response encoder to install before this handler. */
    public io.netty.channel.ChannelHandler encoder() {
        return encoder;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        peerAddress = remote == null ? "-" : remote.getAddress().getHostAddress();
        armHeadTimer();
        ctx.read();
        ctx.fireChannelActive();
    }

    /** Closes the connection now if no request is in progress; else after the current response. */
    public void drain() {
        closing = true;
        if (exchange == null && !decoder.hasPartialRequest()) {
            closeAfterFlush(false);
        }
    }

    /**
     * Closes once everything written so far has reached the socket (a plain close would discard a response tail
     * still queued for a slow client). With {@code linger}, the client may still be sending a body we refused:
     * closing with unread input makes the kernel send RST, which can destroy the answer in flight, so we shut
     * our side, discard what arrives for a moment, then close (RFC 9112 §9.6).
     */
    private void closeAfterFlush(boolean linger) {
        if (lingering) {
            return;
        }
        lingering = true;
        cancelHeadTimer();
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFuture f) -> {
            if (!linger || !(f.channel() instanceof io.netty.channel.socket.DuplexChannel duplex) || !f.isSuccess()) {
                f.channel().close();
                return;
            }
            duplex.shutdownOutput();
            ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
            ctx.read();
        });
    }

    /**
     * Slowloris: a whole request head (or the next one on a kept-alive connection) must arrive within
     * {@code limits.header_read_timeout}. Arming only moves {@link #headDeadline}; the scheduled check, when it
     * runs, sleeps again until the deadline if that moved. A kept-alive connection thus schedules one task per
     * timeout period instead of scheduling and cancelling one per request (a profile under load showed the
     * executor's timer queue at 3 % of the node's CPU).
     */
    private void armHeadTimer() {
        LimitsConfig limits = runtime.snapshot().config().limits();
        long nanos = limits.headerReadTimeout().toNanos();
        if (nanos > 0) {
            headDeadline = System.nanoTime() + nanos;
            if (headTimer == null) {
                headTimer = ctx.executor().schedule(headCheck, nanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    private void checkHeadTimer() {
        headTimer = null;
        long deadline = headDeadline;
        if (deadline == 0 || exchange != null) {
            return; // disarmed: a request is in progress, and its end arms the timer again
        }
        long left = deadline - System.nanoTime();
        if (left > 0) {
            headTimer = ctx.executor().schedule(headCheck, left, TimeUnit.NANOSECONDS);
            return;
        }
        io.netty.channel.ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        if (out != null && out.totalPendingWriteBytes() > 0) {
            armHeadTimer(); // the previous response is still being written: its reader is not idle
        } else {
            ctx.close();
        }
    }

    private void setUpstreamDeadline(Exchange owner, long deadline) {
        upstreamDeadline = deadline;
        upstreamDeadlineOwner = owner;
        if (upstreamTimer != null) {
            if (upstreamTimerFiresAt - deadline <= 0) {
                return; // the check runs before the deadline and sleeps again
            }
            upstreamTimer.cancel(false); // an earlier deadline than the scheduled check: rare (a shorter phase limit)
        }
        long delay = Math.max(1, deadline - System.nanoTime());
        upstreamTimerFiresAt = System.nanoTime() + delay;
        upstreamTimer = ctx.executor().schedule(upstreamCheck, delay, TimeUnit.NANOSECONDS);
    }

    private void checkUpstreamDeadline() {
        upstreamTimer = null;
        Exchange owner = upstreamDeadlineOwner;
        long deadline = upstreamDeadline;
        if (deadline == 0 || owner == null) {
            return;
        }
        long left = deadline - System.nanoTime();
        if (left > 0) {
            upstreamTimerFiresAt = System.nanoTime() + left;
            upstreamTimer = ctx.executor().schedule(upstreamCheck, left, TimeUnit.NANOSECONDS);
            return;
        }
        upstreamDeadline = 0;
        upstreamDeadlineOwner = null;
        try {
            owner.checkUpstreamTimer();
        } catch (Throwable t) {
            owner.internalFailure("checking the upstream deadline", t);
        }
    }

    /** Disarms the head timer; the scheduled check, if any, finds nothing to do. */
    private void cancelHeadTimer() {
        headDeadline = 0;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (lingering) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request) {
            cancelHeadTimer();
            exchange = new Exchange(request);
            exchange.start();
        } else if (msg instanceof HttpContent content) {
            Exchange ex = exchange;
            if (ex == null) {
                content.release();
            } else {
                ex.onRequestContent(content);
            }
        } else if (msg instanceof RequestRejected rejected) {
            cancelHeadTimer();
            if (exchange != null) {
                exchange.onBodyRejected(rejected); // a bad chunk or an oversized body mid-request
            } else {
                Exchange ex = new Exchange(null);
                exchange = ex;
                ex.rejected(rejected);
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Exchange ex = exchange;
        if (lingering) {
            ctx.read(); // keep discarding until the linger timer closes
        } else if (ex == null) {
            ctx.read(); // waiting for (the rest of) a request head
        } else {
            ex.onClientReadComplete();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
            // The client sent all it will send: finish the request in progress, then close; nothing more can come.
            closing = true;
            if (exchange == null) {
                closeAfterFlush(false);
            } else if (!exchange.requestCompleteForHalfClose()) {
                exchange.onClientClosed(); // the request was cut short: nothing sensible to forward
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Exchange ex = exchange;
        if (ex != null && ctx.channel().isWritable()) {
            ex.onClientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelHeadTimer();
        if (headTimer != null) {
            headTimer.cancel(false); // the connection is gone: do not keep it reachable until the check runs
            headTimer = null;
        }
        // The upstream timer stays: an exchange can outlive its client (a cache fill goes on) and still needs it.
        Exchange ex = exchange;
        if (ex != null) {
            ex.onClientClosed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Connection resets and the like: nothing to answer; channelInactive cleans up. Anything else is a bug.
        if (!(cause instanceof java.io.IOException)) {
            LOG.warn("closing client connection after an unexpected error", cause);
        }
        ctx.close();
    }

    /** Called when a response is complete: next request, or close. */
    private void exchangeDone(boolean keepAlive, boolean requestComplete) {
        exchange = null;
        if (!keepAlive || closing || runtime.draining()) {
            closeAfterFlush(!requestComplete);
            return;
        }
        armHeadTimer();
        if (decoder.hasBufferedBytes()) {
            // A pipelined request is waiting. Start it from a fresh task, not from inside the upstream
            // connection's read that just completed this response: that connection may still be decoding.
            ctx.executor().execute(this::resumeDecoding);
        } else {
            decoder.resume();
            ctx.read();
        }
    }

    private void resumeDecoding() {
        if (exchange != null || lingering || !ctx.channel().isActive()) {
            return;
        }
        decoder.resume();
        if (exchange == null) {
            ctx.read();
        }
    }

    static String newRequestId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return hex16(r.nextLong()) + hex16(r.nextLong());
    }

    private static String hex16(long v) {
        String s = Long.toHexString(v);
        return s.length() == 16 ? s : "0".repeat(16 - s.length()) + s;
    }

    /** An {@code X-Request-Id} from the client is kept when it is short and made of safe characters. */
    static boolean acceptableRequestId(String id) {
        if (id == null || id.isEmpty() || id.length() > 128) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
                    || c == '.' || c == ':' || c == '=' || c == '+' || c == '/')) {
                return false;
            }
        }
        return true;
    }

    /** The header marking the node's own background refreshes; its value is a secret of this process. */
    static final AsciiString REFRESH_HEADER = AsciiString.cached("x-aegis-refresh");
    static final AsciiString X_CACHE = AsciiString.cached("x-cache");
    private static final byte[] NO_BYTES = new byte[0];
    /** The fields a 304 carries from the stored object (RFC 9110 §15.4.5). */
    private static final java.util.Set<String> KEPT_ON_304 = java.util.Set.of("cache-control", "content-location",
            "date", "etag", "expires", "vary", "last-modified");

    /** One request and its response. Event-loop confined. */
    final class Exchange {
        final RequestRecord record = new RequestRecord();
        final HttpRequest request;
        private NettyRequestHead head;
        private ConfigSnapshot snapshot;
        private UpstreamGroup group;
        private UpstreamServer server;
        /** The server of the current attempt, whose in-flight count this exchange holds while attached. */
        private ServerState serverState;
        private boolean countedInFlight;
        /** Servers already tried (bit = index in the group), so a retry goes elsewhere. */
        private long triedMask;
        private Channel upstream;
        private UpstreamHandler upstreamHandler;
        private final ArrayDeque<HttpContent> pending = new ArrayDeque<>(4);
        private int pendingBytes;
        private boolean awaitingBodyInspection;
        /** The held body is refused with 413 once it is longer than waf.body_limit (body_over_limit: block). */
        private boolean blockBodyOverLimit;
        /** The buffer that many small held pieces were merged into, so that more can be appended to it. */
        private HttpContent coalesced;
        private boolean hasBody;
        private boolean requestComplete;
        private boolean bodyBytesSent; // a body byte left for an origin: the request can no longer be replayed
        private boolean headSent; // the request head was written on the current attempt's connection
        private boolean requestSent;
        private boolean responseStarted;
        private boolean responseComplete;
        private boolean localResponse;
        private boolean keepAliveClient;
        private boolean keepAliveUpstream;
        private boolean upstreamNeedsFlush;
        private boolean done;
        private long attemptStartNanos;
        private long requestSentNanos;
        private long lastUpstreamActivityNanos;
        private boolean reusedConnection;
        private int freshRetries;
        // ---- cache (see toOriginOrCache)
        private CacheKey primaryKey;
        /** The key this request's object is under: the primary key, or its variant's. */
        private CacheKey cacheKey;
        private CachePolicy cachePolicy;
        private CacheControl requestCacheControl = CacheControl.NONE;
        /** A stored object the origin may yet confirm (a 304) or stand in for (when it fails). */
        private StoredResponse stale;
        private boolean revalidating;
        private boolean storeCandidate;
        private boolean filling;
        private boolean waitingForFill;
        private boolean backgroundRefresh;
        private ScheduledFuture<?> fillWaitTimer;
        private long cacheRequestMillis;
        private java.io.ByteArrayOutputStream tee;
        private int teeStatus;
        private java.util.List<Map.Entry<String, String>> teeHeaders;
        private boolean absorbing;
        private boolean invalidates;
        /** The key the fill stored under (waiters with the same key share it), or null. */
        private CacheKey storedKey;
        /** Bytes of the in-progress copy counted against the cache's budget for them. */
        private long teeReserved;
        private StoredResponse absorbInto;
        private String absorbStatus;
        /** A failed write to the origin (a reset connection, an encoder refusing a message) ends the attempt. */
        private final ChannelFutureListener writeFailure = f -> {
            if (!f.isSuccess() && f.channel() == upstream) {
                try {
                    onUpstreamClosed(f.cause());
                } catch (Throwable t) {
                    internalFailure("handling a failed write to the origin", t);
                }
            }
        };

        Exchange(HttpRequest request) {
            this.request = request;
            record.startNanos = System.nanoTime();
            record.startEpochMillis = System.currentTimeMillis();
            record.peerAddress = peerAddress;
        }

        void rejected(RequestRejected rejected) {
            record.method = "-";
            record.uri = "-";
            record.requestId = newRequestId();
            requestComplete = true;
            keepAliveClient = false;
            fail(new ProxyError.BadRequest(rejected.status(), rejected.reason()));
        }

        boolean requestCompleteForHalfClose() {
            return requestComplete;
        }

        void onBodyRejected(RequestRejected rejected) {
            requestComplete = true;
            keepAliveClient = false;
            releasePending();
            if (upstream != null) {
                // The origin has part of a body it must never see completed: the connection goes.
                Channel u = upstream;
                detachUpstream();
                u.close();
            }
            ProxyError error = new ProxyError.BadRequest(rejected.status(), rejected.reason());
            if (done) {
                ctx.close();
            } else if (responseStarted) {
                record.error = error;
                ctx.flush();
                ctx.close();
                finish(false, false);
            } else {
                fail(error);
            }
        }

        void start() {
            snapshot = runtime.snapshot();
            head = new NettyRequestHead(request, peerAddress);
            record.method = request.method().name();
            record.uri = request.uri();
            record.host = head.host();
            String id = request.headers().get(X_REQUEST_ID);
            record.requestId = acceptableRequestId(id) ? id : newRequestId();
            hasBody = HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
            keepAliveClient = HttpUtil.isKeepAlive(request);
            // Without a body the request is complete with its head (the decoder's empty last content follows).
            requestComplete = !hasBody;
            encoder.headRequest = request.method().equals(HttpMethod.HEAD);

            for (Phase phase : snapshot.phases()) {
                Outcome outcome = phase.apply(head, record);
                if (outcome instanceof Outcome.Respond respond) {
                    respondLocal(respond.response());
                    return;
                } else if (outcome instanceof Outcome.Fail f) {
                    fail(f.error());
                    return;
                }
            }
            // RFC 9110 §10.1.1: only 100-continue is defined; HTTP/1.0 clients' Expect is ignored.
            String expect = request.headers().get(HttpHeaderNames.EXPECT);
            boolean sendContinue = false;
            if (expect != null && request.protocolVersion() == HttpVersion.HTTP_1_1) {
                if (!expect.equalsIgnoreCase("100-continue")) {
                    fail(new ProxyError.BadRequest(417, "unsupported expectation"));
                    return;
                }
                sendContinue = hasBody;
            }
            dev.aegis.config.WafConfig wafConfig = snapshot.config().waf();
            dev.aegis.config.WafPolicy waf = record.route.config().waf();
            boolean holdBody = hasBody && waf.mode() != dev.aegis.config.WafPolicy.WafMode.OFF
                    && wafConfig.bodyLimitBytes() > 0
                    && inspectableBody(request.headers().get(HttpHeaderNames.CONTENT_TYPE));
            if (holdBody && waf.mode() == dev.aegis.config.WafPolicy.WafMode.BLOCK
                    && wafConfig.bodyOverLimit() == dev.aegis.config.WafConfig.BodyOverLimit.BLOCK) {
                blockBodyOverLimit = true;
                if (HttpUtil.getContentLength(request, 0L) > wafConfig.bodyLimitBytes()) {
                    // Announced too long: refused before a byte of it is read (and before 100 Continue invites it).
                    bodyOverLimit();
                    return;
                }
            }
            if (sendContinue) {
                // We decided to take the body: tell the client now rather than waiting on the origin.
                ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                        Unpooled.EMPTY_BUFFER));
            }
            group = snapshot.upstream(record.upstream);
            if (group == null) {
                fail(new ProxyError.Internal("route " + record.route.name() + " names no upstream group"));
                return;
            }
            if (holdBody) {
                // Hold the body (up to waf.body_limit) until the WAF has seen it; only then pick a server.
                awaitingBodyInspection = true;
                lastUpstreamActivityNanos = System.nanoTime();
                armUpstreamTimer(); // timeouts.idle also bounds a body that stops arriving while it is held
                return;
            }
            toOriginOrCache();
        }

        /**
         * Bodies the WAF reads: forms, multipart, JSON, XML and text (what ModSecurity's body processors parse).
         * Binary uploads (images, archives, octet streams) stream untouched, since byte noise would only produce
         * false positives; a body without a Content-Type is treated as binary.
         */
        private static boolean inspectableBody(String contentType) {
            if (contentType == null) {
                return false;
            }
            String t = contentType.toLowerCase(java.util.Locale.ROOT);
            return t.startsWith("application/x-www-form-urlencoded") || t.startsWith("multipart/form-data")
                    || t.startsWith("text/") || t.contains("json") || t.contains("xml")
                    || t.startsWith("application/graphql") || t.startsWith("application/javascript");
        }

        /**
         * {@code body_over_limit: block} on a route in block mode: a held body longer than {@code waf.body_limit}
         * (announced, or counted as it arrives) is answered 413 and nothing of it reaches an origin. The
         * connection closes unless the body was read to its end.
         */
        private void bodyOverLimit() {
            awaitingBodyInspection = false;
            record.wafBodyTruncated = true;
            fail(new ProxyError.BodyTooLargeForInspection(snapshot.config().waf().bodyLimitBytes()));
        }

        /**
         * Many small pieces (a body sent in tiny chunks) are merged into one buffer, so that the piece count never
         * cuts inspection short of {@code waf.body_limit}. Later merges append to the same buffer: each byte is
         * copied about once.
         */
        private void coalescePending() {
            HttpContent first = pending.peek();
            io.netty.buffer.ByteBuf into;
            if (first != null && first == coalesced) {
                pending.poll();
                into = first.content();
            } else {
                into = ctx.alloc().buffer(pendingBytes);
            }
            HttpContent c;
            while ((c = pending.poll()) != null) {
                try {
                    into.writeBytes(c.content(), c.content().readerIndex(), c.content().readableBytes());
                } finally {
                    c.release();
                }
            }
            coalesced = new io.netty.handler.codec.http.DefaultHttpContent(into);
            pending.add(coalesced);
        }

        /**
         * The WAF on the whole request, body included: the first {@code waf.body_limit} bytes, held back from the
         * origin until now. A larger body is inspected in that part, tagged truncated, and then streams on.
         */
        private void inspectBody() {
            awaitingBodyInspection = false;
            cancelUpstreamTimer();
            int limit = (int) Math.min(Integer.MAX_VALUE, snapshot.config().waf().bodyLimitBytes());
            byte[] body = new byte[Math.min(limit, pendingBytes)];
            int at = 0;
            for (HttpContent c : pending) {
                int n = Math.min(c.content().readableBytes(), body.length - at);
                c.content().getBytes(c.content().readerIndex(), body, at, n);
                at += n;
                if (at == body.length) {
                    break;
                }
            }
            boolean truncated = !requestComplete || pendingBytes > limit;
            record.wafBodyTruncated = truncated;
            dev.aegis.waf.WafDecision decision = snapshot.waf().inspect(new dev.aegis.waf.InspectionInput(
                    head.method(), head.uri(), head.headerList(), body, truncated,
                    record.clientIp == null ? record.peerAddress : record.clientIp), record.route.config().waf());
            // The decision covers line, headers and body: it replaces the header-only one.
            record.wafScore = decision.score();
            record.wafMatches = decision.matches();
            if (decision.blocked()) {
                fail(new ProxyError.Blocked(decision.score()));
            } else {
                toOriginOrCache();
            }
        }

        // ---- the cache ---------------------------------------------------------------------------------------

        /**
         * Answers from the cache when it can, else goes to the origin (storing what it may). Only GET and HEAD
         * without a body on a route with the cache enabled; anything else is a BYPASS.
         */
        private void toOriginOrCache() {
            ResponseCache cache = snapshot.cache();
            cachePolicy = record.route.config().cache();
            String method = request.method().name();
            if (cache == null || !cachePolicy.enabled()) {
                pickAndConnect(null);
                return;
            }
            requestCacheControl = CacheControl.parse(head.headers("Cache-Control"));
            if (hasBody || !(method.equals("GET") || method.equals("HEAD")) || requestCacheControl.noStore()
                    || !CacheKey.normalPath(head.originForm)) {
                record.cacheStatus = "BYPASS";
                // an unsafe method that succeeds makes the URL's stored object invalid (RFC 9111 §4.4)
                invalidates = !method.equals("GET") && !method.equals("HEAD") && !method.equals("OPTIONS")
                        && !method.equals("TRACE");
                pickAndConnect(null);
                return;
            }
            primaryKey = CacheKey.of(method, "http", hostForCache(), head.originForm, cachePolicy.ignoreParams());
            cacheKey = primaryKey;
            String refresh = request.headers().get(REFRESH_HEADER);
            backgroundRefresh = refresh != null && refresh.equals(cache.refreshToken());
            StoredResponse found = lookupMemory(cache);
            if (backgroundRefresh) {
                // the node's own refresh of a stale object: revalidate it if it can, store the answer
                stale = found;
                revalidating = found != null && found.hasValidator();
                fetchForCache();
                return;
            }
            if (found != null || !cache.shared()) {
                afterLookup(found);
                return;
            }
            String url = CacheKey.text(method, "http", hostForCache(), head.originForm, cachePolicy.ignoreParams());
            cache.shared(primaryKey, url).whenComplete((o, e) -> ctx.executor().execute(() -> {
                if (done || exchange != this) {
                    return;
                }
                if (o != null && o.isVariantMarker()) {
                    cacheKey = primaryKey.withVary(o.vary(), this::headerValue);
                    cache.shared(cacheKey, url).whenComplete((v, e2) -> ctx.executor().execute(() -> {
                        if (!done && exchange == this) {
                            afterLookup(valid(v));
                        }
                    }));
                    return;
                }
                afterLookup(valid(o));
            }));
        }

        private String hostForCache() {
            return head.host() != null ? head.host() : "";
        }

        private String headerValue(String name) {
            java.util.List<String> v = head.headers(name);
            return v.isEmpty() ? null : v.size() == 1 ? v.get(0) : String.join(", ", v);
        }

        /** The memory tier's object for this request (its variant when the URL's responses vary), or null. */
        private StoredResponse lookupMemory(ResponseCache cache) {
            StoredResponse o = cache.memory(primaryKey);
            cacheKey = primaryKey;
            if (o != null && o.isVariantMarker()) {
                cacheKey = primaryKey.withVary(o.vary(), this::headerValue);
                o = cache.memory(cacheKey);
            }
            return valid(o);
        }

        /** {@code o} when it is an object for exactly this URL (a hash collision is a miss), else null. */
        private StoredResponse valid(StoredResponse o) {
            return o != null && !o.isVariantMarker() && CacheKey.matches(o.url(), request.method().name(), "http",
                    hostForCache(), head.originForm, cachePolicy.ignoreParams()) ? o : null;
        }

        private void afterLookup(StoredResponse found) {
            long now = System.currentTimeMillis();
            if (found != null) {
                boolean pragma = request.headers().contains(HttpHeaderNames.PRAGMA, "no-cache", true);
                switch (Rfc9111.use(found, requestCacheControl, pragma, now)) {
                    case FRESH -> {
                        serveStored(found, "HIT");
                        return;
                    }
                    case STALE_WHILE_REVALIDATE -> {
                        serveStored(found, "STALE");
                        refreshInBackground(found);
                        return;
                    }
                    case REVALIDATE -> {
                        stale = found;
                        revalidating = true;
                    }
                    case MISS -> stale = found;
                }
            }
            if (requestCacheControl.onlyIfCached()) {
                fail(new ProxyError.NotCached());
                return;
            }
            // One origin request per key at a time: later misses wait for it, then look again.
            ResponseCache.Fill running = snapshot.cache().joinFill(primaryKey,
                    stored -> ctx.executor().execute(() -> afterFill(stored)));
            if (running != null) {
                waitingForFill = true;
                long wait = group.config().timeouts().responseHeader().toMillis() + 1000;
                fillWaitTimer = ctx.executor().schedule(() -> {
                    if (waitingForFill && !done && exchange == this) {
                        waitingForFill = false;
                        fetchForCache(); // the fill is too slow: fetch on our own
                    }
                }, wait, TimeUnit.MILLISECONDS);
                return;
            }
            filling = true;
            fetchForCache();
        }

        private void afterFill(CacheKey stored) {
            if (!waitingForFill || done || exchange != this) {
                return;
            }
            waitingForFill = false;
            if (fillWaitTimer != null) {
                fillWaitTimer.cancel(false);
            }
            StoredResponse found = lookupMemory(snapshot.cache());
            boolean pragmaNoCache = request.headers().contains(HttpHeaderNames.PRAGMA, "no-cache", true);
            if (found != null && cacheKey.equals(stored) && requestCacheControl == CacheControl.NONE
                    && !pragmaNoCache) {
                // The fill fetched (or revalidated) it after this request arrived: it answers the waiters whatever
                // its remaining freshness, which is what collapsing the requests means.
                serveStored(found, "HIT");
                return;
            }
            if (found != null) {
                boolean pragma = request.headers().contains(HttpHeaderNames.PRAGMA, "no-cache", true);
                Rfc9111.Use use = Rfc9111.use(found, requestCacheControl, pragma, System.currentTimeMillis());
                if (use == Rfc9111.Use.FRESH || use == Rfc9111.Use.STALE_WHILE_REVALIDATE) {
                    serveStored(found, "HIT");
                    return;
                }
                stale = found;
                revalidating = use == Rfc9111.Use.REVALIDATE;
            }
            fetchForCache(); // the fill stored nothing this request may use
        }

        private void fetchForCache() {
            storeCandidate = true;
            cacheRequestMillis = System.currentTimeMillis();
            record.cacheStatus = "MISS";
            pickAndConnect(null);
        }

        /** Starts a background refresh of this URL (one per key at a time) through the node itself. */
        private void refreshInBackground(StoredResponse found) {
            ResponseCache cache = snapshot.cache();
            if (!cache.startRefresh(cacheKey)) {
                return;
            }
            CacheKey key = cacheKey;
            // the headers that pick this variant go along, so the refresh lands on the same object
            java.util.List<Map.Entry<String, String>> vary = new java.util.ArrayList<>();
            for (String name : found.vary()) {
                String v = headerValue(name);
                if (v != null) {
                    vary.add(Map.entry(name, v));
                }
            }
            dev.aegis.cachetier.BackgroundRefresh.send(runtime.transport(), ctx.channel().eventLoop(),
                    (InetSocketAddress) ctx.channel().localAddress(), head.originForm, head.host(), vary,
                    cache.refreshToken(), () -> cache.endRefresh(key));
        }

        /** Answers from a stored object, with {@code Age} and {@code X-Cache}; 304 when the client's condition holds. */
        private void serveStored(StoredResponse obj, String status) {
            long now = System.currentTimeMillis();
            java.util.List<String> inm = head.headers("If-None-Match");
            java.util.List<String> ims = head.headers("If-Modified-Since");
            boolean notModified = (!inm.isEmpty() || !ims.isEmpty()) && Rfc9111.notModified(obj,
                    inm.isEmpty() ? null : String.join(", ", inm), ims.isEmpty() ? null : ims.get(0));
            java.util.List<Map.Entry<String, String>> headers = new java.util.ArrayList<>(obj.headers().size() + 2);
            for (Map.Entry<String, String> h : obj.headers()) {
                if (!notModified || KEPT_ON_304.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
                    headers.add(h);
                }
            }
            headers.add(Map.entry("Age", Long.toString(obj.ageMillis(now) / 1000)));
            headers.add(Map.entry("X-Cache", status));
            record.cacheStatus = status;
            respondLocal(new LocalResponse(notModified ? 304 : obj.status(), headers,
                    notModified ? NO_BYTES : obj.body(), false));
        }

        /**
         * Whether the origin's answer is replaced by a stored object: a 304 to our revalidation refreshes it and it
         * answers (REVALIDATED); a 5xx while a stale object may stand in for errors lets that answer (STALE).
         */
        private boolean absorbs(HttpResponse response) {
            if (!storeCandidate || stale == null) {
                return false;
            }
            int code = response.status().code();
            long now = System.currentTimeMillis();
            if (code == 304 && revalidating) {
                java.util.List<Map.Entry<String, String>> fresh = endToEnd(response.headers());
                if (!response.headers().contains(HttpHeaderNames.DATE)) {
                    // the 304 is the new response its age counts from (RFC 9110 §6.6.1: a recipient adds a Date)
                    fresh.add(Map.entry("Date", Rfc9111.formatDate(now)));
                }
                java.util.List<Map.Entry<String, String>> merged = Rfc9111.mergeHeaders(stale.headers(), fresh);
                String age304 = response.headers().get(HttpHeaderNames.AGE);
                if (age304 != null) {
                    merged.add(Map.entry("Age", age304)); // read by toStore for the object's age, not kept
                }
                StoredResponse refreshed = Rfc9111.toStore(stale.url(), stale.status(), merged, stale.body(),
                        cacheRequestMillis, now, cachePolicy);
                CacheControl notModifiedCc = CacheControl.parse(response.headers().getAll(HttpHeaderNames.CACHE_CONTROL));
                if (!notModifiedCc.noStore() && !notModifiedCc.isPrivate()) {
                    snapshot.cache().store(cacheKey, refreshed, Rfc9111.keepMillis(refreshed, cachePolicy));
                    storedKey = cacheKey;
                }
                absorbInto = refreshed;
                absorbStatus = "REVALIDATED";
                return true;
            }
            if (code >= 500 && Rfc9111.usableOnError(stale, cachePolicy, now)) {
                absorbInto = stale;
                absorbStatus = "STALE";
                return true;
            }
            return false;
        }


        private void absorbed(Object msg) {
            boolean last = msg instanceof LastHttpContent;
            ReferenceCountUtil.release(msg);
            if (!last) {
                return;
            }
            absorbing = false;
            cancelUpstreamTimer();
            releaseUpstream();
            endCacheWork(); // waiters find the refreshed object before this client has its answer
            serveStored(absorbInto, absorbStatus);
        }

        /** Decides whether the origin's answer is stored, and starts copying its body while it streams on. */
        private void startTee(HttpResponse response) {
            if (!storeCandidate || encoder.headRequest) {
                endCacheWork(); // waiters need not wait for a body that will not be stored
                return;
            }
            long length = HttpUtil.getContentLength(response, -1L);
            long max = snapshot.cache().config().maxObjectBytes();
            String why = Rfc9111.whyNotStorable(request.method().name(),
                    request.headers().contains(HttpHeaderNames.AUTHORIZATION), requestCacheControl,
                    response.status().code(), name -> response.headers().getAll(name), cachePolicy,
                    Math.max(0, length), max);
            if (why != null) {
                endCacheWork();
                return;
            }
            tee = new java.io.ByteArrayOutputStream(length > 0 && length < (1 << 20) ? (int) length : 4096);
            teeStatus = response.status().code();
            teeHeaders = endToEnd(response.headers());
        }

        private void teeContent(HttpContent content) {
            if (tee == null) {
                return;
            }
            io.netty.buffer.ByteBuf b = content.content();
            int n = b.readableBytes();
            if (tee.size() + (long) n > snapshot.cache().config().maxObjectBytes()
                    || !snapshot.cache().reserveCopyBudget(n)) {
                endCacheWork(); // streams through uncached (too large, or too many copies in progress)
                return;
            }
            teeReserved += n;
            try {
                b.getBytes(b.readerIndex(), tee, n);
            } catch (java.io.IOException e) {
                tee = null;
            }
        }

        /** The origin's whole body arrived: store the object (and its URL's variant marker when it varies). */
        private void storeTee() {
            if (tee == null) {
                return;
            }
            ResponseCache cache = snapshot.cache();
            long now = System.currentTimeMillis();
            String url = CacheKey.text(request.method().name(), "http", hostForCache(), head.originForm,
                    cachePolicy.ignoreParams());
            StoredResponse obj = Rfc9111.toStore(url, teeStatus, teeHeaders, tee.toByteArray(), cacheRequestMillis,
                    now, cachePolicy);
            tee = null;
            releaseTeeBudget();
            long keep = Rfc9111.keepMillis(obj, cachePolicy);
            if (obj.vary().isEmpty()) {
                cache.store(primaryKey, obj, keep);
                storedKey = primaryKey;
            } else {
                cache.store(primaryKey, StoredResponse.variantMarker(url, obj.vary(), obj.freshnessMillis(), now), keep);
                storedKey = primaryKey.withVary(obj.vary(), this::headerValue);
                cache.store(storedKey, obj, keep);
            }
        }

        /** Ends this exchange's fill, if it is one: waiters look again (or fetch themselves). */
        private void endCacheWork() {
            if (filling) {
                filling = false;
                snapshot.cache().endFill(primaryKey, storedKey);
            }
            if (fillWaitTimer != null) {
                fillWaitTimer.cancel(false);
            }
            waitingForFill = false;
            tee = null;
            releaseTeeBudget();
        }

        private void releaseTeeBudget() {
            if (teeReserved > 0) {
                snapshot.cache().releaseCopyBudget(teeReserved);
                teeReserved = 0;
            }
        }

        /** After the answer to an unsafe method: the URL's stored object goes (its variants with its marker). */
        private void invalidateAfterUnsafe() {
            if (!invalidates || snapshot.cache() == null || record.status < 200 || record.status >= 400) {
                return;
            }
            invalidates = false;
            snapshot.cache().invalidate(CacheKey.of("GET", "http", hostForCache(), head.originForm,
                    cachePolicy.ignoreParams()), CacheKey.text("GET", "http", hostForCache(), head.originForm,
                    cachePolicy.ignoreParams()));
        }

        /**
         * Picks the next server and starts an attempt. {@code lastError} is the failure of the previous attempt,
         * reported if no other server is left. (An attempt starts clean: an answer the last one was absorbing is
         * gone with it.)
         */
        private void pickAndConnect(ProxyError lastError) {
            absorbing = false;
            absorbInto = null;
            ServerState next = group.pick(System.nanoTime(), hashValue(), triedMask);
            if (next == null) {
                // All servers down, ejected or tried: answer now, never wait on a connect timeout.
                fail(lastError != null ? lastError : new ProxyError.NoHealthyUpstream(group.name()));
                return;
            }
            if (next.index < 64) {
                triedMask |= 1L << next.index;
            }
            serverState = next;
            connect(next.server);
        }

        private CharSequence hashValue() {
            return switch (group.hashKey().source()) {
                case CLIENT_IP -> record.clientIp;
                case PATH -> head.path();
                case HEADER -> head.header(group.hashKey().header());
            };
        }

        /**
         * After a failed attempt before any response: another server, if {@code retries} allows and the request can
         * be sent again whole (no body byte has left us; the rule: idempotent, or no body byte sent).
         */
        private void retryOrFail(ProxyError error) {
            endAttempt();
            // RFC 9110 §9.2.2: once a non-idempotent request has reached a server it is never sent again; before
            // that (a connect failure) nothing happened anywhere and any method may go to another server.
            boolean replayable = !bodyBytesSent && (isIdempotent() || !headSent);
            if (!responseStarted && replayable && record.attempts <= group.config().retries()
                    && !localResponse && !done) {
                pickAndConnect(error);
            } else {
                fail(error);
            }
        }

        /** A failed attempt counts against the server's passive health. */
        private void passiveFailure() {
            if (serverState != null && group.recordFailure(serverState, System.nanoTime())) {
                LOG.warn("upstream {} server {} ejected for {} after {} failures in a row", group.name(),
                        serverState.server.key(), group.config().passive().cooldown().toMillis() + "ms",
                        group.config().passive().failures());
            }
        }

        private void endAttempt() {
            if (countedInFlight) {
                countedInFlight = false;
                serverState.requestFinished();
            }
        }

        // ---- client side --------------------------------------------------------------------------------

        void onRequestContent(HttpContent content) {
            record.bytesIn += content.content().readableBytes();
            lastUpstreamActivityNanos = System.nanoTime();
            boolean last = content instanceof LastHttpContent;
            if (last) {
                requestComplete = true;
            }
            if (!hasBody || localResponse || done || responseComplete) {
                // No body to forward (the full request went upstream already), or answered already: drop it.
                content.release();
                return;
            }
            if (upstream == null || !pending.isEmpty()) {
                pending.add(content);
                pendingBytes += content.content().readableBytes();
                if (awaitingBodyInspection) {
                    // Held until complete or one byte past the limit, so that "longer than body_limit" is known.
                    long limit = snapshot.config().waf().bodyLimitBytes();
                    if (pendingBytes > limit && blockBodyOverLimit) {
                        bodyOverLimit();
                    } else if (requestComplete || pendingBytes > limit) {
                        inspectBody();
                    } else if (pending.size() >= MAX_INSPECTED_PIECES) {
                        coalescePending();
                    }
                }
                return;
            }
            writeUpstream(content);
        }

        private void writeUpstream(HttpContent content) {
            boolean last = content instanceof LastHttpContent;
            if (content.content().isReadable()) {
                bodyBytesSent = true;
            }
            if (last) {
                // Netty's encoder writes chunked framing (or nothing) for what we hand it; drop trailers.
                content = content.content().isReadable()
                        ? new io.netty.handler.codec.http.DefaultLastHttpContent(content.content(), false)
                        : LastHttpContent.EMPTY_LAST_CONTENT;
            }
            upstream.write(content).addListener(writeFailure);
            upstreamNeedsFlush = true;
            if (last) {
                requestSent = true;
                upstream.flush();
                upstreamNeedsFlush = false;
                requestSentNanos = System.nanoTime();
                armUpstreamTimer();
            }
        }

        void onClientReadComplete() {
            if (upstream != null && upstreamNeedsFlush) {
                upstreamNeedsFlush = false;
                upstream.flush();
            }
            maybeReadClient();
        }

        private void maybeReadClient() {
            if (requestComplete || done) {
                return; // the decoder is paused; the next read happens with the next request
            }
            if (localResponse || responseComplete) {
                ctx.read(); // draining a body we answered already
            } else if (upstream == null) {
                // While the WAF waits for the body, up to waf.body_limit is held (a byte more tells that the body is
                // longer; too many pieces are merged); else one connect's worth.
                if (awaitingBodyInspection ? pendingBytes <= snapshot.config().waf().bodyLimitBytes()
                        : pendingBytes < MAX_PENDING_BYTES && pending.size() < MAX_PENDING_CONTENT) {
                    ctx.read();
                }
            } else if (upstream.isWritable()) {
                ctx.read();
            }
        }

        void onUpstreamWritable() {
            if (!requestComplete && !done) {
                if (upstreamNeedsFlush) {
                    upstreamNeedsFlush = false;
                    upstream.flush();
                }
                ctx.read();
            }
        }

        void onClientWritable() {
            // Time spent waiting for a slow client is not the origin's idleness.
            lastUpstreamActivityNanos = System.nanoTime();
            if (responseStarted && !responseComplete && upstream != null) {
                upstream.read();
            }
        }

        void onClientClosed() {
            if (done) {
                return;
            }
            record.clientAborted = true;
            releasePending();
            if (upstream != null) {
                Channel u = upstream;
                detachUpstream();
                u.close(); // mid-exchange: the connection's state is unknown, it cannot be pooled
            }
            finish(false, false);
        }

        // ---- upstream side ------------------------------------------------------------------------------

        private void connect(UpstreamServer target) {
            server = target;
            record.upstreamServer = target.key();
            // a retry's timings are its own: the metrics observe the last attempt under its server
            record.upstreamConnectNanos = 0;
            record.upstreamHeaderNanos = 0;
            attemptStartNanos = System.nanoTime();
            if (serverState != null && !countedInFlight) {
                countedInFlight = true;
                serverState.requestStarted();
            }
            UpstreamConfig cfg = group.config();
            Channel pooled = ConnectionPool.current().acquire(target, cfg.pool().idleTimeout().toNanos());
            if (pooled != null) {
                reusedConnection = true;
                record.upstreamConnectNanos = 0;
                attach(pooled);
                return;
            }
            reusedConnection = false;
            headSent = false;
            Bootstrap b = new Bootstrap()
                    .group(ctx.channel().eventLoop())
                    .channel(runtime.transport().clientChannel())
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, cfg.timeouts().connect().toMillis()))
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            // Closes the connection once it has idled in the pool for pool.idle_timeout. Reads
                            // alone are watched: a pooled connection's last act is reading a response, and
                            // watching writes too would add a listener to every request written upstream.
                            ch.pipeline().addLast("idle", new io.netty.handler.timeout.IdleStateHandler(
                                    cfg.pool().idleTimeout().toNanos(), 0, 0, TimeUnit.NANOSECONDS));
                            ch.pipeline().addLast("codec", new HttpClientCodec(4096, 64 * 1024, 16 * 1024));
                            ch.pipeline().addLast("upstream", new UpstreamHandler(target));
                        }
                    });
            b.connect(target.address()).addListener((ChannelFuture f) -> {
                try {
                    connected(target, f);
                } catch (Throwable t) {
                    f.channel().close(); // the new connection may not have been attached yet
                    internalFailure("handling the connection to " + target.key(), t);
                }
            });
        }

        private void connected(UpstreamServer target, ChannelFuture f) {
            if (f.isSuccess()) {
                runtime.metrics().upstreamConnectionOpened();
                f.channel().closeFuture().addListener(runtime.metrics().upstreamClosed());
            }
            if (done) {
                f.channel().close();
                return;
            }
            if (f.isSuccess()) {
                record.upstreamConnectNanos = System.nanoTime() - attemptStartNanos;
                attach(f.channel());
            } else {
                Throwable cause = f.cause();
                ProxyError error = cause instanceof ConnectTimeoutException
                        ? new ProxyError.UpstreamConnectTimeout(target.key())
                        : new ProxyError.UpstreamConnectFailed(target.key(), describe(cause));
                record.recordAttempt(target.key(), cause instanceof ConnectTimeoutException
                        ? "connect-timeout" : "connect-failed");
                passiveFailure();
                // Nothing reached an origin, so another server may always be tried.
                retryOrFail(error);
            }
        }

        /**
         * A bug met inside a Netty listener or timer task: Netty would only log it, leaving the client waiting for
         * an answer that no handler or timer would give. The exchange ends here with a 500 (or a cut connection
         * when the response had started), and the upstream connection, whose state is unknown, is closed.
         */
        private void internalFailure(String where, Throwable t) {
            LOG.error("unexpected error while {}", where, t);
            Channel u = upstream;
            detachUpstream();
            if (u != null) {
                u.close();
            }
            if (!done) {
                fail(new ProxyError.Internal(where + ": " + t));
            } else if (exchange == this) {
                ctx.close(); // failed while finishing: the connection would never move on to its next request
            }
        }

        private void attach(Channel ch) {
            upstream = ch;
            upstreamHandler = (UpstreamHandler) ch.pipeline().get("upstream");
            upstreamHandler.exchange = this;
            upstreamHandler.uses++;
            lastUpstreamActivityNanos = System.nanoTime();
            headSent = true;
            ch.write(upstreamRequest()).addListener(writeFailure);
            upstreamNeedsFlush = true;
            if (!hasBody) {
                requestSent = true;
                requestSentNanos = System.nanoTime();
                ch.flush();
                upstreamNeedsFlush = false;
                armUpstreamTimer();
                drainPendingWithoutBody();
            } else {
                HttpContent c;
                while ((c = pending.poll()) != null) {
                    writeUpstream(c);
                }
                pendingBytes = 0;
                if (!requestSent) {
                    armUpstreamTimer(); // the idle timeout also covers a body that stops flowing
                }
                if (upstreamNeedsFlush) {
                    ch.flush();
                    upstreamNeedsFlush = false;
                }
                maybeReadClient();
            }
            ch.read();
        }

        private void drainPendingWithoutBody() {
            // A request without a body only ever has the empty last content here.
            HttpContent c;
            while ((c = pending.poll()) != null) {
                c.release();
            }
        }

        private HttpRequest upstreamRequest() {
            HttpHeaders in = request.headers();
            HttpHeaders out = io.netty.handler.codec.http.DefaultHttpHeadersFactory.headersFactory()
                    .withValidation(false).newHeaders();
            copyEndToEnd(in, out);
            out.remove(HttpHeaderNames.EXPECT);
            // Always the host the node routed on; an HTTP/1.0 request without one gets the server's authority.
            out.set(HttpHeaderNames.HOST, head.host() != null ? head.host() : server.key());
            // Framing is set from what the parser decided, never from copied fields.
            out.remove(HttpHeaderNames.CONTENT_LENGTH);
            if (HttpUtil.isTransferEncodingChunked(request)) {
                out.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            } else if (request.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
                out.set(HttpHeaderNames.CONTENT_LENGTH, request.headers().get(HttpHeaderNames.CONTENT_LENGTH));
            }
            // X-Forwarded-For: append the peer, as every hop does; the client IP phase reads it right to left.
            java.util.List<String> xffLines = in.getAll(X_FORWARDED_FOR);
            String xff = xffLines.isEmpty() ? null : xffLines.size() == 1 ? xffLines.get(0) : String.join(", ", xffLines);
            out.set(X_FORWARDED_FOR, xff == null || xff.isEmpty() ? peerAddress : xff + ", " + peerAddress);
            boolean trustedPeer = record.peerTrusted;
            if (!trustedPeer || !in.contains(X_FORWARDED_PROTO)) {
                out.set(X_FORWARDED_PROTO, "http");
            }
            if (!trustedPeer || !in.contains(X_FORWARDED_HOST)) {
                if (head.host() != null) {
                    out.set(X_FORWARDED_HOST, head.host());
                }
            }
            String viaIn = in.get(HttpHeaderNames.VIA);
            String viaOwn = (request.protocolVersion() == HttpVersion.HTTP_1_0 ? "1.0 " : "1.1 ") + via;
            out.set(HttpHeaderNames.VIA, viaIn == null ? viaOwn : viaIn + ", " + viaOwn);
            out.set(X_REQUEST_ID, record.requestId);
            out.remove(REFRESH_HEADER);
            if (storeCandidate) {
                // The node answers the client's conditions itself from what it stores; towards the origin it asks
                // with its own validators only, so the answer is one it can store.
                out.remove(HttpHeaderNames.IF_NONE_MATCH);
                out.remove(HttpHeaderNames.IF_MODIFIED_SINCE);
                out.remove(HttpHeaderNames.IF_MATCH);
                out.remove(HttpHeaderNames.IF_UNMODIFIED_SINCE);
                out.remove(HttpHeaderNames.IF_RANGE);
                out.remove(HttpHeaderNames.RANGE); // the whole object is fetched; a range would be stored as it
                if (revalidating && stale != null) {
                    if (stale.etag() != null) {
                        out.set(HttpHeaderNames.IF_NONE_MATCH, stale.etag());
                    }
                    if (stale.lastModified() != null) {
                        out.set(HttpHeaderNames.IF_MODIFIED_SINCE, stale.lastModified());
                    }
                }
            }
            if (!hasBody) {
                // A complete message, so the encoder is ready for the next request on this connection.
                String target = storeCandidate ? CacheKey.withoutIgnored(head.originForm, cachePolicy.ignoreParams())
                        : head.originForm; // a fill asks the origin for exactly what its key stands for
                return new io.netty.handler.codec.http.DefaultFullHttpRequest(HttpVersion.HTTP_1_1, request.method(),
                        target, Unpooled.EMPTY_BUFFER, out,
                        io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
            }
            return new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), head.originForm, out);
        }

        void onUpstreamMessage(Object msg) {
            lastUpstreamActivityNanos = System.nanoTime();
            if (done) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpResponse response) {
                if (response.decoderResult().isFailure()) {
                    ReferenceCountUtil.release(msg);
                    upstreamBroken("unparseable response: " + describe(response.decoderResult().cause()));
                    return;
                }
                int code = response.status().code();
                if (code >= 100 && code < 200) {
                    // Interim responses (we sent no Expect upstream); 101 cannot happen as Upgrade is removed.
                    ReferenceCountUtil.release(msg);
                    return;
                }
                if (absorbs(response)) {
                    absorbing = true;
                    keepAliveUpstream = HttpUtil.isKeepAlive(response);
                    record.recordAttempt(server.key(), "ok");
                    record.upstreamHeaderNanos = System.nanoTime() - (requestSent ? requestSentNanos : attemptStartNanos);
                    absorbed(msg);
                    return;
                }
                onResponseHead(response);
                if (msg instanceof HttpContent c) { // a full response
                    onResponseContent(c);
                }
            } else if (msg instanceof HttpContent content) {
                if (absorbing) {
                    absorbed(content);
                    return;
                }
                if (!responseStarted) {
                    content.release();
                    return;
                }
                if (content.decoderResult().isFailure()) {
                    content.release();
                    upstreamBroken("unparseable response body: " + describe(content.decoderResult().cause()));
                    return;
                }
                onResponseContent(content);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        private void onResponseHead(HttpResponse response) {
            responseStarted = true;
            // An origin may answer before the whole request is sent (an echo, an early error): count from the
            // start of the attempt then.
            record.upstreamHeaderNanos = System.nanoTime() - (requestSent ? requestSentNanos : attemptStartNanos);
            record.status = response.status().code();
            invalidateAfterUnsafe(); // before the client sees the answer: its next GET must not find the old object
            record.recordAttempt(server.key(), "ok");
            if (serverState != null) {
                serverState.recordSuccess();
            }
            keepAliveUpstream = HttpUtil.isKeepAlive(response);
            int code = response.status().code();
            boolean bodiless = encoder.headRequest || code == 204 || code == 304;
            boolean upstreamChunked = HttpUtil.isTransferEncodingChunked(response);
            String viaIn = response.headers().get(HttpHeaderNames.VIA);
            if (record.cacheStatus != null) {
                startTee(response); // reads the origin's own fields: before they become the client's
            }
            // The response's fields become the client's in place (hop-by-hop ones and those Connection names
            // removed): a copy into new headers was, with its hash table, a fifth of the node's allocation.
            HttpHeaders out = response.headers();
            stripHopByHop(out);
            boolean hasLength = out.contains(HttpHeaderNames.CONTENT_LENGTH);
            // Framing towards the client (RFC 9112 §6): keep a length, else chunk for 1.1, else close-delimit.
            // A body still arriving (an echo, an early answer) does not rule out keep-alive yet: that is
            // decided when the response ends, and a connection closed then needs no Connection: close.
            keepAliveClient = keepAliveClient && !closing && !runtime.draining();
            if (!hasLength && !bodiless) {
                if (request.protocolVersion() == HttpVersion.HTTP_1_1) {
                    out.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                } else {
                    keepAliveClient = false;
                }
            } else if (!hasLength && encoder.headRequest && upstreamChunked) {
                out.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
            String viaOwn = "1.1 " + via;
            out.set(HttpHeaderNames.VIA, viaIn == null ? viaOwn : viaIn + ", " + viaOwn);
            if (!out.contains(X_REQUEST_ID)) {
                out.set(X_REQUEST_ID, record.requestId);
            }
            if (record.cacheStatus != null) {
                out.set(X_CACHE, record.cacheStatus);
            }
            setConnection(out);
            cancelUpstreamTimer();
            armUpstreamTimer(); // now the idle timeout of the body
            // No future is needed (a failed write closes the connection through exceptionCaught): the void
            // promise spares an allocation per write, which a profile showed as the largest share of the node's.
            ctx.write(new DefaultHttpResponse(request.protocolVersion(), response.status(), out), ctx.voidPromise());
        }

        private void setConnection(HttpHeaders out) {
            if (!keepAliveClient) {
                out.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            } else if (request.protocolVersion() == HttpVersion.HTTP_1_0) {
                out.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
        }

        private void onResponseContent(HttpContent content) {
            record.bytesOut += content.content().readableBytes();
            teeContent(content);
            if (content instanceof LastHttpContent) {
                responseComplete = true;
                storeTee();
                endCacheWork(); // before the client has the answer: its next request must find the object, not the fill
                cancelUpstreamTimer();
                HttpContent last = content.content().isReadable()
                        ? new io.netty.handler.codec.http.DefaultLastHttpContent(content.content(), false)
                        : LastHttpContent.EMPTY_LAST_CONTENT;
                if (!content.content().isReadable()) {
                    content.release();
                }
                boolean keep = keepAliveClient && requestComplete;
                if (keep) {
                    ctx.writeAndFlush(last, ctx.voidPromise());
                } else {
                    ctx.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
                }
                releaseUpstream();
                finish(true, keep);
            } else {
                ctx.write(content, ctx.voidPromise());
            }
        }

        void onUpstreamReadComplete() {
            if (done) {
                return;
            }
            ctx.flush();
            // Until the response head arrives nothing is written to the client, so reading cannot overrun it.
            if (!responseComplete && upstream != null && (!responseStarted || ctx.channel().isWritable())) {
                upstream.read();
            }
        }

        void onUpstreamClosed(Throwable cause) {
            if (done || upstream == null) {
                return;
            }
            if (!responseStarted) {
                // A pooled connection the origin had just closed: replaying is safe when nothing of the request
                // body left us (the origin cannot have acted on a request it never fully got).
                if (reusedConnection && !bodyBytesSent && freshRetries == 0 && isIdempotent()) {
                    freshRetries++;
                    Channel u = upstream;
                    detachUpstream();
                    u.close();
                    connectFresh();
                    return;
                }
                upstreamBroken(cause == null ? "connection closed before a response" : describe(cause));
            } else {
                // Mid-body: the client has a partial response; all we can do is cut it too.
                record.error = new ProxyError.UpstreamBroken(server.key(),
                        "connection closed mid-response" + (cause == null ? "" : ": " + describe(cause)));
                Channel u = upstream;
                detachUpstream();
                u.close();
                ctx.flush();
                ctx.close();
                finish(false, false);
            }
        }

        /** RFC 9110 §9.2.2: only these may be sent again without the client asking. */
        private boolean isIdempotent() {
            HttpMethod m = request.method();
            return m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD) || m.equals(HttpMethod.OPTIONS)
                    || m.equals(HttpMethod.TRACE) || m.equals(HttpMethod.PUT) || m.equals(HttpMethod.DELETE);
        }

        private void connectFresh() {
            // A fresh connection to the same server; the pool is skipped because its entries may be stale too.
            UpstreamServer target = server;
            ConnectionPool pool = ConnectionPool.current();
            Channel c;
            while ((c = pool.acquire(target, 0)) != null) {
                c.close();
            }
            connect(target);
        }

        private void upstreamBroken(String why) {
            record.recordAttempt(server.key(), "broken");
            Channel u = upstream;
            detachUpstream();
            if (u != null) {
                u.close();
            }
            passiveFailure();
            retryOrFail(new ProxyError.UpstreamBroken(server.key(), why));
        }

        /**
         * One deadline per exchange, moved for the phase it is in: while the request body streams, and while the
         * response body streams, {@code timeouts.idle} without progress; between the end of the request and the
         * response head, {@code timeouts.response_header}. The connection's timer ({@link #setUpstreamDeadline})
         * calls {@link #checkUpstreamTimer} once it has passed.
         */
        private void armUpstreamTimer() {
            if (done) {
                cancelUpstreamTimer();
                return;
            }
            setUpstreamDeadline(this, currentSince() + currentLimitNanos());
        }

        private long currentLimitNanos() {
            UpstreamConfig.TimeoutsConfig t = group.config().timeouts();
            return (requestSent && !responseStarted ? t.responseHeader() : t.idle()).toNanos();
        }

        private long currentSince() {
            return requestSent && !responseStarted ? requestSentNanos : lastUpstreamActivityNanos;
        }

        private void cancelUpstreamTimer() {
            if (upstreamDeadlineOwner == this) {
                upstreamDeadline = 0; // the scheduled check, if any, finds nothing to do
                upstreamDeadlineOwner = null;
            }
        }

        private void checkUpstreamTimer() {
            if (awaitingBodyInspection && !done) {
                if (System.nanoTime() - lastUpstreamActivityNanos >= group.config().timeouts().idle().toNanos()) {
                    awaitingBodyInspection = false;
                    fail(new ProxyError.BadRequest(408, "the request body did not arrive in time"));
                } else {
                    armUpstreamTimer();
                }
                return;
            }
            if (done || responseComplete || upstream == null) {
                return;
            }
            if (System.nanoTime() - currentSince() < currentLimitNanos()) {
                armUpstreamTimer(); // there was progress since the timer was set
                return;
            }
            Channel u = upstream;
            if (!requestSent && !responseStarted) {
                // The request body stopped flowing: the client stalled (the origin can take more) or the origin
                // stopped reading it.
                boolean clientStalled = u.isWritable();
                record.recordAttempt(server.key(), clientStalled ? "client-body-timeout" : "body-write-timeout");
                detachUpstream();
                u.close();
                fail(clientStalled ? new ProxyError.BadRequest(408, "the request body did not arrive in time")
                        : new ProxyError.UpstreamTimeout(server.key(), "request body write"));
            } else if (!responseStarted) {
                record.recordAttempt(server.key(), "header-timeout");
                detachUpstream();
                u.close();
                passiveFailure();
                // Not retried: the origin may be acting on the request right now.
                fail(new ProxyError.UpstreamTimeout(server.key(), "response header"));
            } else {
                // Mid-response: the status is out already, so the only signal left is cutting the connection.
                record.error = new ProxyError.UpstreamTimeout(server.key(), "idle");
                detachUpstream();
                u.close();
                ctx.flush();
                ctx.close();
                finish(false, false);
            }
        }

        private void detachUpstream() {
            cancelUpstreamTimer();
            if (upstreamHandler != null) {
                upstreamHandler.exchange = null;
            }
            upstream = null;
            upstreamHandler = null;
        }

        private void releaseUpstream() {
            Channel u = upstream;
            UpstreamHandler h = upstreamHandler;
            detachUpstream();
            if (u == null) {
                return;
            }
            if (keepAliveUpstream && requestSent && u.isActive()) {
                ConnectionPool.current().release(h.server, u, group.config().pool().maxIdlePerLoop());
            } else {
                u.close();
            }
        }

        // ---- local answers and the end ------------------------------------------------------------------

        void fail(ProxyError error) {
            record.error = error;
            if (error.source() == ProxyError.Source.UPSTREAM && stale != null && !responseStarted
                    && Rfc9111.usableOnError(stale, cachePolicy, System.currentTimeMillis())) {
                serveStored(stale, "STALE"); // the origin failed; a stale object within its window answers
                return;
            }
            respondLocal(error.toResponse(record.requestId == null ? newRequestId() : record.requestId));
        }

        private void respondLocal(LocalResponse response) {
            localResponse = true;
            releasePending();
            if (responseStarted) {
                ctx.close(); // cannot answer twice
                finish(false, false);
                return;
            }
            responseStarted = true;
            responseComplete = true;
            record.status = response.status();
            record.bytesOut = response.body().length;
            // The connection survives only when the request was read completely and framing was sound.
            boolean keep = keepAliveClient && !response.closeConnection() && requestComplete && !closing
                    && !runtime.draining();
            encoder.headRequest = request != null && request.method().equals(HttpMethod.HEAD);
            DefaultFullHttpResponse out = new DefaultFullHttpResponse(
                    request == null ? HttpVersion.HTTP_1_1 : request.protocolVersion(),
                    HttpResponseStatus.valueOf(response.status()),
                    Unpooled.wrappedBuffer(response.body()));
            HttpHeaders h = out.headers();
            for (Map.Entry<String, String> e : response.headers()) {
                h.add(e.getKey(), e.getValue());
            }
            if (response.status() != 304) {
                // a 304 carries no length of its own (RFC 9110 §8.6: it would be the 200's, or none)
                h.set(HttpHeaderNames.CONTENT_LENGTH, response.body().length);
            }
            h.set(X_REQUEST_ID, record.requestId);
            keepAliveClient = keep;
            setConnection(h);
            ChannelFuture f = ctx.writeAndFlush(out);
            if (!keep && (requestComplete || done)) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
            // Else a body is still arriving: finish() has exchangeDone close after a linger, since closing with
            // unread input now would send a reset that can destroy this answer in flight.
            finish(true, keep);
        }

        private void releasePending() {
            HttpContent c;
            while ((c = pending.poll()) != null) {
                c.release();
            }
        }

        private void finish(boolean completed, boolean keepAlive) {
            if (done) {
                return;
            }
            done = true;
            cancelUpstreamTimer();
            endAttempt();
            endCacheWork();
            invalidateAfterUnsafe();
            record.totalNanos = System.nanoTime() - record.startNanos;
            runtime.metrics().record(record);
            runtime.accessLog().log(record);
            // Every request the WAF matched on (a custom `log` rule scores 0 but is there to be logged), and
            // every one whose body it could not read whole.
            if (!record.wafMatches.isEmpty() || record.wafBodyTruncated) {
                runtime.auditLog().log(record);
            }
            if (record.error instanceof ProxyError.Blocked && snapshot != null && snapshot.autoBan() != null) {
                String ip = record.clientIp != null ? record.clientIp : record.peerAddress;
                if (snapshot.autoBan().blocked(ip)) {
                    snapshot.cluster().publishSoon(); // every node should refuse it at once, not at the next tick
                }
            }
            if (completed) {
                exchangeDone(keepAlive, requestComplete);
            } else {
                exchange = null;
            }
        }
    }

    /** The end-to-end fields of {@code headers} (hop-by-hop ones and those Connection names left out), in order. */
    static java.util.List<Map.Entry<String, String>> endToEnd(HttpHeaders headers) {
        HttpHeaders e2e = io.netty.handler.codec.http.DefaultHttpHeadersFactory.headersFactory()
                .withValidation(false).newHeaders();
        copyEndToEnd(headers, e2e);
        return headerList(e2e);
    }

    /** The fields of {@code headers} in order, as a list. */
    static java.util.List<Map.Entry<String, String>> headerList(HttpHeaders headers) {
        java.util.List<Map.Entry<String, String>> out = new java.util.ArrayList<>(headers.size());
        for (Map.Entry<String, String> e : headers) {
            out.add(Map.entry(e.getKey(), e.getValue()));
        }
        return out;
    }

    /** Copies the end-to-end headers: all but hop-by-hop ones (RFC 9110 §7.6.1) and those Connection names. */
    static void copyEndToEnd(HttpHeaders in, HttpHeaders out) {
        String[] named = connectionOptions(in);
        for (java.util.Iterator<Map.Entry<CharSequence, CharSequence>> it = in.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            CharSequence name = e.getKey();
            if (isHopByHop(name) || namedByConnection(name, named)) {
                continue;
            }
            out.add(name, e.getValue());
        }
    }

    /** Removes, in place, the hop-by-hop fields of {@code h} and those its Connection names (as copyEndToEnd skips). */
    static void stripHopByHop(HttpHeaders h) {
        String[] named = connectionOptions(h);
        java.util.List<CharSequence> drop = null;
        for (java.util.Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence(); it.hasNext(); ) {
            CharSequence name = it.next().getKey();
            if (isHopByHop(name) || namedByConnection(name, named)) {
                if (drop == null) {
                    drop = new java.util.ArrayList<>(2);
                }
                drop.add(name);
            }
        }
        if (drop != null) {
            for (CharSequence name : drop) {
                h.remove(name);
            }
        }
    }

    private static final String[] NO_OPTIONS = new String[0];

    private static String[] connectionOptions(HttpHeaders in) {
        java.util.List<String> values = in.getAll(HttpHeaderNames.CONNECTION);
        if (values.isEmpty()) {
            return NO_OPTIONS;
        }
        java.util.List<String> tokens = new java.util.ArrayList<>(2);
        for (String value : values) {
            for (String token : value.split(",")) {
                String t = token.trim();
                // Framing and routing fields are never dropped because Connection names them: removing
                // Content-Length that way would turn a body into a smuggled request (RFC 9110 §7.6.1 lets a proxy
                // ignore such options).
                if (!t.isEmpty() && !t.equalsIgnoreCase("close") && !t.equalsIgnoreCase("keep-alive")
                        && !t.equalsIgnoreCase("content-length") && !t.equalsIgnoreCase("transfer-encoding")
                        && !t.equalsIgnoreCase("host")) {
                    tokens.add(t);
                }
            }
        }
        return tokens.toArray(NO_OPTIONS);
    }

    private static boolean isHopByHop(CharSequence name) {
        return AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONNECTION)
                || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.KEEP_ALIVE)
                || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TE)
                || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TRAILER)
                || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TRANSFER_ENCODING)
                || AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.UPGRADE)
                || (name.length() > 6 && AsciiString.regionMatches(name, true, 0, "proxy-", 0, 6));
    }

    private static boolean namedByConnection(CharSequence name, String[] options) {
        for (String option : options) {
            if (AsciiString.contentEqualsIgnoreCase(name, option)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable t) {
        if (t == null) {
            return "unknown";
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }
}
