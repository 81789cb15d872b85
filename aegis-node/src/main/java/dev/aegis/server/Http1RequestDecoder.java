package dev.aegis.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;

/**
 * A strict HTTP/1.1 request parser (RFC 9112) for the downstream side of the proxy. It emits Netty's
 * {@link io.netty.handler.codec.http.HttpRequest}, {@link io.netty.handler.codec.http.HttpContent} and
 * {@link LastHttpContent}, or one {@link RequestRejected} after which it reads nothing more.
 *
 * <p>Why not Netty's {@code HttpRequestDecoder}: a proxy must refuse every message whose framing two parsers
 * could read differently (request smuggling), and Netty's decoder is lenient by design (it unfolds obs-fold,
 * accepts bare LF, drops Content-Length when Transfer-Encoding is present). This one refuses:
 * <ul>
 *   <li>bare CR or LF as line ends, obs-fold (§5.2), whitespace between a field name and its colon (§5.1),
 *       control characters in names, values or the target;</li>
 *   <li>Content-Length together with Transfer-Encoding, differing Content-Lengths, non-decimal lengths
 *       (§6.3);</li>
 *   <li>any Transfer-Encoding but a single {@code chunked} (501 for unknown codings, 400 with HTTP/1.0);</li>
 *   <li>bad chunk sizes, chunk data not followed by CRLF, malformed chunk extensions (§7.1);</li>
 *   <li>a missing or repeated Host in HTTP/1.1 (§3.2), versions other than 1.0/1.1 (505).</li>
 * </ul>
 * Limits: target longer than {@code maxUriBytes} is 414, a head larger than {@code maxHeaderBytes} is 431, a
 * body larger than {@code maxBodyBytes} is 413.
 *
 * <p>Pipelining: after a complete request the decoder pauses and keeps the following bytes until
 * {@link #resume(ChannelHandlerContext)}, so requests are handled strictly one at a time and answered in order.
 * Reads are requested by the proxy handler (auto-read is off), so a paused decoder buffers at most one read.
 *
 * <p>Buffers: content it emits is a retained slice the receiver must release.
 */
public final class Http1RequestDecoder extends ChannelInboundHandlerAdapter {

    private static final int MAX_FIELDS = 128;
    private static final int MAX_CHUNK_LINE = 4096;
    private static final int MAX_LEADING_EMPTY_LINES = 4;
    private static final int BARE_LF = -2;

    private enum State { HEAD, FIXED_BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILERS, REJECTED }

    private final int maxUriBytes;
    private final int maxHeaderBytes;
    private final long maxBodyBytes;

    private ChannelHandlerContext ctx;
    private ByteBuf cumulation;
    private State state = State.HEAD;
    private boolean paused;
    private boolean decoding;
    /** Where the search for the end of the head resumes, relative to the reader index. */
    private int headScanFrom;
    private long remaining;
    private long bodySeen;
    private int trailerBytes;

