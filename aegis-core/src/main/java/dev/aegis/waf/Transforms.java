package dev.aegis.waf;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/** Stateless value transformations. None throws on malformed input; they report it through {@link Flags}. */
final class Transforms {
    private Transforms() {
    }

    /** Anomalies seen while decoding. */
    static final class Flags {
        boolean badPercent;
        boolean badUtf8;
        boolean overlong;
        boolean nullByte;
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** One pass of percent-decoding (and {@code %uXXXX}), then a lenient UTF-8 decode. */
    static String urlDecode(String s, boolean plusAsSpace, Flags flags) {
        if (s.indexOf('%') < 0 && (!plusAsSpace || s.indexOf('+') < 0)) {
            return unchanged(s, flags);
        }
        int len = s.length();
        // An escape or an ASCII character gives at most as many bytes as it has characters; only a character
        // above 0x7F gives more (up to 3), and the buffer grows for those. Sizing it for three bytes a character
        // up front cost 3 MB of zeroed memory per pass over a 1 MiB value.
        byte[] out = new byte[len + 16];
        int n = 0;
        boolean changed = false; // an escape decoded, a plus made a space, or a character above 0x7F re-encoded
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 < len && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
                    out[n++] = (byte) (hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
                    i += 2;
                    changed = true;
                    continue;
                }
                if (i + 5 < len && (s.charAt(i + 1) == 'u' || s.charAt(i + 1) == 'U') && hex(s.charAt(i + 2)) >= 0
                        && hex(s.charAt(i + 3)) >= 0 && hex(s.charAt(i + 4)) >= 0 && hex(s.charAt(i + 5)) >= 0) {
                    int cp = (hex(s.charAt(i + 2)) << 12) | (hex(s.charAt(i + 3)) << 8) | (hex(s.charAt(i + 4)) << 4)
                            | hex(s.charAt(i + 5));
                    n = putUtf8(out, n, cp);
                    i += 5;
                    changed = true;
                    continue;
                }
                if (flags != null) {
                    flags.badPercent = true;
                }
                out[n++] = '%';
            } else if (c == '+' && plusAsSpace) {
                out[n++] = ' ';
                changed = true;
            } else if (c < 0x80) {
                out[n++] = (byte) c;
            } else {
                if (n + 3 + (len - i) > out.length) {
                    out = java.util.Arrays.copyOf(out, Math.max(out.length * 2, n + 3 + (len - i)));
                }
                n = putUtf8(out, n, c);
                changed = true;
            }
        }
        if (!changed) {
            // only stray percent signs: the value as it was (UTF-8 of ASCII decodes to itself), and the repeat
            // loop sees at once that nothing changed
            return unchanged(s, flags);
        }
        return utf8(out, 0, n, flags);
    }

    /** {@code s} as a decoding pass that changed nothing returns it, flagging a NUL as the UTF-8 decode would. */
    private static String unchanged(String s, Flags flags) {
        if (flags != null && s.indexOf('\0') >= 0) {
            flags.nullByte = true;
        }
        return s;
    }

    private static int putUtf8(byte[] out, int n, int cp) {
        if (cp < 0x80) {
            out[n++] = (byte) cp;
        } else if (cp < 0x800) {
            out[n++] = (byte) (0xC0 | (cp >> 6));
            out[n++] = (byte) (0x80 | (cp & 0x3F));
        } else {
            out[n++] = (byte) (0xE0 | (cp >> 12));
            out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            out[n++] = (byte) (0x80 | (cp & 0x3F));
        }
        return n;
    }

    /**
     * Lenient UTF-8: overlong forms decode to the character they spell (so {@code %c0%ae} is a dot) and are flagged;
     * invalid bytes become Latin-1 characters and are flagged.
     */
    private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
            long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    static String utf8(byte[] b, int off, int end, Flags flags) {
        // All ASCII (the usual body): UTF-8 and Latin-1 agree and the bulk copy is much faster. An OR over the
        // bytes, eight at a time, tells whether any has its high bit set.
        long any = 0;
        int k = off;
        for (; k + 8 <= end; k += 8) {
            any |= (long) LONGS.get(b, k);
        }
        for (; k < end; k++) {
            any |= b[k];
        }
        if ((any & 0x8080808080808080L) == 0) {
            String ascii = new String(b, off, end - off, StandardCharsets.ISO_8859_1);
            if (flags != null && ascii.indexOf('\0') >= 0) {
                flags.nullByte = true;
            }
            return ascii;
        }
        // else the ASCII prefix (shorter than the input: some byte has its high bit), then character by character
        int i = off;
        boolean nul = false;
        while (i < end && b[i] >= 0) {
            nul |= b[i] == 0;
            i++;
        }
        if (nul && flags != null) {
            flags.nullByte = true;
        }
        StringBuilder sb = new StringBuilder(end - off);
        sb.append(new String(b, off, i - off, StandardCharsets.ISO_8859_1));
        while (i < end) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                if (c == 0 && flags != null) {
                    flags.nullByte = true;
                }
                sb.append((char) c);
                i++;
            } else if (c >= 0xC0 && c < 0xE0 && i + 1 < end && (b[i + 1] & 0xC0) == 0x80) {
                int cp = ((c & 0x1F) << 6) | (b[i + 1] & 0x3F);
                if (cp < 0x80 && flags != null) {
                    flags.overlong = true;
                }
                sb.append((char) cp);
                i += 2;
            } else if (c >= 0xE0 && c < 0xF0 && i + 2 < end && (b[i + 1] & 0xC0) == 0x80 && (b[i + 2] & 0xC0) == 0x80) {
                int cp = ((c & 0x0F) << 12) | ((b[i + 1] & 0x3F) << 6) | (b[i + 2] & 0x3F);
                if (cp < 0x800 && flags != null) {
                    flags.overlong = true;
                }
                sb.append((char) cp);
                i += 3;
            } else if (c >= 0xF0 && c < 0xF8 && i + 3 < end && (b[i + 1] & 0xC0) == 0x80 && (b[i + 2] & 0xC0) == 0x80
                    && (b[i + 3] & 0xC0) == 0x80) {
                int cp = ((c & 0x07) << 18) | ((b[i + 1] & 0x3F) << 12) | ((b[i + 2] & 0x3F) << 6) | (b[i + 3] & 0x3F);
                if (cp < 0x80) {
                    if (flags != null) {
                        flags.overlong = true;
                    }
                    sb.append((char) cp);
                } else if (cp <= 0x10FFFF) {
                    sb.appendCodePoint(cp);
                } else {
                    sb.append('\uFFFD');
                }
                i += 4;
            } else {
                if (flags != null) {
                    flags.badUtf8 = true;
                }
                sb.append((char) c);
                i++;
            }
        }
        return sb.toString();
    }

    static String utf8(byte[] b, Flags flags) {
        return utf8(b, 0, b.length, flags);
    }

    /** URL-decodes repeatedly while the value changes, at most {@code max} passes. */
    static String urlDecodeRepeat(String s, int max, Flags flags) {
        String cur = s;
        for (int i = 0; i < max && cur.indexOf('%') >= 0; i++) {
            String nx = urlDecode(cur, false, flags);
            if (nx.equals(cur)) {
                break;
            }
            cur = nx;
        }
        return cur;
    }

    private static final Map<String, Character> ENTITIES = Map.ofEntries(
            Map.entry("lt", '<'), Map.entry("gt", '>'), Map.entry("amp", '&'), Map.entry("quot", '"'),
            Map.entry("apos", '\''), Map.entry("nbsp", ' '), Map.entry("colon", ':'), Map.entry("lpar", '('),
            Map.entry("rpar", ')'), Map.entry("sol", '/'), Map.entry("bsol", '\\'), Map.entry("tab", '\t'),
            Map.entry("newline", '\n'), Map.entry("semi", ';'), Map.entry("comma", ','), Map.entry("period", '.'),
            Map.entry("excl", '!'), Map.entry("num", '#'), Map.entry("dollar", '$'), Map.entry("percnt", '%'),
            Map.entry("plus", '+'), Map.entry("equals", '='), Map.entry("lowbar", '_'), Map.entry("grave", '`'),
            Map.entry("lbrace", '{'), Map.entry("rbrace", '}'), Map.entry("lsqb", '['), Map.entry("rsqb", ']'),
            Map.entry("lcub", '{'), Map.entry("rcub", '}'), Map.entry("vert", '|'), Map.entry("ast", '*'),
            Map.entry("quest", '?'), Map.entry("hyphen", '-'), Map.entry("dash", '-'), Map.entry("commat", '@'));

    /** HTML entity decode: common named entities, {@code &#dd;} and {@code &#xhh;} (semicolon optional). */
    static String htmlDecode(String s) {
        int amp = s.indexOf('&');
        if (amp < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        sb.append(s, 0, amp);
        int len = s.length();
        int i = amp;
        while (i < len) {
            char c = s.charAt(i);
            if (c != '&') {
                sb.append(c);
                i++;
                continue;
            }
            int j = i + 1;
            if (j < len && s.charAt(j) == '#') {
                j++;
                boolean hx = j < len && (s.charAt(j) == 'x' || s.charAt(j) == 'X');
                if (hx) {
                    j++;
                }
                int start = j;
                long v = 0;
                while (j < len && j - start < 10 && (hx ? hex(s.charAt(j)) >= 0 : Character.isDigit(s.charAt(j)))) {
                    v = v * (hx ? 16 : 10) + (hx ? hex(s.charAt(j)) : s.charAt(j) - '0');
                    j++;
                }
                if (j > start && v > 0 && v <= 0x10FFFF) {
                    sb.appendCodePoint((int) v);
                    if (j < len && s.charAt(j) == ';') {
                        j++;
                    }
                    i = j;
                    continue;
                }
                sb.append('&');
                i++;
                continue;
            }
            int start = j;
            while (j < len && j - start < 10 && Character.isLetter(s.charAt(j))) {
                j++;
            }
            Character r = j > start ? ENTITIES.get(s.substring(start, j).toLowerCase(java.util.Locale.ROOT)) : null;
            if (r != null) {
                sb.append(r.charValue());
                if (j < len && s.charAt(j) == ';') {
                    j++;
                }
                i = j;
            } else {
                sb.append('&');
                i++;
            }
        }
        return sb.toString();
    }

    /** backslash-x, backslash-u escapes and braced forms escapes. */
    static String unescape(String s) {
        int bs = s.indexOf('\\');
        if (bs < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        sb.append(s, 0, bs);
        int len = s.length();
        for (int i = bs; i < len; i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < len) {
                char t = s.charAt(i + 1);
                if ((t == 'x' || t == 'X') && i + 3 < len && hex(s.charAt(i + 2)) >= 0 && hex(s.charAt(i + 3)) >= 0) {
                    sb.append((char) (hex(s.charAt(i + 2)) * 16 + hex(s.charAt(i + 3))));
                    i += 3;
                    continue;
                }
                if ((t == 'u' || t == 'U') && i + 5 < len && hex(s.charAt(i + 2)) >= 0 && hex(s.charAt(i + 3)) >= 0
                        && hex(s.charAt(i + 4)) >= 0 && hex(s.charAt(i + 5)) >= 0) {
                    sb.append((char) ((hex(s.charAt(i + 2)) << 12) | (hex(s.charAt(i + 3)) << 8)
                            | (hex(s.charAt(i + 4)) << 4) | hex(s.charAt(i + 5))));
                    i += 5;
                    continue;
                }
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** Fullwidth ASCII forms (U+FF01..U+FF5E) folded to ASCII, as IIS and some normalisers do. */
    static String foldFullwidth(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0xFF01 && c <= 0xFF5E) {
                if (sb == null) {
                    sb = new StringBuilder(s);
                }
                sb.setCharAt(i, (char) (c - 0xFF01 + 0x21));
            }
        }
        return sb == null ? s : sb.toString();
    }

    static String removeNulls(String s) {
        return s.indexOf('\0') < 0 ? s : s.replace("\0", "");
    }

    /** Lower case (ASCII and Latin), whitespace runs (incl. vertical tab, form feed, NBSP) compressed to one space. */
    static String lowerCompress(String s) {
        int shape = caseAndSpaceShape(s);
        if (shape == 0) {
            return s; // the common case, and the same instance lets the prefilter reuse its scan
        }
        if (shape == 1) {
            return s.toLowerCase(Locale.ROOT); // only ASCII capitals to fold: the JDK's fast path
        }
        // Into a char array with ASCII folded inline: a StringBuilder's per-character append and
        // Character.toLowerCase on every character took 2.5 ms for a 1 MiB multipart value, this 1.3 ms.
        char[] out = new char[s.length()];
        int n = 0;
        boolean ws = false;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == '\f' || c == 0xA0) {
                if (!ws) {
                    out[n++] = ' ';
                }
                ws = true;
                continue;
            }
            ws = false;
            out[n++] = c < 0x80 ? (c >= 'A' && c <= 'Z' ? (char) (c | 0x20) : c) : Character.toLowerCase(c);
        }
        return new String(out, 0, n);
    }

    /**
     * 0: already lower-case ASCII with single spaces; 1: only ASCII capitals to fold; 2: anything else (whitespace
     * runs, control or non-ASCII characters).
     */
    private static int caseAndSpaceShape(String s) {
        int shape = 0;
        char prev = 'x';
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < ' ' || c >= 0x7F || c == ' ' && prev == ' ') {
                return 2;
            }
            if (c >= 'A' && c <= 'Z') {
                shape = 1;
            }
            prev = c;
        }
        return shape;
    }

    /** Whitespace as {@link #lowerCompress} sees it: space, tab, CR, LF, vertical tab, form feed, NBSP. */
    private static boolean whitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == '\f' || c == 0xA0;
    }

    /** Whitespace runs compressed to one space, case kept (custom rules lower-case only when told to). */
    static String compressWhitespace(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean ws = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (whitespace(c)) {
                if (!ws) {
                    sb.append(' ');
                }
                ws = true;
            } else {
                ws = false;
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Every whitespace character removed. */
    static String removeWhitespace(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!whitespace(c)) {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * Base64 or base64url decoded, as lenient UTF-8. Whitespace is skipped; decoding stops at padding or the first
     * other character outside the alphabet (as ModSecurity's {@code t:base64Decode} does), keeping what came before.
     */
    static String base64Decode(String s) {
        byte[] out = new byte[s.length() * 3 / 4 + 3];
        int n = 0;
        int bits = 0;
        int count = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int v;
            if (c >= 'A' && c <= 'Z') {
                v = c - 'A';
            } else if (c >= 'a' && c <= 'z') {
                v = c - 'a' + 26;
            } else if (c >= '0' && c <= '9') {
                v = c - '0' + 52;
            } else if (c == '+' || c == '-') {
                v = 62;
            } else if (c == '/' || c == '_') {
                v = 63;
            } else if (whitespace(c)) {
                continue;
            } else {
                break;
            }
            bits = (bits << 6) | v;
            count += 6;
            if (count >= 8) {
                count -= 8;
                out[n++] = (byte) (bits >> count);
                bits &= (1 << count) - 1;
            }
        }
        return utf8(out, 0, n, null);
    }

    /** Path normalisation without resolving {@code ..}: backslashes to slashes, doubled slashes and {@code /./} collapsed. */
    static String normalizePath(String s) {
        if (s.indexOf('\\') < 0 && s.indexOf("//") < 0 && s.indexOf("/./") < 0) {
            return s; // nothing to normalise; the same instance lets the prefilter reuse its scan
        }
        char[] out = new char[s.length()]; // never longer than the input (see shell)
        int n = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                c = '/';
            }
            if (c == '/' && n > 0 && out[n - 1] == '/') {
                continue;
            }
            if (c == '/' && n >= 2 && out[n - 1] == '.' && out[n - 2] == '/') {
                n--;
                continue;
            }
            out[n++] = c;
        }
        return new String(out, 0, n);
    }

    /** SQL comments ({@code /* *\/}, {@code --}, {@code #} to end of line) replaced by a space. */
    static String removeSqlComments(String s) {
        if (s.indexOf("/*") < 0 && s.indexOf("--") < 0 && s.indexOf('#') < 0) {
            return s;
        }
        int len = s.length();
        char[] out = new char[len]; // never longer than the input (see shell)
        int n = 0;
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c == '/' && i + 1 < len && s.charAt(i + 1) == '*') {
                int e = s.indexOf("*/", i + 2);
                i = e < 0 ? len : e + 1;
                out[n++] = ' ';
            } else if ((c == '-' && i + 1 < len && s.charAt(i + 1) == '-') || c == '#') {
                int e = s.indexOf('\n', i);
                i = e < 0 ? len : e;
                out[n++] = ' ';
            } else {
                out[n++] = c;
            }
        }
        return new String(out, 0, n);
    }

    /**
     * Shell command-line normalisation of a lower-cased value: quotes, carets and backslashes between word
     * characters removed; {@code $IFS}, {@code ${IFS}}, {@code $IFS$9}, {@code $@}, {@code $*}-style empty expansions
     * turned into a space or removed.
     */
    static String shell(String s) {
        // A char array rather than a StringBuilder: the result is at most as long as the input, and per-character
        // appends doubled the cost on megabyte values (as in lowerCompress)
        int len = s.length();
        char[] out = new char[len];
        int n = 0;
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"' || c == '^') {
                continue;
            }
            if (c == '\\') {
                if (i + 1 < len && s.charAt(i + 1) != '\\') {
                    continue;
                }
                out[n++] = c;
                continue;
            }
            if (c == '$') {
                if (s.startsWith("${ifs}", i)) {
                    out[n++] = ' ';
                    i += 5;
                    continue;
                }
                if (s.startsWith("$ifs", i)) {
                    out[n++] = ' ';
                    i += 3;
                    if (i + 2 < len && s.charAt(i + 1) == '$' && Character.isDigit(s.charAt(i + 2))) {
                        i += 2;
                    }
                    continue;
                }
                if (i + 1 < len && (s.charAt(i + 1) == '@' || s.charAt(i + 1) == '*' || Character.isDigit(s.charAt(i + 1)))) {
                    i += 1;
                    continue;
                }
                if (i + 2 < len && s.charAt(i + 1) == '{' && s.charAt(i + 2) == '}') {
                    i += 2;
                    continue;
                }
                // empty expansions spliced into a word: c$$at, c$_at, uname$u -a, /etc$u/passwd
                char prev = n == 0 ? ' ' : out[n - 1];
                if (prev >= 'a' && prev <= 'z' && i + 1 < len) {
                    char n1 = s.charAt(i + 1);
                    if (n1 == '$' || n1 == '_') {
                        i += 1;
                        continue;
                    }
                    if (n1 >= 'a' && n1 <= 'z') {
                        int e = i + 2;
                        if (e < len && s.charAt(e) >= 'a' && s.charAt(e) <= 'z') {
                            e++;
                        }
                        if (e >= len || !Character.isLetterOrDigit(s.charAt(e)) && s.charAt(e) != '_' && s.charAt(e) != '=') {
                            i = e - 1;
                            continue;
                        }
                    }
                }
            }
            out[n++] = c;
        }
        return new String(out, 0, n);
    }

    /**
     * Log4j lookup de-obfuscation of a lower-cased value: innermost {@code ${...}} lookups that only spell
     * characters ({@code ${lower:j}}, {@code ${upper:j}}, {@code ${::-j}}, {@code ${env:X:-j}}) are replaced by what they
     * spell, repeatedly (bounded).
     *
     * <p>One left-to-right pass (the result is the one of rescanning from the start after each replacement, at most
     * 64 replacements): the text before a replacement is unchanged, so the scan resumes right after it, and only the
     * two edges of the replacement can start a new {@code ${}. The lookup bodies examined are bounded to 8 times the
     * input (only deliberately nested input reaches that bound; what is left is returned as it is), so the cost is
     * linear where rescanning was 64 passes over the whole value.
     */
    static String jndi(String s) {
        int first = s.indexOf("${");
        if (first < 0) {
            return s;
        }
        int len = s.length();
        StringBuilder out = new StringBuilder(len);
        out.append(s, 0, first);
        int[] opens = new int[8]; // positions in out of the "${" seen since the last lookup that did not resolve
        int depth = 0;
        long budget = 8L * len + 1024;
        int replaced = 0;
        for (int i = first; i < len; i++) {
            char c = s.charAt(i);
            if (c == '}' && depth > 0) {
                int open = opens[depth - 1];
                int from = open + 2;
                int to = out.length();
                budget -= to - from;
                int rep = budget < 0 ? -2 : lookupValue(out, from, to);
                if (rep == -2) {
                    return out.append(s, i, len).toString();
                }
                if (rep < 0) {
                    depth = 0;
                    out.append(c);
                    continue;
                }
                depth--;
                out.delete(open, rep);
                int e = out.length();
                int next = i + 1 < len ? s.charAt(i + 1) : -1;
                // a "${" may now start just before the replacement or at its last character
                if (open > 0 && out.charAt(open - 1) == '$' && (e > open ? out.charAt(open) : next) == '{') {
                    opens = push(opens, depth++, open - 1);
                }
                if (e > open && out.charAt(e - 1) == '$' && next == '{') {
                    opens = push(opens, depth++, e - 1);
                }
                if (++replaced == 64) {
                    return out.append(s, i + 1, len).toString();
                }
                continue;
            }
            if (c == '$' && i + 1 < len && s.charAt(i + 1) == '{') {
                opens = push(opens, depth++, out.length());
            }
            out.append(c);
        }
        return out.toString();
    }

    private static int[] push(int[] a, int n, int v) {
        if (n == a.length) {
            a = java.util.Arrays.copyOf(a, n * 2);
        }
        a[n] = v;
        return a;
    }

    /**
     * Where the text a lookup body {@code b[from, to)} spells starts, or -1: after its first {@code :-} (a default
     * value), else after a leading {@code lower:} or {@code upper:}.
     */
    private static int lookupValue(StringBuilder b, int from, int to) {
        for (int k = from; k + 1 < to; k++) {
            if (b.charAt(k) == ':' && b.charAt(k + 1) == '-') {
                return k + 2;
            }
        }
        if (to - from >= 6 && b.charAt(from + 5) == ':' && (regionIs(b, from, "lower") || regionIs(b, from, "upper"))) {
            return from + 6;
        }
        return -1;
    }

    private static boolean regionIs(StringBuilder b, int from, String word) {
        for (int k = 0; k < word.length(); k++) {
            if (b.charAt(from + k) != word.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** The text a base64 (or base64url) value spells, when it is long enough and decodes to mostly printable text. */
    static String base64Text(String s) {
        int len = s.length();
        if (len < 8 || len > 65536) {
            return null;
        }
        int pad = 0;
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c == '=') {
                pad++;
                if (i < len - 2) {
                    return null;
                }
            } else if (c > 0x7F || BASE64[c] < 0 || pad > 0) {
                return null;
            }
        }
        int chars = len - pad;
        if (chars % 4 == 1) {
            return null; // no encoder produces this length
        }
        int bytes = chars / 4 * 3 + Math.max(0, chars % 4 - 1);
        if (bytes < 6) {
            return null;
        }
        // Decoded on the fly, giving up as soon as more than 5% of the bytes are unprintable: most long tokens (hex
        // ids, hashes, random session keys) are binary once decoded and fail within the first few bytes.
        int allowed = bytes / 20;
        byte[] out = new byte[bytes];
        int o = 0;
        int acc = 0;
        int bits = 0;
        for (int i = 0; i < chars; i++) {
            acc = acc << 6 | BASE64[s.charAt(i)];
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                int c = acc >>> bits & 0xFF;
                if (!((c >= 0x20 && c < 0x7F) || c == '\n' || c == '\r' || c == '\t') && --allowed < 0) {
                    return null;
                }
                out[o++] = (byte) c;
            }
        }
        return new String(out, 0, o, StandardCharsets.ISO_8859_1);
    }

    /** Base64 and base64url alphabets together: value of each character, -1 for others. */
    private static final byte[] BASE64 = new byte[128];

    static {
        java.util.Arrays.fill(BASE64, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < 64; i++) {
            BASE64[alphabet.charAt(i)] = (byte) i;
        }
        BASE64['-'] = 62;
        BASE64['_'] = 63;
    }
}
