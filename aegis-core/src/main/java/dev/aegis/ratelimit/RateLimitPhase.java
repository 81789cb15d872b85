package dev.aegis.ratelimit;

import dev.aegis.config.RateLimitPolicy;
import dev.aegis.pipeline.Outcome;
import dev.aegis.pipeline.Phase;
import dev.aegis.pipeline.ProxyError;
import dev.aegis.pipeline.RequestHead;
import dev.aegis.pipeline.RequestRecord;
import dev.aegis.route.Route;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The rate-limit phase: after the route, the matched route's limit (if any) counts the request under its key
 * ({@code client_ip}, {@code header:NAME} or {@code route}) and answers 429 over the limit. A request without the
 * keyed header is not limited, as nginx's {@code limit_req} skips an empty key.
 */
public final class RateLimitPhase implements Phase {
    /** Per route index; null where a route has no limit. */
    private final RateLimiter[] limiters;

    /** Limiters for {@code routes} (in precedence order, as the route table numbers them). */
    public RateLimitPhase(List<Route> routes, CounterStore store, SyncStatus sync, LongSupplier wallMillis) {
        limiters = new RateLimiter[routes.size()];
        for (Route r : routes) {
            RateLimitPolicy p = r.config().rateLimit();
            if (p != null) {
                limiters[r.index()] = new RateLimiter("route:" + r.name(), p, store, sync, wallMillis);
            }
        }
    }

    @Override
    public String name() {
        return "rate-limit";
    }

    @Override
    public Outcome apply(RequestHead head, RequestRecord record) {
        Route route = record.route;
        RateLimiter limiter = route == null || route.index() >= limiters.length ? null : limiters[route.index()];
        if (limiter == null) {
            return Outcome.proceed();
        }
        String key = keyOf(limiter.policy().key(), head, record);
        if (key == null) {
            return Outcome.proceed();
        }
        record.rateLimitKey = key;
        RateDecision d = limiter.acquire(key);
        if (d.allowed()) {
            return Outcome.proceed();
        }
        record.rateLimited = true;
        return Outcome.fail(new ProxyError.RateLimited(d.limit(), d.resetSeconds(), key));
    }

    static String keyOf(String spec, RequestHead head, RequestRecord record) {
        if (spec.equals("client_ip")) {
            return record.clientIp != null ? record.clientIp : record.peerAddress;
        }
        if (spec.equals("route")) {
            return "";
        }
        if (spec.startsWith("header:")) {
            List<String> values = head.headers(spec.substring("header:".length()));
            return values.isEmpty() || values.get(0).isEmpty() ? null : bounded(values.get(0));
        }
        return null;
    }

    /** Longest key kept as sent; a longer one (a client's header) is replaced by its digest. */
    static final int MAX_KEY = 128;

    /**
     * A key as counted and synced: a client chooses header values, and a counter id travels in every sync message,
     * so a long value is reduced to a SHA-256 digest (same value, same counter; memory and messages stay small).
     */
    static String bounded(String key) {
        if (key.length() <= MAX_KEY) {
            return key;
        }
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "sha256:" + java.util.HexFormat.of().formatHex(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }
}
