package dev.aegis.config;

import java.util.Map;
import java.util.Set;

/**
 * One entry of {@code routes}: what it matches, which upstream group serves it, and its policies.
 *
 * <p>{@code waf}, {@code cache} and {@code rateLimit} are the route's effective policies: the loader fills them
 * from the global sections when the route does not set them, so consumers never look elsewhere.
 * {@code rateLimit} is null when neither the route nor a global default sets a limit.
 */
public record RouteConfig(
        String name,
        int priority,
        Match match,
        String upstream,
        WafPolicy waf,
        CachePolicy cache,
        RateLimitPolicy rateLimit,
        int line) {

    /**
     * The match block. {@code host} is null (any host), an exact lower-case host, or {@code *.suffix};
     * {@code methods} empty = any method (upper case); {@code headers} exact values, names as written.
     */
    public record Match(String host, PathMatch path, Set<String> methods, Map<String, String> headers) {
        public Match {
            methods = Set.copyOf(methods);
            headers = Map.copyOf(headers);
        }
    }

    /** Exactly one of exact, prefix or regex (RE2 syntax). */
    public record PathMatch(Kind kind, String value) {
        /** How a path pattern matches. */
        public enum Kind { EXACT, PREFIX, REGEX }
    }
}
