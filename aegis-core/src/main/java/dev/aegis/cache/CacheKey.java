package dev.aegis.cache;

import java.util.List;

/**
 * What a response is cached under: a 128-bit hash of the request's normalised URL (method, scheme, host lower-cased
 * without its default port, the path with dot segments and doubled slashes removed, the query parameters sorted
 * and without those the route ignores), and for a response that varies, of the values of the request headers its
 * {@code Vary} names.
 *
 * <p>Built in one pass over the request's own strings with a per-thread hasher: nothing is allocated but the key.
 * Query parameters are hashed each on their own and added, so the key does not depend on their order without
 * sorting them. A stored object also keeps its normalised URL as text, which
 * {@link #matches} compares without allocating, so even a crafted hash collision can not serve another URL's
 * object.
 */
public record CacheKey(long hi, long lo) {
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;
    private static final ThreadLocal<int[]> SCRATCH = ThreadLocal.withInitial(() -> new int[64]);
    /** The hasher's state after {@code GET http://}, the start of nearly every key. */
    private static final Hasher GET_HTTP = new Hasher();

    static {
        GET_HTTP.put("GET http://", 0, "GET http://".length());
    }

    /** Receives the normalised URL: single characters, or runs of a string. */
    private interface Sink {
        void put(char c);

        default void put(String s, int from, int to) {
            for (int i = from; i < to; i++) {
                put(s.charAt(i));
            }
        }
    }

    /** Two multiply-rotate lanes fed four characters (64 bits) at a time, then murmur3's finaliser. */
    private static final class Hasher implements Sink {
        long h1 = 0x9368e53c2f6af274L;
        long h2 = 0x586dcd208f7cd3fdL;
        long buf;
        int buffered;
        long n;

        @Override
        public void put(char c) {
            buf = buf << 16 | c;
            if (++buffered == 4) {
                mix(buf);
                buf = 0;
                buffered = 0;
            }
        }

        @Override
        public void put(String s, int from, int to) {
            int i = from;
            while (buffered != 0 && i < to) {
                put(s.charAt(i++));
            }
            for (; i + 4 <= to; i += 4) {
                mix((long) s.charAt(i) << 48 | (long) s.charAt(i + 1) << 32 | (long) s.charAt(i + 2) << 16
                        | s.charAt(i + 3));
            }
            while (i < to) {
                put(s.charAt(i++));
            }
        }

        private void mix(long k) {
            // Two independent lanes (they run in parallel on the CPU), one multiply each per 4 characters; the
            // finalisation below mixes thoroughly. Not a cryptographic hash: a stored object's URL is compared on
            // every hit, so a crafted collision can only cause a miss.
            n += 4;
            h1 = Long.rotateLeft((h1 ^ k) * C1, 29);
            h2 = Long.rotateLeft((h2 + k) * C2, 31) ^ k;
        }

        private long params1;
        private long params2;

        void reset() {
            h1 = 0x9368e53c2f6af274L;
            h2 = 0x586dcd208f7cd3fdL;
            buf = 0;
            buffered = 0;
            n = 0;
            params1 = 0;
            params2 = 0;
        }

        void startAs(Hasher prefix) {
            h1 = prefix.h1;
            h2 = prefix.h2;
            buf = prefix.buf;
            buffered = prefix.buffered;
            n = prefix.n;
        }

        /** One query parameter, combined so that the order of parameters does not matter. */
        void param(String s, int from, int to) {
            long a = 0x2545f4914f6cdd1dL;
            long b = to - from;
            int i = from;
            for (; i + 4 <= to; i += 4) {
                long k = (long) s.charAt(i) << 48 | (long) s.charAt(i + 1) << 32 | (long) s.charAt(i + 2) << 16
                        | s.charAt(i + 3);
                a = Long.rotateLeft((a ^ k) * C1, 29);
                b = Long.rotateLeft((b + k) * C2, 31) ^ k;
            }
            long tail = 0;
            for (; i < to; i++) {
                tail = tail << 16 | s.charAt(i);
            }
            a = (a ^ tail) * C2;
            b = (b + tail) * C1;
            params1 += a ^ (a >>> 29);
            params2 += b ^ (b >>> 31) ^ a;
        }

