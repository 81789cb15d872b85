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

    /** A Host value: non-empty is not required (RFC 9112 §3.2 allows empty), characters from the URI grammar. */
    static boolean isValidHost(byte[] v) {
        for (byte b : v) {
            if (b <= 0 || !HOST[b]) {
                return false;
            }
        }
        return true;
    }
}
