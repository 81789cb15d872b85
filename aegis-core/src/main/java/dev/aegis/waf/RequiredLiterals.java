package dev.aegis.waf;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Finds, for a regular expression, a set of literal strings of which every match must contain at least one (the
 * idea of RE2's FilteredRE2 and Hyperscan's literal prefilter). The WAF scans each value once for the literals of all
 * rules and runs a rule's regex only when one of its literals is present, so a clean value never reaches the regex
 * engine.
 *
 * <p>Sound by construction, not by tuning: every construct it does not understand (flags, lookaround, back
 * references, unusual escapes) makes the result "no literals", and the regex then always runs. Literals are
 * lower-cased, because the scan compares lower-cased text; for a case-sensitive regex that only widens the filter.
 */
final class RequiredLiterals {
    /** Literals shorter than this are useless as a filter (a byte class trigger already covers them). */
    static final int MIN_LENGTH = 2;
    private static final int MAX_EXACT = 64;
    private static final int MAX_LITERAL = 24;

    private final String re;
    private int i;

    private RequiredLiterals(String re) {
        this.re = re;
    }

    /**
     * The literals, each at least {@link #MIN_LENGTH} long and Latin-1, lower-cased; null when none can be proved
     * necessary (the caller must then always run the regex).
     */
    static String[] of(String regex) {
        try {
            RequiredLiterals p = new RequiredLiterals(regex);
            Info info = p.alternation();
            if (p.i != regex.length()) {
                return null;
            }
            Set<String> set = info.anySet();
            if (set == null || set.isEmpty()) {
                return null;
            }
            for (String s : set) {
                if (s.length() < MIN_LENGTH) {
                    return null;
                }
                for (int k = 0; k < s.length(); k++) {
                    if (s.charAt(k) > 0xFF) {
                        return null;
                    }
                }
            }
            return set.stream().map(s -> s.toLowerCase(Locale.ROOT)).distinct().toArray(String[]::new);
        } catch (Unsupported | RuntimeException e) {
            return null;
        }
    }

    /**
     * Every set of literals of which each match of {@code regex} contains a member, lower-cased, single characters
     * included (a regex rule checks them with {@code contains} before it runs, not with the automaton); null when
     * none is known. {@code [$#%]\\{[^}]{0,200}?(?:runtime|\\.class|@)} gives <code>${ #{ %{</code> and
     * {@code runtime .class @}: text with lookups but none of those words need not reach the regex engine.
     */
    static String[][] requiredSets(String regex) {
        try {
            RequiredLiterals p = new RequiredLiterals(regex);
            Info info = p.alternation();
            if (p.i != regex.length()) {
                return null;
            }
            List<String[]> out = new ArrayList<>();
            sets:
            for (Set<String> set : info.required()) {
                if (set.isEmpty()) {
                    continue;
                }
                for (String lit : set) {
                    if (lit.isEmpty() || lit.chars().anyMatch(ch -> ch > 0xFF)) {
                        continue sets;
                    }
                }
                out.add(set.stream().map(l -> l.toLowerCase(Locale.ROOT)).distinct().toArray(String[]::new));
            }
            return out.isEmpty() ? null : out.toArray(new String[0][]);
        } catch (Unsupported | RuntimeException e) {
            return null;
        }
    }

    /**
     * Byte-class requirements of {@code regex}: it can only match text that has every class of at least one of the
     * returned masks (see {@link Value}); null when nothing is required. Letters and whitespace are never required
     * (case folding and whitespace compression can produce them), and the caller drops classes that its view can
     * create from others.
     */
    static int[] classMasks(String regex) {
        try {
            RequiredLiterals p = new RequiredLiterals(regex);
            Info info = p.alternation();
            if (p.i != regex.length()) {
                return null;
            }
            for (int m : info.masks()) {
                if (m == 0) {
                    return null;
                }
            }
            return info.masks().clone();
        } catch (Unsupported | RuntimeException e) {
            return null;
        }
    }

    private static final int MAX_MASKS = 64;

