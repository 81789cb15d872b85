package dev.aegis.cache;

import java.util.List;

/**
 * What a response is cached under: a 128-bit hash of the request's normalised URL (method, scheme, host lower-cased
 * without its default port, the path with dot segments and doubled slashes removed, the query parameters sorted
 * and without those the route ignores), and for a response that varies, of the values of the request headers its
 * {@code Vary} names.
 *
 * <p>Built in one pass over the request's own strings: nothing is allocated but the key (and, for a query of more
 * than 32 parameters, an index array). A stored object also keeps its normalised URL as text, which
 * {@link #matches} compares without allocating, so even a crafted hash collision can not serve another URL's
 * object.
 */
public record CacheKey(long hi, long lo) {
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;
    private static final ThreadLocal<int[]> SCRATCH = ThreadLocal.withInitial(() -> new int[64]);

    /** Receives the normalised URL one character at a time. */
    private interface Sink {
        void put(char c);
    }

    /** murmur3-style mixing of two lanes, fed characters in pairs. */
    private static final class Hasher implements Sink {
        long h1 = 0x9368e53c2f6af274L;
        long h2 = 0x586dcd208f7cd3fdL;
        int pending = -1;
        long n;

        @Override
        public void put(char c) {
            if (pending < 0) {
                pending = c;
                return;
            }
            long k = (long) pending << 16 | c;
            pending = -1;
            n += 2;
            k *= C1;
            k = Long.rotateLeft(k, 31);
            k *= C2;
            h1 ^= k;
            h1 = Long.rotateLeft(h1, 27) + h2;
            h1 = h1 * 5 + 0x52dce729;
            h2 ^= k * C1;
            h2 = Long.rotateLeft(h2, 31) + h1;
        }

        CacheKey finish() {
            if (pending >= 0) {
                long k = (long) pending * C2;
                h2 ^= Long.rotateLeft(k, 33) * C1;
                n++;
            }
            h1 ^= n;
            h2 ^= n;
            h1 += h2;
            h2 += h1;
            h1 = fmix(h1);
            h2 = fmix(h2);
            h1 += h2;
            h2 += h1;
            return new CacheKey(h1, h2);
        }

        static long fmix(long k) {
            k ^= k >>> 33;
            k *= 0xff51afd7ed558ccdL;
            k ^= k >>> 33;
            k *= 0xc4ceb9fe1a85ec53L;
            k ^= k >>> 33;
            return k;
        }
    }

    /** Compares the normalised URL with a stored one. */
    private static final class Comparer implements Sink {
        final String expected;
        int at;
        boolean same = true;

        Comparer(String expected) {
            this.expected = expected;
        }

        @Override
        public void put(char c) {
            if (same && (at >= expected.length() || expected.charAt(at) != c)) {
                same = false;
            }
            at++;
        }
    }

    private static final class Text implements Sink {
        final StringBuilder b = new StringBuilder(64);

        @Override
        public void put(char c) {
            b.append(c);
        }
    }

    /**
     * The key of a request: {@code target} is its origin-form request target (path and query), {@code host} the
     * Host header (or authority), {@code ignoredParams} the route's parameters to leave out ({@code utm_*}: any
     * parameter starting with {@code utm_}).
     */
    public static CacheKey of(String method, String scheme, String host, String target, List<String> ignoredParams) {
        Hasher h = new Hasher();
        walk(method, scheme, host, target, ignoredParams, h);
        return h.finish();
    }

    /** The normalised URL the key is a hash of (stored with the object, shown when purging). */
    public static String text(String method, String scheme, String host, String target, List<String> ignoredParams) {
        Text t = new Text();
        walk(method, scheme, host, target, ignoredParams, t);
        return t.b.toString();
    }

    /** Whether the request normalises to {@code storedText}; allocation-free. */
    public static boolean matches(String storedText, String method, String scheme, String host, String target,
                                  List<String> ignoredParams) {
        Comparer c = new Comparer(storedText);
        walk(method, scheme, host, target, ignoredParams, c);
        return c.same && c.at == storedText.length();
    }

    /** The key of one variant: this key mixed with the values of the request headers {@code Vary} names. */
    public CacheKey withVary(List<String> names, java.util.function.Function<String, String> headerValue) {
        Hasher h = new Hasher();
        h.h1 ^= hi;
        h.h2 ^= lo;
        for (String name : names) {
            String v = headerValue.apply(name);
            for (int i = 0; i < name.length(); i++) {
                h.put(Character.toLowerCase(name.charAt(i)));
            }
            h.put(':');
            if (v != null) {
                // RFC 9111 §4.1: values are compared after normalising whitespace; case stays (it can matter)
                boolean space = false;
                for (int i = 0; i < v.length(); i++) {
                    char c = v.charAt(i);
                    if (c == ' ' || c == '\t') {
                        space = true;
                        continue;
                    }
                    if (space && i > 0) {
                        h.put(' ');
                    }
                    space = false;
                    h.put(c);
                }
            } else {
                h.put('\u0000'); // absent differs from empty
            }
            h.put('\n');
        }
        return h.finish();
    }

    /** The key as 32 hex digits (Redis keys, logs). */
    public String hex() {
        return String.format("%016x%016x", hi, lo);
    }

    // ---- normalisation

