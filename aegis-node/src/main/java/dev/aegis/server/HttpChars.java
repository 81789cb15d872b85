package dev.aegis.server;

/** Character classes of RFC 9110 §5.6.2 (tchar) and the Host grammar, by table lookup. */
final class HttpChars {
    private static final boolean[] TCHAR = new boolean[128];
    private static final boolean[] HOST = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[Character.toUpperCase(c)] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
        // reg-name / IPv4 / IP-literal characters and ':' for the port (RFC 3986 §3.2.2).
        for (int c = 0; c < 128; c++) {
            HOST[c] = Character.isLetterOrDigit(c) && c < 128;
        }
        for (char c : "-._~!$&'()*+,;=:[]%".toCharArray()) {
            HOST[c] = true;
        }
    }

    private HttpChars() {
    }

    static boolean isTchar(byte b) {
        return b > 0 && TCHAR[b];
    }

    /**
     * A Host value (RFC 9110 §7.2, RFC 3986 §3.2.2): empty, or reg-name / IPv4 / {@code [IP-literal]}, optionally
     * followed by {@code :port} made of digits. Anything else (a second colon, a letter in the port) is refused,
     * since proxy and origin could read such a value differently.
     */
    static boolean isValidHost(byte[] v) {
        int n = v.length;
        int hostEnd = n;
        int i = 0;
        if (n > 0 && v[0] == '[') {
            while (i < n && v[i] != ']') {
                byte b = v[i];
                if (b <= 0 || !HOST[b]) {
                    return false;
                }
                i++;
            }
            if (i == n) {
                return false;
            }
            hostEnd = i + 1;
        } else {
            for (; i < n; i++) {
                byte b = v[i];
                if (b == ':') {
                    hostEnd = i;
                    break;
                }
                if (b <= 0 || !HOST[b] || b == '[' || b == ']') {
                    return false;
                }
            }
        }
        if (hostEnd == n) {
            return true;
        }
        if (v[hostEnd] != ':' || n - hostEnd - 1 > 5) {
            return false;
        }
        for (int p = hostEnd + 1; p < n; p++) {
            if (v[p] < '0' || v[p] > '9') {
                return false;
            }
        }
        return true;
    }
}
