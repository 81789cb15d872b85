package dev.aegis.waf;

import java.util.List;
import java.util.Map;

/**
 * What the WAF inspects of one request: the method, the raw request-target, the headers in arrival order and the
 * (possibly truncated) body.
 */
public record InspectionInput(String method, String uri, List<Map.Entry<String, String>> headers, byte[] body,
                              boolean bodyTruncated) {
    public InspectionInput {
        method = method == null ? "" : method;
        uri = uri == null ? "" : uri;
        headers = headers == null ? List.of() : List.copyOf(headers);
        body = body == null ? new byte[0] : body;
    }
}