    private static void walk(String method, String scheme, String host, String target, List<String> ignored,
                             Sink out) {
        // HEAD is answered from GET's object (RFC 9110 §9.3.2): both are keyed as GET
        String m = "HEAD".equals(method) ? "GET" : method;
        for (int i = 0; i < m.length(); i++) {
            out.put(m.charAt(i));
        }
        out.put(' ');
        for (int i = 0; i < scheme.length(); i++) {
            out.put(Character.toLowerCase(scheme.charAt(i)));
        }
        out.put(':');
        out.put('/');
        out.put('/');
        int hostEnd = host == null ? 0 : host.length();
        if (hostEnd > 0) {
            String defaultPort = scheme.equalsIgnoreCase("https") ? ":443" : ":80";
            if (host.endsWith(defaultPort) && host.charAt(host.length() - 1) != ']') {
                hostEnd -= defaultPort.length();
            }
            for (int i = 0; i < hostEnd; i++) {
                out.put(Character.toLowerCase(host.charAt(i)));
            }
        }
        int q = target.indexOf('?');
        int pathEnd = q < 0 ? target.length() : q;
        int hash = target.indexOf('#');
        if (hash >= 0 && hash < pathEnd) {
            pathEnd = hash;
        }
        path(target, pathEnd, out);
        if (q >= 0) {
            int end = hash > q ? hash : target.length();
            query(target, q + 1, end, ignored, out);
        }
    }

    /** The path with empty and {@code .} segments dropped and {@code ..} applied (RFC 3986 §5.2.4). */
    private static void path(String t, int end, Sink out) {
        boolean simple = true;
        for (int i = 0; i < end; i++) {
            char c = t.charAt(i);
            if (c == '/' && (i + 1 < end && (t.charAt(i + 1) == '/' || t.charAt(i + 1) == '.'))) {
                simple = false;
                break;
            }
        }
        if (simple) {
            if (end == 0) {
                out.put('/');
            }
            for (int i = 0; i < end; i++) {
                out.put(t.charAt(i));
            }
            return;
        }
        // rare: rebuild the segments (small garbage only for such paths)
        java.util.ArrayDeque<String> segments = new java.util.ArrayDeque<>();
        int i = 0;
        while (i < end) {
            int slash = t.indexOf('/', i);
            int segEnd = slash < 0 || slash > end ? end : slash;
            String seg = t.substring(i, segEnd);
            if (seg.equals("..")) {
                segments.pollLast();
            } else if (!seg.isEmpty() && !seg.equals(".")) {
                segments.addLast(seg);
            }
            i = segEnd + 1;
        }
        boolean trailing = end > 0 && (t.charAt(end - 1) == '/' || t.startsWith("/.", end - 2)
                || t.startsWith("/..", end - 3));
        if (segments.isEmpty()) {
            out.put('/');
            return;
        }
        for (String seg : segments) {
            out.put('/');
            for (int k = 0; k < seg.length(); k++) {
                out.put(seg.charAt(k));
            }
        }
        if (trailing) {
            out.put('/');
        }
    }

    /** Parameters sorted (by their text, so by name then value), ignored ones left out. */
    private static void query(String t, int from, int end, List<String> ignored, Sink out) {
        int[] idx = SCRATCH.get();
        int n = 0;
        int i = from;
        while (i <= end) {
            int amp = t.indexOf('&', i);
            int pEnd = amp < 0 || amp > end ? end : amp;
            if (pEnd > i && !isIgnored(t, i, pEnd, ignored)) {
                if (2 * n + 2 > idx.length) {
                    idx = java.util.Arrays.copyOf(idx, idx.length * 2);
                    if (idx.length <= 4096) {
                        SCRATCH.set(idx);
                    }
                }
                idx[2 * n] = i;
                idx[2 * n + 1] = pEnd;
                n++;
            }
            i = pEnd + 1;
        }
        // insertion sort: queries are short
        for (int a = 1; a < n; a++) {
            int s = idx[2 * a];
            int e = idx[2 * a + 1];
            int b = a - 1;
            while (b >= 0 && compare(t, idx[2 * b], idx[2 * b + 1], s, e) > 0) {
                idx[2 * b + 2] = idx[2 * b];
                idx[2 * b + 3] = idx[2 * b + 1];
                b--;
            }
            idx[2 * b + 2] = s;
            idx[2 * b + 3] = e;
        }
        for (int a = 0; a < n; a++) {
            out.put(a == 0 ? '?' : '&');
            for (int k = idx[2 * a], e = idx[2 * a + 1]; k < e; k++) {
                out.put(t.charAt(k));
            }
        }
    }

    private static int compare(String t, int s1, int e1, int s2, int e2) {
        int n = Math.min(e1 - s1, e2 - s2);
        for (int k = 0; k < n; k++) {
            int d = t.charAt(s1 + k) - t.charAt(s2 + k);
            if (d != 0) {
                return d;
            }
        }
        return (e1 - s1) - (e2 - s2);
    }

    private static boolean isIgnored(String t, int s, int e, List<String> ignored) {
        if (ignored.isEmpty()) {
            return false;
        }
        int eq = t.indexOf('=', s);
        int nameEnd = eq < 0 || eq > e ? e : eq;
        for (int k = 0, n = ignored.size(); k < n; k++) {
            String p = ignored.get(k);
            boolean prefix = p.endsWith("*");
            int len = prefix ? p.length() - 1 : p.length();
            if (prefix ? nameEnd - s >= len && t.regionMatches(s, p, 0, len)
                    : nameEnd - s == len && t.regionMatches(s, p, 0, len)) {
                return true;
            }
        }
        return false;
    }
}