        CacheKey finish() {
            h1 ^= params1;
            h2 += params2;
            if (buffered > 0) {
                long k = (buf | (long) buffered << 62) * C2; // the count tells "ab" from "\0ab"
                h2 ^= Long.rotateLeft(k, 33) * C1;
                n += buffered;
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
        Hasher h = HASHER.get(); // one per thread, reset: the key is the only allocation
        h.reset();
        walk(method, scheme, host, target, ignoredParams, h);
        return h.finish();
    }

    private static final ThreadLocal<Hasher> HASHER = ThreadLocal.withInitial(Hasher::new);

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

    /**
     * Whether the target's path is already in normal form (no {@code .} or {@code ..} segment, no doubled slash).
     * The node caches only such requests: the origin gets the path as sent, so a key for a path the origin never
     * saw could be filled with another page's answer.
     */
    public static boolean normalPath(String target) {
        int q = target.indexOf('?');
        int end = q < 0 ? target.length() : q;
        for (int slash = target.indexOf('/', 0, end); slash >= 0 && slash + 1 < end;
             slash = target.indexOf('/', slash + 1, end)) {
            char next = target.charAt(slash + 1);
            if (next == '/' || next == '.') {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code target} without the ignored query parameters: what the node forwards on a fill, so the origin answers
     * exactly the request the key stands for. The same string when nothing is ignored.
     */
    public static String withoutIgnored(String target, List<String> ignored) {
        int q = target.indexOf('?');
        if (q < 0 || ignored.isEmpty()) {
            return target;
        }
        StringBuilder b = null;
        int i = q + 1;
        int end = target.length();
        while (i <= end) {
            int amp = target.indexOf('&', i);
            int pEnd = amp < 0 ? end : amp;
            boolean drop = pEnd > i && isIgnored(target, i, pEnd, ignored);
            if (drop && b == null) {
                b = new StringBuilder(target.length()).append(target, 0, i);
            } else if (!drop && b != null && pEnd > i) {
                if (b.charAt(b.length() - 1) != '?') {
                    b.append('&');
                }
                b.append(target, i, pEnd);
            }
            i = pEnd + 1;
        }
        if (b == null) {
            return target;
        }
        int last = b.length() - 1;
        if (b.charAt(last) == '?' || b.charAt(last) == '&') {
            b.setLength(last);
        }
        return b.toString();
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
        if (out instanceof Hasher h && m.equals("GET") && scheme.equals("http")) {
            h.startAs(GET_HTTP); // the usual prefix, hashed once
        } else {
            out.put(m, 0, m.length());
            out.put(' ');
            for (int i = 0; i < scheme.length(); i++) {
                out.put(Character.toLowerCase(scheme.charAt(i)));
            }
            out.put(':');
            out.put('/');
            out.put('/');
        }
        int hostEnd = host == null ? 0 : host.length();
        if (hostEnd > 0) {
            String defaultPort = scheme.equalsIgnoreCase("https") ? ":443" : ":80";
            if (host.endsWith(defaultPort) && host.charAt(host.length() - 1) != ']') {
                hostEnd -= defaultPort.length();
            }
            boolean lower = true;
            for (int i = 0; i < hostEnd && lower; i++) {
                char c = host.charAt(i);
                lower = c < 'A' || c > 'Z';
            }
            if (lower) {
                out.put(host, 0, hostEnd);
            } else {
                for (int i = 0; i < hostEnd; i++) {
                    out.put(Character.toLowerCase(host.charAt(i)));
                }
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
        // only what follows a slash can need work: jump from slash to slash (indexOf is vectorised)
        boolean simple = true;
        for (int slash = t.indexOf('/', 0, end); slash >= 0 && slash + 1 < end;
             slash = t.indexOf('/', slash + 1, end)) {
            char next = t.charAt(slash + 1);
            if (next == '/' || next == '.') {
                simple = false;
                break;
            }
        }
        if (simple) {
            if (end == 0) {
                out.put('/');
            }
            out.put(t, 0, end);
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
            out.put(seg, 0, seg.length());
        }
        if (trailing) {
            out.put('/');
        }
    }

    /** Parameters sorted (by their text, so by name then value), ignored ones left out. */
    private static void query(String t, int from, int end, List<String> ignored, Sink out) {
        if (out instanceof Hasher h) {
            // The key needs no sorting: each parameter is hashed on its own and the hashes are added, which
            // does not depend on their order. (The stored text, and the check of it on a hit, are sorted.)
            h.put('?');
            int i = from;
            while (i <= end) {
                int amp = t.indexOf('&', i);
                int pEnd = amp < 0 || amp > end ? end : amp;
                if (pEnd > i && !isIgnored(t, i, pEnd, ignored)) {
                    h.param(t, i, pEnd);
                }
                i = pEnd + 1;
            }
            return;
        }
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
            out.put(t, idx[2 * a], idx[2 * a + 1]);
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
        for (int k = 0, n = ignored.size(); k < n; k++) {
            String p = ignored.get(k);
            if (p.isEmpty() || t.charAt(s) != p.charAt(0)) {
                continue; // most parameters differ at once: no need to find where their name ends
            }
            boolean prefix = p.charAt(p.length() - 1) == '*';
            int len = prefix ? p.length() - 1 : p.length();
            int eq = t.indexOf('=', s, e);
            int nameEnd = eq < 0 ? e : eq;
            if (prefix ? nameEnd - s >= len && t.regionMatches(s, p, 0, len)
                    : nameEnd - s == len && t.regionMatches(s, p, 0, len)) {
                return true;
            }
        }
        return false;
    }
}
