package dev.aegis.server;

/**
 * Writes JSON string literals (RFC 8259 §7). The node's few JSON outputs (access and audit logs, admin answers,
 * the mock origin's echo) are small fixed shapes written by hand, which keeps a JSON library off the runtime.
 */
public final class JsonString {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonString() {
    }

    /** Appends {@code s} as a quoted JSON string. */
    public static void appendQuoted(StringBuilder out, CharSequence s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        unicode(out, c); // RFC 8259 §7: control characters must be escaped (DEL for good measure)
                    } else if (c == '\u2028' || c == '\u2029') {
                        unicode(out, c); // legal JSON, but line terminators in JavaScript before ES2019
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        // A lone surrogate has no UTF-8 form: escaped, it survives instead of becoming '?'.
                        unicode(out, c);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void unicode(StringBuilder out, char c) {
        out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf])
                .append(HEX[c & 0xf]);
    }
}
