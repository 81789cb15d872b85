package dev.aegis.admin;

import java.util.List;

/**
 * Writes JSON strings by hand (the admin answers are a few fixed shapes, not worth a JSON library in the node).
 * Escaping follows RFC 8259 §7, plus a few characters escaped so the output is safe wherever it ends up.
 */
final class Json {
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
        dev.aegis.server.JsonString.appendQuoted(out, s);
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

}
