package dev.aegis.waf;

import java.util.List;
import java.util.Map;

/**
 * What the WAF inspects of one request: the method, the raw request-target, the headers in arrival order, the
 * (possibly truncated) body, and the client address the client-IP phase decided ({@code REMOTE_ADDR} of custom
 * rules; empty when unknown).
 */
public record InspectionInput(String method, String uri, List<Map.Entry<String, String>> headers, byte[] body,
                              boolean bodyTruncated, String clientIp) {
    public InspectionInput {
        method = method == null ? "" : method;
        uri = uri == null ? "" : uri;
        headers = headers == null ? List.of() : List.copyOf(headers);
        body = body == null ? new byte[0] : body;
        clientIp = clientIp == null ? "" : clientIp;
    }

    /** Without the client address: custom rules on {@code REMOTE_ADDR} then see an empty value. */
    public InspectionInput(String method, String uri, List<Map.Entry<String, String>> headers, byte[] body,
                           boolean bodyTruncated) {
        this(method, uri, headers, body, bodyTruncated, "");
    }
}
