package dev.aegis.proxy;

import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * Netty's response encoder, told when the response answers a HEAD: such a response carries the headers of the
 * GET (Content-Length or Transfer-Encoding) but no body, so nothing, not even a last chunk, may be written.
 */
final class ResponseEncoder extends HttpResponseEncoder {
    boolean headRequest;

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
        return headRequest || super.isContentAlwaysEmpty(msg);
    }
}
