package dev.aegis.cache;

import java.util.List;
import java.util.Locale;

/**
 * The {@code Cache-Control} directives of a request or a response (RFC 9111 §5.2, RFC 5861). Seconds are -1 when
 * the directive is absent. Unknown directives are ignored, as §5.2.3 requires; a directive with a malformed value
 * counts as absent, except {@code max-age} on a response, which then means stale (§4.2.1: a cache may treat it so).
 */
public record CacheControl(boolean noStore, boolean noCache, boolean isPrivate, boolean isPublic, long maxAge,
                           long sMaxAge, boolean mustRevalidate, boolean proxyRevalidate, long staleWhileRevalidate,
                           long staleIfError, boolean onlyIfCached, long maxStale, long minFresh) {

    /** No directives at all. */
    public static final CacheControl NONE = new CacheControl(false, false, false, false, -1, -1, false, false, -1, -1,
            false, -1, -1);

    /** Parses every value of the header (a field may be split across lines). */
    public static CacheControl parse(List<String> values) {
        if (values == null || values.isEmpty()) {
            return NONE;
        }
        boolean noStore = false, noCache = false, priv = false, pub = false, mustRevalidate = false;
        boolean proxyRevalidate = false, onlyIfCached = false;
        long maxAge = -1, sMaxAge = -1, swr = -1, sie = -1, maxStale = -1, minFresh = -1;
        for (String value : values) {
            int i = 0;
            int n = value.length();
            while (i < n) {
                while (i < n && (value.charAt(i) == ',' || value.charAt(i) == ' ' || value.charAt(i) == '\t')) {
                    i++;
                }
                int start = i;
                while (i < n && value.charAt(i) != '=' && value.charAt(i) != ',') {
                    i++;
                }
                String name = value.substring(start, i).strip().toLowerCase(Locale.ROOT);
                String arg = null;
                if (i < n && value.charAt(i) == '=') {
                    i++;
                    if (i < n && value.charAt(i) == '"') {
                        int close = value.indexOf('"', i + 1);
                        close = close < 0 ? n : close;
                        arg = value.substring(i + 1, close);
                        i = Math.min(n, close + 1);
                        while (i < n && value.charAt(i) != ',') {
                            i++;
                        }
                    } else {
                        int s = i;
                        while (i < n && value.charAt(i) != ',') {
                            i++;
                        }
                        arg = value.substring(s, i).strip();
                    }
                }
                switch (name) {
                    case "no-store" -> noStore = true;
                    case "no-cache" -> noCache = true; // with field names: still revalidate, the safe reading
                    case "private" -> priv = true;
                    case "public" -> pub = true;
                    case "must-revalidate" -> mustRevalidate = true;
                    case "proxy-revalidate" -> proxyRevalidate = true;
                    case "only-if-cached" -> onlyIfCached = true;
                    case "max-age" -> maxAge = seconds(arg, 0); // malformed: stale (§4.2.1)
                    case "s-maxage" -> sMaxAge = seconds(arg, -1);
                    case "stale-while-revalidate" -> swr = seconds(arg, -1);
                    case "stale-if-error" -> sie = seconds(arg, -1);
                    case "max-stale" -> maxStale = arg == null ? Long.MAX_VALUE : seconds(arg, -1);
                    case "min-fresh" -> minFresh = seconds(arg, -1);
                    default -> {
                    }
                }
            }
        }
        return new CacheControl(noStore, noCache, priv, pub, maxAge, sMaxAge, mustRevalidate, proxyRevalidate, swr,
                sie, onlyIfCached, maxStale, minFresh);
    }

    /** A delta-seconds value (RFC 9111 §1.2.2): digits; too large is "infinity", capped at 2^31. */
    private static long seconds(String arg, long malformed) {
        if (arg == null || arg.isEmpty()) {
            return malformed;
        }
        long v = 0;
        for (int i = 0; i < arg.length(); i++) {
            char c = arg.charAt(i);
            if (c < '0' || c > '9') {
                return malformed;
            }
            v = Math.min(v * 10 + (c - '0'), 1L << 31);
        }
        return v;
    }
}
