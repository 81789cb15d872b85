package dev.aegis.pipeline;

import dev.aegis.route.Route;

/**
 * Everything decided about one request, written by the phases as they run and read by the access log, the audit
 * log and the metrics (nothing is computed twice). One instance per request, confined to the request's event
 * loop, so it is a plain mutable object without synchronisation.
 */
public final class RequestRecord {
    /** Request id: the client's {@code X-Request-Id} when acceptable, else generated. */
    public String requestId;
    /** When the request head was complete, {@link System#nanoTime()}. */
    public long startNanos;
    /** Wall-clock start, epoch millis, for the log. */
    public long startEpochMillis;
    public String method;
    public String uri;
    public String host;
    public String peerAddress;
    /** Whether the TCP peer is a trusted proxy (its forwarding headers are believed). */
    public boolean peerTrusted;
    /** The client address decided by the client IP phase. */
    public String clientIp;
    /** The matched route, or null. */
    public Route route;
    /** The cache's verdict (HIT, MISS, STALE, BYPASS, REVALIDATED), or null when the route does not cache. */
    public String cacheStatus;
    /** The rate-limit key this request was counted under (null: no limit on its route), and the verdict. */
    public String rateLimitKey;
    public boolean rateLimited;
    /** The WAF's anomaly score and what matched (empty when clean or not inspected). */
    public int wafScore;
    public java.util.List<dev.aegis.waf.WafMatch> wafMatches = java.util.List.of();
    /**
     * The body the WAF reads was longer than {@code waf.body_limit}: only its first {@code body_limit} bytes were
     * inspected ({@code body_over_limit: inspect_partial}, or a route in {@code detect} mode), or the request was
     * refused with 413 ({@code body_over_limit: block}).
     */
    public boolean wafBodyTruncated;
    /** The upstream group name, the server of the last attempt, how many attempts were made. */
    public String upstream;
    public String upstreamServer;
    public int attempts;
    /** Outcome of each attempt, for the log, such as {@code 127.0.0.1:9000=connect-failed}. */
    public StringBuilder attemptLog;
    /** Nanoseconds spent connecting to the upstream (0 when a pooled connection was reused). */
    public long upstreamConnectNanos;
    /** Nanoseconds from the request being written to the upstream to its response head. */
    public long upstreamHeaderNanos;
    /** Status sent to the client (0 until known). */
    public int status;
    /** Request body bytes received, response body bytes sent. */
    public long bytesIn;
    public long bytesOut;
    /** Total duration, set when the response is complete. */
    public long totalNanos;
    /** Why the request failed, or null. */
    public ProxyError error;
    /** Whether the client went away before the response was complete. */
    public boolean clientAborted;

    /** Appends one attempt's outcome to {@link #attemptLog}. */
    public void recordAttempt(String server, String outcome) {
        attempts++;
        upstreamServer = server;
        if (attemptLog == null) {
            attemptLog = new StringBuilder(48);
        } else {
            attemptLog.append(',');
        }
        attemptLog.append(server).append('=').append(outcome);
    }
}
