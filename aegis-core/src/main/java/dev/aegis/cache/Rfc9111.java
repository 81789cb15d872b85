package dev.aegis.cache;

import dev.aegis.config.CachePolicy;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * HTTP caching rules for a shared cache (RFC 9111): what may be stored, for how long it is fresh, and what a stored
 * object may answer. Pure functions over headers, so each rule is tested without sockets.
 */
public final class Rfc9111 {
    private Rfc9111() {
    }

    /** Statuses a cache may store without explicit freshness (RFC 9110 §15.1; 206 is left out: no ranges). */
    static final Set<Integer> CACHEABLE_BY_DEFAULT = Set.of(200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501);

    /** Fields never stored: framing and hop-by-hop (RFC 9110 §7.6.1), and the ones each answer gets anew. */
    static final Set<String> NOT_STORED = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "content-length", "age", "x-cache", "x-request-id", "proxy-authenticate");

    /** What a stored object may do for a request. */
    public enum Use {
        /** Answer it: fresh (or stale within the request's {@code max-stale}). */
        FRESH,
        /** Answer it stale now and refresh it in the background ({@code stale-while-revalidate}). */
        STALE_WHILE_REVALIDATE,
        /** Ask the origin with its validators; a 304 lets it answer. */
        REVALIDATE,
        /** Of no use: fetch anew. */
        MISS
    }

    /**
     * Why a response can not be stored, or null when it can (RFC 9111 §3).
     *
     * @param header every value of a response header (any case), empty when absent
     */
    public static String whyNotStorable(String method, boolean requestHasAuthorization, CacheControl request,
                                        int status, Function<String, List<String>> header, CachePolicy policy,
                                        long bodyBytes, long maxObjectBytes) {
        if (!"GET".equals(method)) {
            return "method";
        }
        if (bodyBytes > maxObjectBytes) {
            return "too large";
        }
        CacheControl cc = CacheControl.parse(header.apply("Cache-Control"));
        if (request.noStore() || cc.noStore()) {
            return "no-store";
        }
        if (cc.isPrivate()) {
            return "private";
        }
        if (requestHasAuthorization && !(cc.isPublic() || cc.sMaxAge() >= 0 || cc.mustRevalidate())) {
            return "authorization"; // §3.5
        }
        for (String v : header.apply("Vary")) {
            if (v.strip().equals("*") || v.contains("*")) {
                return "vary *";
            }
        }
        if (!policy.storeSetCookie() && !header.apply("Set-Cookie").isEmpty()) {
            return "set-cookie";
        }
        boolean explicit = cc.maxAge() >= 0 || cc.sMaxAge() >= 0 || !header.apply("Expires").isEmpty()
                || cc.isPublic();
        if (!CACHEABLE_BY_DEFAULT.contains(status) && !explicit) {
            return "status";
        }
        if (status == 206 || status == 304 || status < 200) {
            return "status";
        }
        boolean validator = !header.apply("ETag").isEmpty() || !header.apply("Last-Modified").isEmpty();
        boolean heuristic = policy.heuristic() && !header.apply("Last-Modified").isEmpty();
        if (!explicit && !heuristic && policy.defaultTtl().isZero() && !(cc.noCache() && validator)) {
            return "no freshness"; // the route's default_ttl 0s: nothing without explicit freshness
        }
        return null;
    }

    /** Builds the object to store from an origin's response (its headers in order, its whole body). */
    public static StoredResponse toStore(String url, int status, List<Map.Entry<String, String>> headers, byte[] body,
                                         long requestTime, long responseTime, CachePolicy policy) {
        Function<String, List<String>> h = name -> values(headers, name);
        CacheControl cc = CacheControl.parse(h.apply("Cache-Control"));
        long date = first(h.apply("Date")) == null ? responseTime : parseDate(first(h.apply("Date")), responseTime);
        long age = 0;
        String ageText = first(h.apply("Age"));
        if (ageText != null) {
            try {
                age = Math.max(0, Long.parseLong(ageText.strip()));
            } catch (NumberFormatException e) {
                age = 0;
            }
        }
        long freshness = freshnessMillis(cc, h, date, responseTime, policy);
        List<Map.Entry<String, String>> kept = new ArrayList<>(headers.size());
        for (Map.Entry<String, String> e : headers) {
            if (!NOT_STORED.contains(e.getKey().toLowerCase(Locale.ROOT))) {
                kept.add(Map.entry(e.getKey(), e.getValue()));
            }
        }
        List<String> vary = new ArrayList<>();
        for (String v : h.apply("Vary")) {
            for (String name : v.split(",")) {
                String n = name.strip();
                if (!n.isEmpty()) {
                    vary.add(n.toLowerCase(Locale.ROOT));
                }
            }
        }
        boolean mustRevalidate = cc.mustRevalidate() || cc.proxyRevalidate() || cc.sMaxAge() >= 0; // §5.2.2.10
        return new StoredResponse(url, status, kept, body, requestTime, responseTime, date, age, freshness,
                cc.staleWhileRevalidate() < 0 ? -1 : cc.staleWhileRevalidate() * 1000,
                cc.staleIfError() < 0 ? -1 : cc.staleIfError() * 1000, mustRevalidate, cc.noCache(), vary,
                first(h.apply("ETag")), first(h.apply("Last-Modified")));
    }

    /** RFC 9111 §4.2.1: s-maxage, then max-age, then Expires − Date, then the heuristic, then the route's default. */
    static long freshnessMillis(CacheControl cc, Function<String, List<String>> h, long date, long responseTime,
                                CachePolicy policy) {
        if (cc.sMaxAge() >= 0) {
            return cc.sMaxAge() * 1000;
        }
        if (cc.maxAge() >= 0) {
            return cc.maxAge() * 1000;
        }
        String expires = first(h.apply("Expires"));
        if (expires != null) {
            long at = parseDate(expires, Long.MIN_VALUE);
            return at == Long.MIN_VALUE ? 0 : Math.max(0, at - date); // an invalid Expires means already expired
        }
        String lastModified = first(h.apply("Last-Modified"));
        if (policy.heuristic() && lastModified != null) {
            long lm = parseDate(lastModified, Long.MIN_VALUE);
            if (lm != Long.MIN_VALUE && lm < date) {
                return (date - lm) / 10; // §4.2.2: a typical setting is 10 % of the time since modification
            }
        }
        return policy.defaultTtl().toMillis();
    }

    /** What {@code stored} may do for a request with directives {@code request} at {@code now}. */
    public static Use use(StoredResponse stored, CacheControl request, boolean pragmaNoCache, long now) {
        boolean validator = stored.hasValidator();
        if (stored.noCache() || request.noCache() || pragmaNoCache && request == CacheControl.NONE) {
            return validator ? Use.REVALIDATE : Use.MISS;
        }
        long age = stored.ageMillis(now);
        long freshness = stored.freshnessMillis();
        boolean fresh = age < freshness;
        if (request.maxAge() >= 0 && age > request.maxAge() * 1000) {
            fresh = false;
        }
        if (request.minFresh() >= 0 && freshness - age < request.minFresh() * 1000) {
            fresh = false;
        }
        if (fresh) {
            return Use.FRESH;
        }
        long stale = Math.max(0, age - freshness);
        if (!stored.mustRevalidate() && request.maxStale() >= 0
                && (request.maxStale() == Long.MAX_VALUE || stale <= request.maxStale() * 1000)) {
            return Use.FRESH;
        }
        if (!stored.mustRevalidate() && stored.staleWhileRevalidateMillis() >= 0
                && stale <= stored.staleWhileRevalidateMillis()) {
            return Use.STALE_WHILE_REVALIDATE;
        }
        return validator ? Use.REVALIDATE : Use.MISS;
    }

    /** Whether {@code stored} may answer, stale, a request whose origin failed (stale-if-error, RFC 5861 §4). */
    public static boolean usableOnError(StoredResponse stored, CachePolicy policy, long now) {
        // the response's own stale-if-error allows it (RFC 5861 §4); the route's window does not override a
        // response that forbids stale use (must-revalidate, proxy-revalidate, s-maxage, no-cache: RFC 9111 §4.2.4)
        long allowed = stored.staleIfErrorMillis();
        if (!stored.mustRevalidate() && !stored.noCache()) {
            allowed = Math.max(allowed, policy.serveStaleOnError().toMillis());
        }
        return allowed > 0 && stored.staleMillis(now) <= allowed;
    }

    /**
     * Whether a client's conditional request is satisfied by {@code stored}, so it gets 304 (RFC 9110 §13.1.2,
     * §13.1.3: If-None-Match compares weakly and, when present, If-Modified-Since is ignored).
     */
    public static boolean notModified(StoredResponse stored, String ifNoneMatch, String ifModifiedSince) {
        if (stored.status() < 200 || stored.status() > 299) {
            return false; // preconditions apply to 2xx only (RFC 9110 §13.2.1)
        }
        if (ifNoneMatch != null) {
            if (stored.etag() == null) {
                return false;
            }
            String mine = opaque(stored.etag());
            for (String candidate : ifNoneMatch.split(",")) {
                String c = candidate.strip();
                if (c.equals("*") || opaque(c).equals(mine)) {
                    return true;
                }
            }
            return false;
        }
        if (ifModifiedSince != null) {
            long since = parseDate(ifModifiedSince, Long.MIN_VALUE);
            long modified = stored.lastModified() != null ? parseDate(stored.lastModified(), Long.MAX_VALUE)
                    : stored.dateMillis();
            return since != Long.MIN_VALUE && modified <= since;
        }
        return false;
    }

    private static String opaque(String etag) {
        return etag.startsWith("W/") ? etag.substring(2) : etag;
    }

    /** The stored headers updated by a 304's (RFC 9111 §4.3.4): same-named fields replaced, framing left out. */
    public static List<Map.Entry<String, String>> mergeHeaders(List<Map.Entry<String, String>> stored,
                                                               List<Map.Entry<String, String>> notModified) {
        Set<String> replaced = new java.util.HashSet<>();
        for (Map.Entry<String, String> h : notModified) {
            replaced.add(h.getKey().toLowerCase(Locale.ROOT));
        }
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (Map.Entry<String, String> h : stored) {
            if (!replaced.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                out.add(h);
            }
        }
        for (Map.Entry<String, String> h : notModified) {
            if (!NOT_STORED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                out.add(h);
            }
        }
        return out;
    }

    /** How long a shared tier keeps an object: while it is fresh, may answer stale, or be revalidated. */
    public static long keepMillis(StoredResponse r, CachePolicy policy) {
        long extra = Math.max(0, Math.max(Math.max(r.staleWhileRevalidateMillis(), r.staleIfErrorMillis()),
                policy.serveStaleOnError().toMillis()));
        return r.freshnessMillis() + extra + (r.hasValidator() ? 3_600_000 : 0);
    }

    /** Every value of header {@code name} in {@code headers} (any case). */
    public static List<String> values(List<Map.Entry<String, String>> headers, String name) {
        List<String> out = null;
        for (Map.Entry<String, String> e : headers) {
            if (e.getKey().equalsIgnoreCase(name)) {
                if (out == null) {
                    out = new ArrayList<>(1);
                }
                out.add(e.getValue());
            }
        }
        return out == null ? List.of() : out;
    }

    private static String first(List<String> values) {
        return values.isEmpty() ? null : values.get(0);
    }

    /** An HTTP date (IMF-fixdate; RFC 850 and asctime are obsolete and read as invalid) in epoch millis. */
    static long parseDate(String text, long invalid) {
        try {
            return ZonedDateTime.parse(text.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        } catch (RuntimeException e) {
            return invalid;
        }
    }

    /** Formats epoch millis as an HTTP date. */
    public static String formatDate(long millis) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(
                java.time.Instant.ofEpochMilli(millis).atZone(java.time.ZoneOffset.UTC));
    }
}