    /**
     * The top-level alternatives of {@code regex} ({@code a|b|c} gives {@code a}, {@code b}, {@code c}), or null when
     * it has only one, or one of them is empty, or it starts with flags (which would not carry over).
     */
    static java.util.List<String> branches(String regex) {
        if (regex.startsWith("(?") && !regex.startsWith("(?:")) {
            return null;
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        int depth = 0;
        int start = 0;
        boolean inClass = false;
        for (int k = 0; k < regex.length(); k++) {
            char c = regex.charAt(k);
            if (c == '\\') {
                k++;
            } else if (inClass) {
                if (c == ']') {
                    inClass = false;
                }
            } else if (c == '[') {
                inClass = true;
                if (k + 1 < regex.length() && regex.charAt(k + 1) == '^') {
                    k++;
                }
                if (k + 1 < regex.length() && regex.charAt(k + 1) == ']') {
                    k++; // a leading ']' is a member
                }
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == '|' && depth == 0) {
                out.add(regex.substring(start, k));
                start = k + 1;
            }
        }
        out.add(regex.substring(start));
        if (out.size() < 2 || out.stream().anyMatch(String::isEmpty) || depth != 0) {
            return null;
        }
        return out;
    }

    /** Every alternative of {@code a} together with every one of {@code b}. */
    private static int[] andMasks(int[] a, int[] b) {
        if (a.length * b.length > MAX_MASKS) {
            // too many combinations: requiring one side alone is weaker but still true; keep the more selective
            return minBits(a) >= minBits(b) ? a : b;
        }
        int[] out = new int[a.length * b.length];
        int k = 0;
        for (int x : a) {
            for (int y : b) {
                out[k++] = x | y;
            }
        }
        return out;
    }

    /** Either alternative. */
    private static int[] orMasks(int[] a, int[] b) {
        if (a.length + b.length > MAX_MASKS) {
            // too many alternatives: fold the longer list into what all its alternatives share
            if (a.length >= b.length) {
                a = new int[] {intersection(a)};
            } else {
                b = new int[] {intersection(b)};
            }
            if (a.length + b.length > MAX_MASKS) {
                return new int[] {intersection(a) & intersection(b)};
            }
        }
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static int minBits(int[] masks) {
        int min = Integer.MAX_VALUE;
        for (int m : masks) {
            min = Math.min(min, Integer.bitCount(m));
        }
        return min;
    }

    /** What every alternative requires (a weaker but single requirement). */
    private static int intersection(int[] masks) {
        int m = -1;
        for (int x : masks) {
            m &= x;
        }
        return m;
    }

    /** The class a literal character requires, or 0 for letters and whitespace (views can produce them). */
    private static int classOf(char c) {
        if (c > 0xFF || Character.isLetter(c) || c == ' ' || c == 0xA0) {
            return 0;
        }
        return Value.classOf(c);
    }

    /**
     * What is known about the strings a sub-expression matches; {@code all}, when known, is every set of which a
     * match contains a member (the factors of a concatenation each have one), else null.
     */
    private record Info(Set<String> exact, Set<String> any, int[] masks, List<Set<String>> all) {
        static final int[] NONE = {0};
        static final Info NOTHING = new Info(null, null, NONE);
        static final Info EMPTY = new Info(Set.of(""), null, NONE);

        Info(Set<String> exact, Set<String> any) {
            this(exact, any, NONE);
        }

        Info(Set<String> exact, Set<String> any, int[] masks) {
            this(exact, any, masks, null);
        }

        Info withMasks(int[] m) {
            return new Info(exact, any, m, all);
        }

        /** Every set of which a match contains a member: {@link #all}, or the one {@link #anySet()}. */
        List<Set<String>> required() {
            if (all != null) {
                return all;
            }
            Set<String> one = anySet();
            return one == null ? List.of() : List.of(one);
        }

        /** A set of which every match contains one member, or null. */
        Set<String> anySet() {
            if (exact != null) {
                for (String s : exact) {
                    if (s.isEmpty()) {
                        return null; // the empty string is always contained: no filter
                    }
                }
                return exact;
            }
            return any;
        }
    }

    private static final class Unsupported extends Exception {
        Unsupported() {
            super(null, null, false, false);
        }
    }

    private Info alternation() throws Unsupported {
        Info first = concatenation();
        if (i >= re.length() || re.charAt(i) != '|') {
            return first;
        }
        Set<String> exact = first.exact == null ? null : new LinkedHashSet<>(first.exact);
        Set<String> any = first.anySet() == null ? null : new LinkedHashSet<>(first.anySet());
        int[] masks = first.masks();
        while (i < re.length() && re.charAt(i) == '|') {
            i++;
            Info next = concatenation();
            masks = orMasks(masks, next.masks());
            if (exact != null && next.exact != null && exact.size() + next.exact.size() <= MAX_EXACT) {
                exact.addAll(next.exact);
            } else {
                exact = null;
            }
            if (any != null && next.anySet() != null) {
                any.addAll(next.anySet());
            } else {
                any = null;
            }
        }
        return exact != null ? new Info(exact, null, masks) : new Info(null, any, masks);
    }

    /**
     * A concatenation: contiguous runs of exactly-known atoms are multiplied out into literals ({@code f r o m} gives
     * {@code from}); an unknown atom ends the run. The most selective of the runs and of the atoms' own filters wins.
     */
    private Info concatenation() throws Unsupported {
        Set<String> run = Set.of("");
        Set<String> best = null;
        boolean allExact = true;
        int[] masks = Info.NONE;
        List<Set<String>> all = new ArrayList<>();
        while (i < re.length() && re.charAt(i) != '|' && re.charAt(i) != ')') {
            Info atom = quantified();
            masks = andMasks(masks, atom.masks());
            Set<String> product = atom.exact == null ? null : product(run, atom.exact);
            if (product != null) {
                run = product;
                continue;
            }
            allExact = false;
            best = better(best, nonEmpty(run));
            best = better(best, atom.anySet());
            if (nonEmpty(run) != null) {
                all.add(run);
            }
            all.addAll(atom.required());
            run = atom.exact != null && !atom.exact.contains("") ? atom.exact : Set.of("");
        }
        if (allExact) {
            return new Info(run, null, masks);
        }
        if (nonEmpty(run) != null) {
            all.add(run);
        }
        return new Info(null, better(best, nonEmpty(run)), masks, all);
    }

    private static Set<String> product(Set<String> a, Set<String> b) {
        if (a.size() * b.size() > MAX_EXACT) {
            return null;
        }
        Set<String> out = new LinkedHashSet<>();
        for (String x : a) {
            for (String y : b) {
                String s = x + y;
                if (s.length() > MAX_LITERAL) {
                    return null;
                }
                out.add(s);
            }
        }
        return out;
    }

    private static Set<String> nonEmpty(Set<String> run) {
        return run.contains("") ? null : run;
    }

    /** The more selective of two filters: the one whose shortest literal is longest. */
    private static Set<String> better(Set<String> a, Set<String> b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        int ma = a.stream().mapToInt(String::length).min().orElse(0);
        int mb = b.stream().mapToInt(String::length).min().orElse(0);
        if (ma != mb) {
            return ma > mb ? a : b;
        }
        return a.size() <= b.size() ? a : b;
    }

    private Info quantified() throws Unsupported {
        Info atom = atom();
        if (i >= re.length()) {
            return atom;
        }
        char c = re.charAt(i);
        Info result;
        if (c == '*' || c == '?') {
            i++;
            result = Info.NOTHING;
        } else if (c == '+') {
            i++;
            result = new Info(null, atom.anySet(), atom.masks(), atom.required());
        } else if (c == '{' && isRepeat()) {
            int close = re.indexOf('}', i);
            String body = re.substring(i + 1, close);
            i = close + 1;
            int min = Integer.parseInt(body.contains(",") ? body.substring(0, body.indexOf(',')) : body);
            result = min == 0 ? Info.NOTHING : new Info(null, atom.anySet(), atom.masks(), atom.required());
        } else {
            return atom;
        }
        if (i < re.length() && (re.charAt(i) == '?' || re.charAt(i) == '+')) {
            i++; // lazy or possessive: same set of matches
        }
        return result;
    }

    private boolean isRepeat() {
        int close = re.indexOf('}', i);
        if (close < 0) {
            return false;
        }
        String body = re.substring(i + 1, close);
        return body.matches("\\d+(,\\d*)?");
    }

    private Info atom() throws Unsupported {
        char c = re.charAt(i);
        switch (c) {
            case '(' -> {
                i++;
                if (re.startsWith("?:", i)) {
                    i += 2;
                } else if (re.charAt(i) == '?') {
                    throw new Unsupported(); // flags, named groups, lookaround
                }
                Info inner = alternation();
                if (i >= re.length() || re.charAt(i) != ')') {
                    throw new Unsupported();
                }
                i++;
                return inner;
            }
            case '[' -> {
                return charClass();
            }
            case '.' -> {
                i++;
                return Info.NOTHING;
            }
            case '^', '$' -> {
                i++;
                return Info.EMPTY;
            }
            case '\\' -> {
                return escape();
            }
            case '{' -> {
                if (isRepeat()) {
                    throw new Unsupported();
                }
                i++;
                return single(c); // a brace that starts no repetition is a literal
            }
            case '*', '+', '?', ')', '|' -> throw new Unsupported();
            default -> {
                i++;
                return single(c);
            }
        }
    }

    private static Info single(char c) {
        return new Info(Set.of(String.valueOf(c)), null, new int[] {classOf(c)});
    }

    private Info escape() throws Unsupported {
        if (i + 1 >= re.length()) {
            throw new Unsupported();
        }
        char e = re.charAt(i + 1);
        i += 2;
        switch (e) {
            case 'b', 'B', 'A', 'z' -> {
                return Info.EMPTY;
            }
            case 'd' -> {
                return Info.NOTHING.withMasks(new int[] {Value.C_DIGIT});
            }
            case 's', 'S', 'D', 'w', 'W' -> {
                return Info.NOTHING;
            }
            case 'n' -> {
                return single('\n');
            }
            case 'r' -> {
                return single('\r');
            }
            case 't' -> {
                return single('\t');
            }
            case 'f' -> {
                return single('\f');
            }
            case 'x' -> {
                if (i + 2 > re.length()) {
                    throw new Unsupported();
                }
                char v = (char) Integer.parseInt(re.substring(i, i + 2), 16);
                i += 2;
                return single(v);
            }
            default -> {
                if (Character.isLetterOrDigit(e)) {
                    throw new Unsupported(); // \p{..}, \Q, back references ...
                }
                return single(e);
            }
        }
    }

    /** A bracket class: a few plain characters become an exact set, anything else is unknown. */
    private Info charClass() throws Unsupported {
        int j = i + 1;
        boolean negated = j < re.length() && re.charAt(j) == '^';
        if (negated) {
            j++;
        }
        Set<String> chars = new LinkedHashSet<>();
        boolean simple = !negated;
        boolean firstChar = true;
        while (j < re.length() && (re.charAt(j) != ']' || firstChar)) {
            firstChar = false;
            char c = re.charAt(j);
            if (c == '\\') {
                if (j + 1 >= re.length()) {
                    throw new Unsupported();
                }
                char e = re.charAt(j + 1);
                j += 2;
                if (e == 'x') {
                    chars.add(String.valueOf((char) Integer.parseInt(re.substring(j, j + 2), 16)));
                    j += 2;
                } else if (e == 'n' || e == 'r' || e == 't' || e == 'f') {
                    chars.add(String.valueOf(e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : '\f'));
                } else if (Character.isLetterOrDigit(e)) {
                    simple = false; // \s, \d, \w ...: treat the class as unknown
                } else {
                    chars.add(String.valueOf(e));
                }
            } else if (c == '[') {
                throw new Unsupported(); // [:alpha:] and friends
            } else if (j + 2 < re.length() && re.charAt(j + 1) == '-' && re.charAt(j + 2) != ']') {
                simple = false;
                j += 3;
            } else {
                chars.add(String.valueOf(c));
                j++;
            }
        }
        if (j >= re.length()) {
            throw new Unsupported();
        }
        i = j + 1;
        // One of the listed characters is required: one alternative per distinct class (none if a letter or a
        // space is among them, since views produce those).
        int[] masks = chars.stream().mapToInt(ch -> classOf(ch.charAt(0))).distinct().toArray();
        if (!simple || masks.length == 0 || java.util.Arrays.stream(masks).anyMatch(m -> m == 0)) {
            masks = Info.NONE;
        }
        return simple && !chars.isEmpty() && chars.size() <= 8 ? new Info(chars, null, masks) : Info.NOTHING.withMasks(masks);
    }
}
