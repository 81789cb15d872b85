package dev.aegis.waf;

/**
 * SQL-injection detector: classifies an input by the shape of its SQL tokens (the approach of libinjection), so
 * it generalises beyond keyword lists.
 *
 * <p>The input is tokenised three times: as-is, as if it started inside a single-quoted string and as if it started
 * inside a double-quoted string (the two quote contexts only when the input holds that quote). Each pass folds the
 * tokens into a short fingerprint of token types (at most {@link #MAX_TOKENS}) and a small set of structural rules
 * decides whether that shape is injected SQL: a broken-out string followed by a logic or comparison operator, a
 * literal followed by a comment, {@code UNION SELECT}, a stacked statement after {@code ;}, a dangerous function
 * call, and so on. Prose that merely contains SQL words has no such structure and stays clean.
 *
 * <p>Token types: {@code s} string, {@code 1} number / literal, {@code n} bareword, {@code v} variable,
 * {@code k} keyword, {@code U} union, {@code E} select, {@code T} statement (drop, insert, exec, ...),
 * {@code B} order by / group by / having / limit, {@code f} SQL function call, {@code X} evil (sleep(, into outfile,
 * information_schema, waitfor delay, @@version ...), {@code &} logic, {@code o} operator, {@code c} comment,
 * {@code ;}, {@code (}, {@code )}, {@code ,}.
 */
public final class SqlInjection {
    private SqlInjection() {
    }

    /** Only the first part of a huge value is inspected, so garbage cannot cost more than a bounded time. */
    static final int MAX_SCAN = 8192;
    static final int MAX_TOKENS = 16;

    // pre-check: characters that can take part in an injection's structure
    private static final boolean[] TRIGGER = new boolean[128];

    static {
        for (char c : "'\"`();#-/*=<>|&@".toCharArray()) {
            TRIGGER[c] = true;
        }
    }

    /** A finding when {@code input} (already URL/entity-decoded) reads as injected SQL; null when clean. */
    public static Finding detect(CharSequence input) {
        if (input == null) {
            return null;
        }
        int len = Math.min(input.length(), MAX_SCAN);
        if (len < 2) {
            return null;
        }
        boolean trigger = false;
        boolean single = false;
        boolean dbl = false;
        for (int i = 0; i < len; i++) {
            char c = input.charAt(i);
            if (c < 128 && TRIGGER[c]) {
                trigger = true;
                if (c == '\'') {
                    single = true;
                } else if (c == '"') {
                    dbl = true;
                }
            }
        }
        if (!trigger && !containsKeyword(input, len)) {
            return null;
        }
        Tokens t = TOKENS.get();
        Finding f = run(input, len, (char) 0, t);
        if (f == null && single) {
            f = run(input, len, '\'', t);
        }
        if (f == null && dbl) {
            f = run(input, len, '"', t);
        }
        return f;
    }

    /** Whether the value holds "union" or "select" (the shapes that need no punctuation), any case. */
    private static boolean containsKeyword(CharSequence s, int len) {
        for (int i = 0; i + 5 <= len; i++) {
            char c = (char) (s.charAt(i) | 0x20);
            if (c == 'u' && (s.charAt(i + 1) | 0x20) == 'n' && (s.charAt(i + 2) | 0x20) == 'i'
                    && (s.charAt(i + 3) | 0x20) == 'o' && (s.charAt(i + 4) | 0x20) == 'n') {
                return true;
            }
            if (c == 's' && i + 6 <= len && (s.charAt(i + 1) | 0x20) == 'e' && (s.charAt(i + 2) | 0x20) == 'l'
                    && (s.charAt(i + 3) | 0x20) == 'e' && (s.charAt(i + 4) | 0x20) == 'c'
                    && (s.charAt(i + 5) | 0x20) == 't') {
                return true;
            }
        }
        return false;
    }

    private static Finding run(CharSequence s, int len, char ctx, Tokens t) {
        SqlTokenizer.tokenize(s, len, ctx, t);
        String rule = SqlRules.match(t, ctx != 0, s);
        if (rule == null) {
            return null;
        }
        int from = t.start[0];
        int to = t.end[t.n - 1];
        if (to - from > 120) {
            to = from + 120;
        }
        String ctxName = ctx == 0 ? "as-is" : ctx == '\'' ? "single-quote" : "double-quote";
        return new Finding(s.subSequence(from, Math.max(from, to)).toString(),
                "sqli " + rule + " fingerprint " + t.fingerprint() + " (" + ctxName + " context)");
    }

    /** Each thread's token buffer: every pass refills it from the start, and nothing keeps it past a pass. */
    private static final ThreadLocal<Tokens> TOKENS = ThreadLocal.withInitial(Tokens::new);

    /** The folded token sequence of one pass. */
    static final class Tokens {
        final char[] type = new char[MAX_TOKENS];
        final int[] start = new int[MAX_TOKENS];
        final int[] end = new int[MAX_TOKENS];
        /** Extra detail per token: the keyword id for words, the operator for operators. */
        final int[] sub = new int[MAX_TOKENS];
        int n;

        String fingerprint() {
            return new String(type, 0, n);
        }

        char at(int i) {
            return i < n && i >= 0 ? type[i] : 0;
        }
    }
}
