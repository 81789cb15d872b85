package dev.aegis.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A small response the node writes itself (errors, blocks, 404), never streamed from an origin.
 *
 * @param headers extra headers (Content-Length, Date and X-Request-Id are added by the server)
 * @param closeConnection whether the connection must be closed after it (framing errors, shutdown)
 */
public record LocalResponse(int status, List<Map.Entry<String, String>> headers, byte[] body,
                            boolean closeConnection) {

    public LocalResponse {
        headers = List.copyOf(headers);
    }

    /** A {@code text/plain} answer. */
    public static LocalResponse text(int status, String body) {
        return new LocalResponse(status, List.of(Map.entry("Content-Type", "text/plain; charset=utf-8")),
                body.getBytes(StandardCharsets.UTF_8), false);
    }

    /** The same response, closing the connection after it. */
    public LocalResponse closing() {
        return new LocalResponse(status, headers, body, true);
    }
}
