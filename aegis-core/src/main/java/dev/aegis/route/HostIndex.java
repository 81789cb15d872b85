package dev.aegis.route;

import java.util.Map;

/**
 * Host name to {@link PathIndex}, looked up by a region of the raw Host header with ASCII case folded on the
 * fly: the request's host is never copied, lower-cased or stripped of its port into a new string.
 * Open addressing with linear probing; keys are stored lower-case.
 */
final class HostIndex {

    static final HostIndex EMPTY = new HostIndex(Map.of());

    private final String[] keys;
    private final PathIndex[] values;
    private final int mask;
    private final int size;

    HostIndex(Map<String, PathIndex> entries) {
        int capacity = Integer.highestOneBit(Math.max(2, entries.size() * 2 + 1) - 1) << 1;
        keys = new String[capacity];
        values = new PathIndex[capacity];
        mask = capacity - 1;
        size = entries.size();
        for (Map.Entry<String, PathIndex> e : entries.entrySet()) {
            String key = e.getKey();
            int i = hash(key, 0, key.length()) & mask;
            while (keys[i] != null) {
                i = (i + 1) & mask;
            }
            keys[i] = key;
            values[i] = e.getValue();
        }
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The index for {@code host[from, to)} compared ASCII case-insensitively, or null. */
    PathIndex get(String host, int from, int to) {
        int length = to - from;
        for (int i = hash(host, from, to) & mask; ; i = (i + 1) & mask) {
            String key = keys[i];
            if (key == null) {
                return null;
            }
            if (key.length() == length && equalsIgnoreAsciiCase(key, host, from)) {
                return values[i];
            }
        }
    }

    private static int hash(String s, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + toLowerAscii(s.charAt(i));
        }
        return h ^ (h >>> 16);
    }

    /** {@code key} is lower-case already. */
    private static boolean equalsIgnoreAsciiCase(String key, String host, int from) {
        for (int i = 0; i < key.length(); i++) {
            if (key.charAt(i) != toLowerAscii(host.charAt(from + i))) {
                return false;
            }
        }
        return true;
    }

    /** ASCII only: host names on the wire are ASCII (IDNs travel as punycode), and Locale must not matter. */
    static char toLowerAscii(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }
}