    public Http1RequestDecoder(int maxUriBytes, int maxHeaderBytes, long maxBodyBytes) {
        this.maxUriBytes = maxUriBytes;
        this.maxHeaderBytes = maxHeaderBytes;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Whether bytes not decoded yet are buffered (a pipelined request, or a head in progress). */
    public boolean hasBufferedBytes() {
        return cumulation != null && cumulation.isReadable();
    }

    /** Whether bytes of a request that has not been emitted yet are buffered (a head in progress). */
    public boolean hasPartialRequest() {
        return state == State.HEAD && cumulation != null && cumulation.isReadable();
    }

    /** Starts decoding the next pipelined request, if its bytes are already here. Event loop only. */
    public void resume() {
        if (!paused) {
            return;
        }
        paused = false;
        if (ctx != null) {
            decode(ctx); // from this handler's context, so the request reaches the handlers after it
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (state == State.REJECTED) {
            in.release();
            return;
        }
        if (cumulation == null) {
            cumulation = in;
        } else {
            cumulation = ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
        }
        decode(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseCumulation();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseCumulation();
        ctx.fireChannelInactive();
    }

    private void releaseCumulation() {
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
    }

    private void decode(ChannelHandlerContext ctx) {
        if (decoding) {
            return; // re-entered from a handler further down; the outer loop continues
        }
        decoding = true;
        try {
            while (!paused && state != State.REJECTED && cumulation != null && !ctx.isRemoved()) {
                if (!step(ctx)) {
                    break;
                }
            }
            if (cumulation != null && !cumulation.isReadable()) {
                cumulation.release();
                cumulation = null;
            } else if (cumulation != null && cumulation.refCnt() == 1 && cumulation.readerIndex() > 8192) {
                // Compacting moves bytes: only when no body slice we emitted still points into the buffer.
                cumulation.discardSomeReadBytes();
            }
        } finally {
            decoding = false;
        }
    }

    /** One decoding step; false when more bytes are needed. */
    private boolean step(ChannelHandlerContext ctx) {
        ByteBuf buf = cumulation;
        switch (state) {
            case HEAD:
                return decodeHead(ctx, buf);
            case FIXED_BODY: {
                int n = (int) Math.min(remaining, buf.readableBytes());
                if (n == 0) {
                    return false;
                }
                ByteBuf slice = buf.readRetainedSlice(n);
                remaining -= n;
                if (remaining == 0) {
                    endOfMessage();
                    ctx.fireChannelRead(new io.netty.handler.codec.http.DefaultLastHttpContent(slice, false));
                } else {
                    ctx.fireChannelRead(new DefaultHttpContent(slice));
                }
                return true;
            }
            case CHUNK_SIZE:
                return decodeChunkSize(ctx, buf);
            case CHUNK_DATA: {
                int n = (int) Math.min(remaining, buf.readableBytes());
                if (n == 0) {
                    return false;
                }
                remaining -= n;
                if (remaining == 0) {
                    state = State.CHUNK_DATA_END;
                }
                ctx.fireChannelRead(new DefaultHttpContent(buf.readRetainedSlice(n)));
                return true;
            }
            case CHUNK_DATA_END: {
                if (buf.readableBytes() < 2) {
                    return false;
                }
                if (buf.getByte(buf.readerIndex()) != '\r' || buf.getByte(buf.readerIndex() + 1) != '\n') {
                    return reject(ctx, 400, "chunk data not followed by CRLF");
                }
                buf.skipBytes(2);
                state = State.CHUNK_SIZE;
                return true;
            }
            case TRAILERS:
                return decodeTrailers(ctx, buf);
            default:
                return false;
        }
    }

    private void endOfMessage() {
        state = State.HEAD;
        paused = true;
        headScanFrom = 0;
    }

    private boolean reject(ChannelHandlerContext ctx, int status, String reason) {
        state = State.REJECTED;
        releaseCumulation();
        ctx.fireChannelRead(new RequestRejected(status, reason));
        return false;
    }

    // ---- head -------------------------------------------------------------------------------------------

    private boolean decodeHead(ChannelHandlerContext ctx, ByteBuf buf) {
        // RFC 9112 §2.2: a server SHOULD ignore at least one empty line (CRLF) received before the request-line.
        int skipped = 0;
        while (buf.readableBytes() >= 2 && buf.getByte(buf.readerIndex()) == '\r'
                && buf.getByte(buf.readerIndex() + 1) == '\n') {
            if (++skipped > MAX_LEADING_EMPTY_LINES) {
                return reject(ctx, 400, "too many empty lines before the request line");
            }
            buf.skipBytes(2);
            headScanFrom = 0;
        }
        int start = buf.readerIndex();
        int end = findEndOfHead(buf, start);
        if (end == BARE_LF) {
            return reject(ctx, 400, "bare LF in the request head");
        }
        if (end < 0) {
            int readable = buf.readableBytes();
            int lineEnd = buf.indexOf(start, start + readable, (byte) '\n');
            if (lineEnd < 0 && readable > maxUriBytes + 64) {
                return reject(ctx, 414, "request line too long");
            }
            if ((long) readable > (long) maxHeaderBytes + (lineEnd < 0 ? maxUriBytes : lineEnd - start)) {
                return reject(ctx, 431, "request header fields too large");
            }
            return false;
        }
        int headLength = end - start; // without the final CRLFCRLF
        int lineEnd = buf.indexOf(start, end + 2, (byte) '\n');
        if (lineEnd - start - 1 > maxUriBytes + 64 && requestTargetLength(buf, start, lineEnd) > maxUriBytes) {
            return reject(ctx, 414, "request target too long");
        }
        if (headLength - (lineEnd - start) > maxHeaderBytes) {
            return reject(ctx, 431, "request header fields too large");
        }
        ParsedHead head = parseHead(buf, start, end + 2);
        buf.readerIndex(end + 4);
        headScanFrom = 0;
        if (head.error != null) {
            return reject(ctx, head.errorStatus, head.error);
        }
        return emitHead(ctx, head);
    }

    private static int requestTargetLength(ByteBuf buf, int start, int lineEnd) {
        int sp1 = buf.indexOf(start, lineEnd, (byte) ' ');
        if (sp1 < 0) {
            return lineEnd - start;
        }
        int sp2 = buf.indexOf(sp1 + 1, lineEnd, (byte) ' ');
        return (sp2 < 0 ? lineEnd : sp2) - sp1 - 1;
    }

    /** Index of the CR of the final CRLFCRLF, or -1. */
    private int findEndOfHead(ByteBuf buf, int start) {
        int from = Math.max(start, start + headScanFrom - 3);
        int limit = buf.writerIndex();
        for (int i = buf.indexOf(from, limit, (byte) '\n'); i >= 0; i = buf.indexOf(i + 1, limit, (byte) '\n')) {
            if (i == start || buf.getByte(i - 1) != '\r') {
                return BARE_LF; // refuse now: waiting for a CRLFCRLF that a LF-only client never sends would hang
            }
            // A CRLF at i-1,i followed by CRLF at i+1,i+2.
            if (i + 2 < limit && i - 1 >= start && buf.getByte(i - 1) == '\r' && buf.getByte(i + 1) == '\r'
                    && buf.getByte(i + 2) == '\n') {
                return i - 1;
            }
            if (i + 2 >= limit) {
                break;
            }
        }
        headScanFrom = Math.max(0, limit - start);
        return -1;
    }

    /** The result of parsing a head; a mutable scratch object, one per request. */
    private static final class ParsedHead {
        String error;
        int errorStatus = 400;
        HttpMethod method;
        String target;
        HttpVersion version;
        HttpHeaders headers;
        int hostCount;
        long contentLength = -1;
        boolean chunked;
        boolean hasTransferEncoding;

        void fail(int status, String why) {
            if (error == null) {
                error = why;
                errorStatus = status;
            }
        }
    }

    /** Parses request line and fields in [start, end) where end is just past the last field's CRLF. */
    private ParsedHead parseHead(ByteBuf buf, int start, int end) {
        ParsedHead head = new ParsedHead();
        int lineEnd = lineEndOrFail(buf, start, end, head);
        if (head.error != null) {
            return head;
        }
        parseRequestLine(buf, start, lineEnd, head);
        if (head.error != null) {
            return head;
        }
        head.headers = DefaultHttpHeadersFactory.headersFactory().withNameValidation(false)
                .withValueValidation(false).newHeaders();
        int fields = 0;
        int pos = lineEnd + 2;
        while (pos < end && head.error == null) {
            int le = lineEndOrFail(buf, pos, end, head);
            if (head.error != null) {
                break;
            }
            if (++fields > MAX_FIELDS) {
                head.fail(431, "too many header fields");
                break;
            }
            parseField(buf, pos, le, head, head.headers);
            pos = le + 2;
        }
        if (head.error == null) {
            checkFraming(head);
        }
        return head;
    }

    /** Finds the CRLF ending the line at pos; a bare CR or LF inside the line is an error (RFC 9112 §2.2). */
    private static int lineEndOrFail(ByteBuf buf, int pos, int end, ParsedHead head) {
        int lf = buf.indexOf(pos, end, (byte) '\n');
        if (lf < 0 || lf == pos || buf.getByte(lf - 1) != '\r') {
            head.fail(400, "bare LF in the request head");
            return end;
        }
        int cr = buf.indexOf(pos, lf - 1, (byte) '\r');
        if (cr >= 0) {
            head.fail(400, "bare CR in the request head");
            return end;
        }
        return lf - 1;
    }

    private void parseRequestLine(ByteBuf buf, int start, int end, ParsedHead head) {
        int sp1 = buf.indexOf(start, end, (byte) ' ');
        if (sp1 <= start) {
            head.fail(400, "malformed request line");
            return;
        }
        for (int i = start; i < sp1; i++) {
            if (!HttpChars.isTchar(buf.getByte(i))) {
                head.fail(400, "invalid method");
                return;
            }
        }
        int sp2 = buf.indexOf(sp1 + 1, end, (byte) ' ');
        if (sp2 < 0 || sp2 == sp1 + 1) {
            head.fail(400, "malformed request line");
            return;
        }
        if (sp2 - sp1 - 1 > maxUriBytes) {
            head.fail(414, "request target too long");
            return;
        }
        for (int i = sp1 + 1; i < sp2; i++) {
            byte b = buf.getByte(i);
            // Controls, space, DEL and non-ASCII must be percent-encoded; a fragment is never sent (RFC 9112 §3.2).
            if (b <= 0x20 || b == 0x7f || b == '#') {
                head.fail(400, "invalid character in request target");
                return;
            }
        }
        int vlen = end - sp2 - 1;
        if (vlen != 8 || buf.getByte(sp2 + 1) != 'H' || buf.getByte(sp2 + 2) != 'T' || buf.getByte(sp2 + 3) != 'T'
                || buf.getByte(sp2 + 4) != 'P' || buf.getByte(sp2 + 5) != '/' || !isDigit(buf.getByte(sp2 + 6))
                || buf.getByte(sp2 + 7) != '.' || !isDigit(buf.getByte(sp2 + 8))) {
            head.fail(400, "malformed HTTP version");
            return;
        }
        int major = buf.getByte(sp2 + 6) - '0';
        int minor = buf.getByte(sp2 + 8) - '0';
        if (major != 1 || minor > 1) {
            head.fail(505, "HTTP version not supported");
            return;
        }
        head.version = minor == 1 ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0;
        String method = buf.toString(start, sp1 - start, java.nio.charset.StandardCharsets.US_ASCII);
        head.method = HttpMethod.valueOf(method);
        head.target = buf.toString(sp1 + 1, sp2 - sp1 - 1, java.nio.charset.StandardCharsets.US_ASCII);
        if (head.method.equals(HttpMethod.CONNECT)) {
            head.fail(501, "CONNECT is not supported");
        } else if (head.target.charAt(0) == '*') {
            if (!head.target.equals("*") || !head.method.equals(HttpMethod.OPTIONS)) {
                head.fail(400, "asterisk-form is only for OPTIONS");
            }
        } else if (head.target.charAt(0) != '/') {
            if (!startsWithHttpScheme(head.target)) {
                head.fail(400, "request target must be origin-form or absolute-form");
                return;
            }
            // The authority becomes the Host the origin sees: it must pass the same check as a Host field and
            // carry no userinfo (RFC 9110 §4.2.4), or proxy and origin could disagree on the host.
            int authorityStart = head.target.indexOf("://") + 3;
            int authorityEnd = authorityStart;
            while (authorityEnd < head.target.length() && head.target.charAt(authorityEnd) != '/'
                    && head.target.charAt(authorityEnd) != '?') {
                authorityEnd++;
            }
            byte[] authority = head.target.substring(authorityStart, authorityEnd).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            if (authority.length == 0 || !HttpChars.isValidHost(authority)) {
                head.fail(400, "invalid authority in the request target");
            }
        }
    }

    private static boolean startsWithHttpScheme(String t) {
        return t.regionMatches(true, 0, "http://", 0, 7) || t.regionMatches(true, 0, "https://", 0, 8);
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static void parseField(ByteBuf buf, int start, int end, ParsedHead head, HttpHeaders headers) {
        byte first = buf.getByte(start);
        if (first == ' ' || first == '\t') {
            head.fail(400, "obsolete line folding is not accepted");
            return;
        }
        int colon = buf.indexOf(start, end, (byte) ':');
        if (colon <= start) {
            head.fail(400, colon == start ? "empty header name" : "header line without a colon");
            return;
        }
        for (int i = start; i < colon; i++) {
            if (!HttpChars.isTchar(buf.getByte(i))) {
                head.fail(400, buf.getByte(i) == ' ' || buf.getByte(i) == '\t'
                        ? "whitespace between header name and colon" : "invalid character in header name");
                return;
            }
        }
        int vs = colon + 1;
        int ve = end;
        while (vs < ve && (buf.getByte(vs) == ' ' || buf.getByte(vs) == '\t')) {
            vs++;
        }
        while (ve > vs && (buf.getByte(ve - 1) == ' ' || buf.getByte(ve - 1) == '\t')) {
            ve--;
        }
        for (int i = vs; i < ve; i++) {
            byte b = buf.getByte(i);
            if ((b >= 0 && b < 0x20 && b != '\t') || b == 0x7f) {
                head.fail(400, "control character in a header value");
                return;
            }
        }
        byte[] nameBytes = new byte[colon - start];
        buf.getBytes(start, nameBytes);
        byte[] valueBytes = new byte[ve - vs];
        buf.getBytes(vs, valueBytes);
        AsciiString name = new AsciiString(nameBytes, false);
        AsciiString value = new AsciiString(valueBytes, false);
        headers.add(name, value);
        if (name.contentEqualsIgnoreCase(io.netty.handler.codec.http.HttpHeaderNames.HOST)) {
            head.hostCount++;
            if (!HttpChars.isValidHost(valueBytes)) {
                head.fail(400, "invalid Host");
            }
        } else if (name.contentEqualsIgnoreCase(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_LENGTH)) {
            parseContentLength(valueBytes, head);
        } else if (name.contentEqualsIgnoreCase(io.netty.handler.codec.http.HttpHeaderNames.TRANSFER_ENCODING)) {
            parseTransferEncoding(valueBytes, head);
        }
    }

    /** RFC 9110 §8.6: 1*DIGIT; a list of identical values may be taken as one, anything else is refused. */
    private static void parseContentLength(byte[] v, ParsedHead head) {
        long value = -1;
        int i = 0;
        while (i <= v.length) {
            int j = i;
            long n = 0;
            while (j < v.length && v[j] != ',') {
                byte b = v[j];
                if (!isDigit(b)) {
                    head.fail(400, "invalid Content-Length");
                    return;
                }
                if (n > (Long.MAX_VALUE - 9) / 10) {
                    head.fail(400, "Content-Length too large");
                    return;
                }
                n = n * 10 + (b - '0');
                j++;
            }
            if (j == i) {
                head.fail(400, "invalid Content-Length");
                return;
            }
            if (value >= 0 && n != value) {
                head.fail(400, "differing Content-Length values");
                return;
            }
            value = n;
            if (j == v.length) {
                break;
            }
            i = j + 1;
            while (i < v.length && (v[i] == ' ' || v[i] == '\t')) {
                i++;
            }
        }
        if (head.contentLength >= 0 && head.contentLength != value) {
            head.fail(400, "differing Content-Length values");
            return;
        }
        head.contentLength = value;
    }

    /** Only a single {@code chunked} coding is accepted (RFC 9112 §6.1; other codings: 501). */
    private static void parseTransferEncoding(byte[] v, ParsedHead head) {
        if (head.hasTransferEncoding) {
            head.fail(400, "repeated Transfer-Encoding");
            return;
        }
        head.hasTransferEncoding = true;
        if (v.length == 7 && AsciiString.contentEqualsIgnoreCase(new AsciiString(v, false), "chunked")) {
            head.chunked = true;
            return;
        }
        for (byte b : v) {
            if (!HttpChars.isTchar(b) && b != ',' && b != ' ' && b != '\t' && b != ';' && b != '=') {
                head.fail(400, "malformed Transfer-Encoding");
                return;
            }
        }
        head.fail(v.length == 0 || v[v.length - 1] == ',' || v[0] == ',' ? 400 : 501,
                "unsupported Transfer-Encoding (only chunked)");
    }

    private void checkFraming(ParsedHead head) {
        if (head.version == HttpVersion.HTTP_1_1 && head.hostCount != 1) {
            head.fail(400, head.hostCount == 0 ? "missing Host" : "repeated Host");
        } else if (head.hostCount > 1) {
            head.fail(400, "repeated Host");
        } else if (head.hasTransferEncoding && head.contentLength >= 0) {
            head.fail(400, "both Content-Length and Transfer-Encoding");
        } else if (head.hasTransferEncoding && head.version == HttpVersion.HTTP_1_0) {
            head.fail(400, "Transfer-Encoding in HTTP/1.0");
        } else if (head.contentLength > maxBodyBytes) {
            head.fail(413, "request body too large");
        }
    }

    private boolean emitHead(ChannelHandlerContext ctx, ParsedHead head) {
        if (head.contentLength >= 0) {
            // Identical repeats ("5, 5" or two fields) collapse to one value before anything is forwarded.
            head.headers.set(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_LENGTH, head.contentLength);
        }
        DefaultHttpRequest request = new DefaultHttpRequest(head.version, head.method, head.target, head.headers);
        bodySeen = 0;
        if (head.chunked) {
            state = State.CHUNK_SIZE;
            ctx.fireChannelRead(request);
        } else if (head.contentLength > 0) {
            state = State.FIXED_BODY;
            remaining = head.contentLength;
            ctx.fireChannelRead(request);
        } else {
            endOfMessage();
            ctx.fireChannelRead(request);
            ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        return true;
    }

    // ---- chunked body -----------------------------------------------------------------------------------

    private boolean decodeChunkSize(ChannelHandlerContext ctx, ByteBuf buf) {
        int start = buf.readerIndex();
        int limit = Math.min(buf.writerIndex(), start + MAX_CHUNK_LINE);
        int lf = buf.indexOf(start, limit, (byte) '\n');
        if (lf < 0) {
            if (buf.readableBytes() >= MAX_CHUNK_LINE) {
                return reject(ctx, 400, "chunk size line too long");
            }
            return false;
        }
        if (lf == start || buf.getByte(lf - 1) != '\r') {
            return reject(ctx, 400, "chunk size line not ended by CRLF");
        }
        int end = lf - 1;
        long size = 0;
        int i = start;
        int digits = 0;
        for (; i < end; i++) {
            int d = Character.digit(buf.getByte(i), 16);
            if (d < 0) {
                break;
            }
            if (++digits > 16 || (size >>> 59) != 0) {
                return reject(ctx, 400, "chunk size too large");
            }
            size = (size << 4) | d;
        }
        if (digits == 0) {
            return reject(ctx, 400, "invalid chunk size");
        }
        if (i < end && !validChunkExtensions(buf, i, end)) {
            return reject(ctx, 400, "invalid chunk extension");
        }
        buf.readerIndex(lf + 1);
        if (size == 0) {
            state = State.TRAILERS;
            trailerBytes = 0;
            return true;
        }
        if (size > maxBodyBytes - bodySeen) { // written so that a huge chunk size cannot overflow the sum
            return reject(ctx, 413, "request body too large");
        }
        bodySeen += size;
        remaining = size;
        state = State.CHUNK_DATA;
        return true;
    }

    /** chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ), ext-val = token / quoted-string. */
    private static boolean validChunkExtensions(ByteBuf buf, int i, int end) {
        while (i < end) {
            i = skipWs(buf, i, end);
            if (i >= end || buf.getByte(i) != ';') {
                return false;
            }
            i = skipWs(buf, i + 1, end);
            int nameStart = i;
            while (i < end && HttpChars.isTchar(buf.getByte(i))) {
                i++;
            }
            if (i == nameStart) {
                return false;
            }
            i = skipWs(buf, i, end);
            if (i < end && buf.getByte(i) == '=') {
                i = skipWs(buf, i + 1, end);
                if (i < end && buf.getByte(i) == '"') {
                    i++;
                    boolean closed = false;
                    while (i < end) {
                        byte b = buf.getByte(i);
                        if (b == '\\') {
                            i += 2;
                            continue;
                        }
                        if (b == '"') {
                            closed = true;
                            i++;
                            break;
                        }
                        if ((b >= 0 && b < 0x20 && b != '\t') || b == 0x7f) {
                            return false;
                        }
                        i++;
                    }
                    if (!closed || i > end) {
                        return false;
                    }
                } else {
                    int vs = i;
                    while (i < end && HttpChars.isTchar(buf.getByte(i))) {
                        i++;
                    }
                    if (i == vs) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private static int skipWs(ByteBuf buf, int i, int end) {
        while (i < end && (buf.getByte(i) == ' ' || buf.getByte(i) == '\t')) {
            i++;
        }
        return i;
    }

    /** Trailer fields are validated like header fields and then dropped (they are not forwarded). */
    private boolean decodeTrailers(ChannelHandlerContext ctx, ByteBuf buf) {
        int start = buf.readerIndex();
        int lf = buf.indexOf(start, buf.writerIndex(), (byte) '\n');
        if (lf < 0) {
            if (trailerBytes + buf.readableBytes() > maxHeaderBytes) {
                return reject(ctx, 431, "trailer section too large");
            }
            return false;
        }
        if (lf == start || buf.getByte(lf - 1) != '\r') {
            return reject(ctx, 400, "trailer line not ended by CRLF");
        }
        trailerBytes += lf + 1 - start;
        if (trailerBytes > maxHeaderBytes) {
            return reject(ctx, 431, "trailer section too large");
        }
        if (lf - 1 == start) { // the empty line ends the message
            buf.readerIndex(lf + 1);
            endOfMessage();
            ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
            return true;
        }
        ParsedHead scratch = new ParsedHead();
        lineEndOrFail(buf, start, lf + 1, scratch);
        if (scratch.error == null) {
            HttpHeaders ignored = DefaultHttpHeadersFactory.trailersFactory().withValidation(false).newHeaders();
            parseField(buf, start, lf - 1, scratch, ignored);
        }
        if (scratch.error != null) {
            return reject(ctx, 400, "invalid trailer field");
        }
        buf.readerIndex(lf + 1);
        return true;
    }
}
