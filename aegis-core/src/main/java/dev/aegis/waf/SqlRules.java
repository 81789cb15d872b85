package dev.aegis.waf;

/** The shapes of injected SQL, judged on the folded token sequence of one tokenizer pass. */
final class SqlRules {
    private SqlRules() {
    }

    private static boolean in(char c, String set) {
        return c != 0 && set.indexOf(c) >= 0;
    }

    private static boolean has(SqlInjection.Tokens t, int i, int flag) {
        return i >= 0 && i < t.n && (t.sub[i] & flag) != 0;
    }

    /** A '#' comment that reads as a hashtag or number sign ("#2 MOM"): '#' directly followed by a letter or digit. */
    private static boolean hashtag(SqlInjection.Tokens t, int i, CharSequence s) {
        int p = t.start[i] + 1;
        return t.sub[i] == '#' && p < t.end[i] && Character.isLetterOrDigit(s.charAt(p));
    }

    /** A comparison operator (=, <, >, LIKE, ...) at {@code i}. */
    private static boolean cmp(SqlInjection.Tokens t, int i) {
        return t.at(i) == 'o' && has(t, i, SqlTokenizer.F_CMP);
    }

    /** The name of the matched rule, or null. {@code quoteCtx}: token 0 is a string the input breaks out of. */
    static String match(SqlInjection.Tokens t, boolean quoteCtx, CharSequence s) {
        int n = t.n;
        if (n == 0) {
            return null;
        }
        // structure anywhere in the sequence
        for (int i = 0; i < n; i++) {
            char c = t.type[i];
            if (c == 'X') {
                return "dangerous function or object";
            }
            if (c == 'U') {
                int j = i + 1;
                while (t.at(j) == '(') {
                    j++;
                }
                if (t.at(j) == 'E') {
                    return "union select";
                }
            }
            if (c == ';' && in(t.at(i + 1), "ET")) {
                if (i == 0 || has(t, i + 1, SqlTokenizer.F_SHUTDOWN)) {
                    return "stacked query";
                }
                for (int j = i + 2; j < n && j < i + 5; j++) {
                    if (in(t.type[j], "kovfX(1sc;E")) {
                        return "stacked query";
                    }
                }
            }
            if (c == 'f' && i > 0 && in(t.type[i - 1], "&oE(,UBk;")) {
                return "function call";
            }
            if (c == 'f' && t.at(i + 1) == '(' && in(t.at(i + 2), "s1nvf") && cmp(t, i + 3)
                    && in(t.at(i + 4), "s1nvf(")) {
                return "function call";
            }
            if (c == 'E') {
                // SELECT <non-prose list> FROM, or a sub-select inside an expression
                boolean listy = false;
                for (int j = i + 1; j < n && j < i + 6; j++) {
                    char d = t.type[j];
                    if (has(t, j, SqlTokenizer.F_FROM)) {
                        if (listy) {
                            return "select from";
                        }
                        break;
                    }
                    if (in(d, "o1svf(,")) {
                        listy = true;
                    }
                }
                if (i > 0 && t.type[i - 1] == '(' && (i == 1 || in(t.type[i - 2], "o&f(,n"))
                        && in(t.at(i + 1), "1svfo(X")) {
                    return "sub-select";
                }
            }
        }
        if (n < 2) {
            return null;
        }
        char t0 = t.at(0);
        char t1 = t.at(1);
        char t2 = t.at(2);
        char t3 = t.at(3);
        boolean val0 = in(t0, "s1nv");
        // tautology / logic after a value: ' OR 1=1, 1 AND 2>1, x' || 'y
        if (val0 && t1 == '&' && in(t2, "s1nvf(")) {
            if (t2 == '(') {
                if (t3 == 'E' || in(t3, "s1nvf(") && in(t.at(4), "o&(),")) {
                    return "logic";
                }
            } else if (t0 == 's') {
                if (quoteCtx && (t3 == 0 || in(t3, "c;)&B") || cmp(t, 3) || t3 == 'o' && t2 != 'n')
                        || !quoteCtx && in(t2, "s1vf") && (in(t3, "c;") || cmp(t, 3))) {
                    return "logic";
                }
            } else if (t2 == 'n' || t0 == 'n') {
                if (cmp(t, 3) && in(t.at(4), "s1nvf(") || t3 == 'c' && t2 != 'n') {
                    return "logic";
                }
            } else {
                if (in(t3, "c;)&B") || cmp(t, 3) || t3 == 0 && in(t2, "svf")) {
                    return "logic";
                }
            }
        }
        // an injected condition with no left side: OR 1=1-- , HAVING 1=1, AND x=y
        if ((t0 == '&' || t0 == 'B' || t0 == 'k' && has(t, 0, SqlTokenizer.F_STRONG)) && in(t1, "s1nvf(")) {
            if (cmp(t, 2) && (t1 != 'n' || in(t3, "s1nvf(") && !has(t, 2, SqlTokenizer.F_WORDOP)) || t2 == 'c' && t1 != 'n' || t2 == '&' && t1 != 'n') {
                return "condition";
            }
        }
        if (t0 == 'B' && has(t, 0, SqlTokenizer.F_STRONG) && t1 == '1' && (t2 == 0 || t2 == 'c')) {
            return "condition";
        }
        // comparison after a broken-out string: '=' , 1'='1
        if (t0 == 's' && t1 == 'o') {
            if (quoteCtx && in(t2, "s1nvf") && t3 == 'c') {
                return "comparison";
            }
            boolean isCmp = cmp(t, 1);
            if (isCmp && in(t2, "s1vf(") && (t3 == 0 || in(t3, "c&o;)kB"))
                    || isCmp && quoteCtx && t2 == 'n' && (t3 == 0 || in(t3, "c&"))
                    && !has(t, 1, SqlTokenizer.F_WORDOP)) {
                return "comparison";
            }
            if (!isCmp && in(t2, "s1vf(") && (in(t3, "c&;") || cmp(t, 3))) {
                return "comparison";
            }
        }
        if (t0 == '1' && cmp(t, 1) && in(t2, "1svf(") && in(t3, "&c;")) {
            return "comparison";
        }
        // literal ended by a comment: admin'-- , 1/*
        if (t1 == 'c' && (t0 == 's' && quoteCtx && !hashtag(t, 1, s) || t0 == '1' && n == 2 && t.sub[1] != '#')) {
            return "comment";
        }
        // clause after a broken-out string: ' ORDER BY 1, ' COLLATE x, ' HAVING 1, admin';
        if (quoteCtx && t0 == 's') {
            if (t1 == 'B' && (has(t, 1, SqlTokenizer.F_STRONG) ? t2 != 0 : in(t2, "s1vf("))) {
                return "clause";
            }
            if (t1 == 'k' && has(t, 1, SqlTokenizer.F_STRONG) && in(t2, "s1vf(") && in(t3, "co&;")) {
                return "clause";
            }
            if (t1 == ';' && (t2 == 0 || t2 == 'c')) {
                return "stacked query";
            }
        }
        // a statement: DECLARE @x, EXEC(@q), DROP TABLE x, INSERT INTO x
        for (int i = 0; i < n; i++) {
            if (t.type[i] == 'T' && (i == 0 || t.type[i - 1] == ';')) {
                char a = t.at(i + 1);
                if (in(a, "vXs(") || a == 'k' && has(t, i + 1, SqlTokenizer.F_OBJ) && t.at(i + 2) == 'n'
                        && in(t.at(i + 3), ";(c,")) {
                    return "statement";
                }
            }
        }
        return null;
    }
}
