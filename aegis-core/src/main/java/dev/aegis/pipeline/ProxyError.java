package dev.aegis.pipeline;

/**
 * Everything that can go wrong with a request, with who caused it and whether another attempt is safe.
 * Mapped to a status and a small body in exactly one place, {@link #toResponse(String)}; the body names the
 * request id so an operator can find the log line, and never leaks internals.
 */
public sealed interface ProxyError {

    /** Who is at fault. */
    enum Source { CLIENT, UPSTREAM, INTERNAL }

    Source source();

    /** The HTTP status the client gets. */
    int status();

    /** What the client is told (one line, no internals). */
    String publicMessage();

    /** What the log says (may name servers and causes). */
    String detail();

    /** Whether retrying on another server cannot repeat a side effect on the origin. */
    default boolean retrySafe() {
        return false;
    }

    /** The one mapping from error to answer. Refused framing closes the connection (RFC 9112 §9.6). */
    default LocalResponse toResponse(String requestId) {
        String body = status() + " " + ReasonPhrases.of(status()) + "\n" + publicMessage() + "\nrequest id: "
                + requestId + "\n";
        LocalResponse response = LocalResponse.text(status(), body);
        return this instanceof BadRequest ? response.closing() : response;
    }

    /** A request the server refused to parse or that broke a limit (400, 413, 414, 417, 431, 501, 505). */
    record BadRequest(int status, String publicMessage) implements ProxyError {
        public Source source() { return Source.CLIENT; }
        public String detail() { return publicMessage; }
    }

    /** The WAF blocked the request. The answer never names the rule (that would teach an attacker). */
    record Blocked(int score) implements ProxyError {
        public Source source() { return Source.CLIENT; }
        public int status() { return 403; }
        public String publicMessage() { return "the request was blocked"; }
        public String detail() { return "blocked by the WAF, anomaly score " + score; }
    }

    /**
     * A body the WAF would inspect is longer than {@code waf.body_limit} and {@code waf.body_over_limit} is
     * {@code block} (on a route in {@code block} mode): refused rather than let bytes past the limit reach the
     * origin uninspected. The node closes the connection when the body was not read to its end.
     */
    record BodyTooLargeForInspection(long limitBytes) implements ProxyError {
        public Source source() { return Source.CLIENT; }
        public int status() { return 413; }
        public String publicMessage() { return "the request body is too large"; }
        public String detail() {
            return "request body longer than waf.body_limit (" + limitBytes + " bytes), body_over_limit: block";
        }
    }

    /**
     * Over the route's rate limit: 429 with {@code Retry-After} (RFC 9110 §10.2.3) and the {@code RateLimit-Limit},
     * {@code RateLimit-Remaining}, {@code RateLimit-Reset} fields of the IETF httpapi rate-limit draft.
     */
    record RateLimited(long limit, long resetSeconds, String key) implements ProxyError {
        public Source source() { return Source.CLIENT; }
        public int status() { return 429; }
        public String publicMessage() { return "too many requests; retry after " + resetSeconds + " s"; }
        public String detail() { return "rate limit " + limit + " reached for key " + key; }

        @Override
        public LocalResponse toResponse(String requestId) {
            LocalResponse plain = ProxyError.super.toResponse(requestId);
            java.util.List<java.util.Map.Entry<String, String>> headers = new java.util.ArrayList<>(plain.headers());
            headers.add(java.util.Map.entry("Retry-After", Long.toString(resetSeconds)));
            headers.add(java.util.Map.entry("RateLimit-Limit", Long.toString(limit)));
            headers.add(java.util.Map.entry("RateLimit-Remaining", "0"));
            headers.add(java.util.Map.entry("RateLimit-Reset", Long.toString(resetSeconds)));
            return new LocalResponse(429, headers, plain.body(), false);
        }
    }

    /** The client's address is on the shared blocklist (added by an operator, or banned for repeated attacks). */
    record Blocklisted(String address) implements ProxyError {
        public Source source() { return Source.CLIENT; }
        public int status() { return 403; }
        public String publicMessage() { return "the request was blocked"; }
        public String detail() { return "client " + address + " is on the blocklist"; }
    }

    /** {@code Cache-Control: only-if-cached} and nothing stored could answer (RFC 9111 §5.2.1.7). */
    record NotCached() implements ProxyError {
        public Source source() { return Source.CLIENT; }
        public int status() { return 504; }
        public String publicMessage() { return "not in the cache (only-if-cached)"; }
        public String detail() { return "only-if-cached and no stored response"; }
    }

    /** No route matched. */
    record NoRoute(String host, String path) implements ProxyError {
        public Source source() { return Source.CLIENT; }
        public int status() { return 404; }
        public String publicMessage() { return "no route for this request"; }
        public String detail() { return "no route for host=" + host + " path=" + path; }
    }

    /** The TCP connection to a server could not be made (refused, unreachable, reset during connect). */
    record UpstreamConnectFailed(String server, String cause) implements ProxyError {
        public Source source() { return Source.UPSTREAM; }
        public int status() { return 502; }
        public String publicMessage() { return "the origin could not be reached"; }
        public String detail() { return "connect to " + server + " failed: " + cause; }
        public boolean retrySafe() { return true; }
    }

    /** The TCP connect did not complete in time. */
    record UpstreamConnectTimeout(String server) implements ProxyError {
        public Source source() { return Source.UPSTREAM; }
        public int status() { return 504; }
        public String publicMessage() { return "the origin did not accept the connection in time"; }
        public String detail() { return "connect to " + server + " timed out"; }
        public boolean retrySafe() { return true; }
    }

    /** The response head, or the next byte of the body, did not come in time. */
    record UpstreamTimeout(String server, String what) implements ProxyError {
        public Source source() { return Source.UPSTREAM; }
        public int status() { return 504; }
        public String publicMessage() { return "the origin did not answer in time"; }
        public String detail() { return server + ": " + what + " timeout"; }
    }

    /** The server closed or reset the connection, or sent a response that could not be parsed. */
    record UpstreamBroken(String server, String cause) implements ProxyError {
        public Source source() { return Source.UPSTREAM; }
        public int status() { return 502; }
        public String publicMessage() { return "the origin answered badly or closed the connection"; }
        public String detail() { return server + ": " + cause; }
    }

    /** Every server of the group is ejected or the group is empty. */
    record NoHealthyUpstream(String group) implements ProxyError {
        public Source source() { return Source.UPSTREAM; }
        public int status() { return 503; }
        public String publicMessage() { return "no healthy origin is available"; }
        public String detail() { return "no healthy server in upstream " + group; }
    }

    /** The node is stopping and takes no new requests. */
    record ShuttingDown() implements ProxyError {
        public Source source() { return Source.INTERNAL; }
        public int status() { return 503; }
        public String publicMessage() { return "the node is shutting down"; }
        public String detail() { return "shutting down"; }
    }

    /** A bug or an unexpected failure inside the node. */
    record Internal(String detail) implements ProxyError {
        public Source source() { return Source.INTERNAL; }
        public int status() { return 500; }
        public String publicMessage() { return "internal error"; }
    }
}
