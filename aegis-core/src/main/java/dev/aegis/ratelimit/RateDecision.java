package dev.aegis.ratelimit;

/**
 * A rate limiter's verdict on one request.
 *
 * @param allowed whether the request may go on
 * @param limit the limit in force (under {@code local_share} while out of sync: this node's share)
 * @param remaining how many more requests the window would take now
 * @param resetSeconds seconds until the current window ends
 * @param reason {@code "limit"}, {@code "sync-loss-deny"}, or null when allowed
 */
public record RateDecision(boolean allowed, long limit, long remaining, long resetSeconds, String reason) {
}
