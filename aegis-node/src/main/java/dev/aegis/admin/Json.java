package dev.aegis.admin;

import java.util.List;

/**
 * Writes JSON strings by hand (the admin answers are a few fixed shapes, not worth a JSON library in the node).
 * Escaping follows RFC 8259 §7, plus a few characters escaped so the output is safe wherever it ends up.
 */
final class Json {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Json() {
    }

    /** {@code s} as a quoted JSON string. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2);
        quote(out, s);
        return out.toString();
    }

    /** Appends {@code s} as a quoted JSON string. */
    static void quote(StringBuilder out, String s) {
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

    /** {@code items} as a JSON array of strings. */
    static String stringArray(List<String> items) {
        StringBuilder out = new StringBuilder(2 + items.size() * 32);
        out.append('[');
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            quote(out, items.get(i));
        }
        return out.append(']').toString();
    }

    private static void unicode(StringBuilder out, char c) {
        out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf])
                .append(HEX[c & 0xf]);
    }
}
