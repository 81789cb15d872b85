package dev.aegis.config;

import java.time.Duration;
import java.util.List;

/**
 * A route's effective cache settings.
 *
 * @param enabled whether the route caches at all
 * @param defaultTtl freshness given to a storable response that states none (0: such responses are not stored)
 * @param ignoreParams query parameters left out of the cache key; {@code utm_*} ends in a star: a prefix
 * @param heuristic whether a response with {@code Last-Modified} and no stated freshness gets 10 % of its age
 *     (RFC 9111 §4.2.2); off unless the route enables it
 * @param storeSetCookie whether a response with {@code Set-Cookie} may be stored (it would be shared)
 * @param serveStaleOnError how long past its freshness an object may still answer when the origin fails, on top
 *     of the response's own {@code stale-if-error}
 */
public record CachePolicy(boolean enabled, Duration defaultTtl, List<String> ignoreParams, boolean heuristic,
                          boolean storeSetCookie, Duration serveStaleOnError) {
    public CachePolicy {
        ignoreParams = List.copyOf(ignoreParams);
    }

    public CachePolicy(boolean enabled, Duration defaultTtl) {
        this(enabled, defaultTtl, List.of(), false, false, Duration.ZERO);
    }
}
