package dev.aegis.waf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One Aho-Corasick automaton over the literals of every rule (see {@link RequiredLiterals}): a single pass over a
 * value tells which rules could match it at all. Compared lower-cased over Latin-1; characters above 0xFF reset to
 * the start (no literal contains one). Built once per engine, immutable, shared by all threads.
 *
 * <p>The alphabet is compressed to the characters that occur in literals, and transitions live in one flat array,
 * so the scan is one table load per character.
 */
final class LiteralScanner {
    /** How many 64-bit words a hit set needs. */
    final int words;
    private final int alphabet;
    private final byte[] classOf = new byte[256];
    /**
     * Per state (in table order) that reports: its one group when it reports a single group, as most do, so the
     * report is one OR; else the complement of its index in {@link #multiGroups}.
     */
    private final int[] reportByState;
    /** The hit sets of the states that report several groups. */
    private final long[][] multiGroups;
    /**
     * The transition table as the scan reads it: target state times the alphabet size (the row where its
     * transitions start), or, when the target state reports literals, the complement (negative) of the state's
     * number, which the rare report turns into its row. One load and one add per character on the path from one
     * step to the next, and the report tables need one entry per state, not per row.
     */
    private final int[] step;
    /**
     * Per state (in table order): how many characters of text it stands for, the length of the longest literal
     * prefix it has matched (capped at 127, beyond any literal).
     */
    private final byte[] depthByState;
    /** Values at least this long are walked as two interleaved halves (see {@link #scan}). */
    private static final int SPLIT_AT = 48;

    /** {@code literalsByGroup.get(g)} are the literals of group {@code g}; a hit on any of them sets bit g. */
    LiteralScanner(List<String[]> literalsByGroup) {
        this.words = Math.max(1, (literalsByGroup.size() + 63) >>> 6);
        int cls = 1;
        for (String[] lits : literalsByGroup) {
            if (lits == null) {
                continue;
            }
            for (String l : lits) {
                for (int k = 0; k < l.length(); k++) {
                    int c = lower(l.charAt(k));
                    if (classOf[c] == 0) {
                        classOf[c] = (byte) cls++;
                    }
                }
            }
        }
        if (cls > 127) {
            throw new IllegalStateException("too many distinct literal characters: " + cls);
        }
        this.alphabet = cls;
        // Capitals share their lower-case letter's class, so the scan folds case by the table lookup alone.
        byte[] folded = classOf.clone();
        for (int c = 'A'; c <= 'Z'; c++) {
            folded[c] = classOf[c | 0x20];
        }
        List<int[]> gotoRows = new ArrayList<>();
        List<long[]> outs = new ArrayList<>();
        gotoRows.add(newRow());
        outs.add(null);
        for (int g = 0; g < literalsByGroup.size(); g++) {
            String[] lits = literalsByGroup.get(g);
            if (lits == null) {
                continue;
            }
            for (String l : lits) {
                int st = 0;
                for (int k = 0; k < l.length(); k++) {
                    int c = classOf[lower(l.charAt(k))];
                    if (gotoRows.get(st)[c] < 0) {
                        gotoRows.add(newRow());
                        outs.add(null);
                        gotoRows.get(st)[c] = gotoRows.size() - 1;
                    }
                    st = gotoRows.get(st)[c];
                }
                long[] o = outs.get(st);
                if (o == null) {
                    o = new long[words];
                    outs.set(st, o);
                }
                o[g >>> 6] |= 1L << g;
            }
        }
        int n = gotoRows.size();
        int[] next = new int[n * alphabet];
        long[][] out = new long[n][];
        int[] fail = new int[n];
        int[] depth = new int[n];
        int[] queue = new int[n];
        int qh = 0;
        int qt = 0;
        for (int c = 0; c < alphabet; c++) {
            int s = gotoRows.get(0)[c];
            if (s > 0 && c != 0) {
                next[c] = s;
                depth[s] = 1;
                queue[qt++] = s;
            } else {
                next[c] = 0;
            }
        }
        out[0] = outs.get(0);
        while (qh < qt) {
            int r = queue[qh++];
            long[] merged = merge(outs.get(r), out[fail[r]]);
            out[r] = merged;
            for (int c = 0; c < alphabet; c++) {
                int s = c == 0 ? -1 : gotoRows.get(r)[c];
                if (s > 0) {
                    fail[s] = next[fail[r] * alphabet + c];
                    depth[s] = depth[r] + 1;
                    queue[qt++] = s;
                    next[r * alphabet + c] = s;
                } else {
                    next[r * alphabet + c] = next[fail[r] * alphabet + c];
                }
            }
        }
        System.arraycopy(folded, 0, classOf, 0, classOf.length);
        // States renumbered breadth-first: the shallow ones, where ordinary text spends nearly all its steps, share
        // a few cache lines at the start of the table instead of being spread over its megabytes.
        int[] rank = new int[n];
        for (int k = 0; k < qt; k++) {
            rank[queue[k]] = k + 1;
        }
        reportByState = new int[n];
        List<long[]> multi = new ArrayList<>();
        step = new int[next.length];
        depthByState = new byte[n];
        for (int st = 0; st < n; st++) {
            int row = rank[st] * alphabet;
            if (out[st] != null) {
                int single = singleGroup(out[st]);
                if (single < 0) {
                    multi.add(out[st]);
                }
                reportByState[rank[st]] = single >= 0 ? single : ~(multi.size() - 1);
            }
            depthByState[rank[st]] = (byte) Math.min(depth[st], 127);
            for (int c = 0; c < alphabet; c++) {
                int target = next[st * alphabet + c];
                int targetRow = rank[target] * alphabet;
                step[row + c] = out[target] != null ? ~rank[target] : targetRow;
            }
        }
        multiGroups = multi.toArray(new long[0][]);
    }

    /** The one group {@code o} holds, or -1 when it holds several. */
    private static int singleGroup(long[] o) {
        int g = -1;
        for (int k = 0; o != null && k < o.length; k++) {
            if (o[k] != 0) {
                if (g >= 0 || Long.bitCount(o[k]) > 1) {
                    return -1;
                }
                g = k << 6 | Long.numberOfTrailingZeros(o[k]);
            }
        }
        return g;
    }

    private static long[] merge(long[] own, long[] inherited) {
        if (own == null) {
            return inherited;
        }
        if (inherited == null) {
            return own;
        }
        long[] m = own.clone();
        for (int k = 0; k < m.length; k++) {
            m[k] |= inherited[k];
        }
        return m;
    }

    private int[] newRow() {
        int[] r = new int[alphabet];
        Arrays.fill(r, -1);
        return r;
    }

    private static int lower(char c) {
        return c >= 'A' && c <= 'Z' ? c + 32 : c & 0xFF;
    }

    /**
     * Ors into {@code hits} the groups with a literal in {@code s}.
     *
     * <p>Each step's table load waits for the one before, so a single walk is bound by the memory's latency. A long
     * value is walked as two halves at once, whose loads overlap: the second half starts from the automaton's start
     * at the middle and finds every literal that begins there or later; the first goes on past the middle only
     * while its state stands for text that began before the middle (its depth reaches back over it), which in
     * ordinary text is a few characters.
     */
    void scan(String s, long[] hits) {
        int n = s.length();
        if (n < SPLIT_AT) {
            walk(s, 0, n, 0, hits);
            return;
        }
        final int[] step = this.step;
        final byte[] classOf = this.classOf;
        int mid = n >>> 1;
        int a = 0;
        int b = 0;
        for (int j = 0; j < mid; j++) {
            char ca = s.charAt(j);
            char cb = s.charAt(mid + j);
            int ta = ca > 0xFF ? 0 : step[a + classOf[ca]];
            int tb = cb > 0xFF ? 0 : step[b + classOf[cb]];
            if ((ta | tb) < 0) { // rare: the branch is predicted, so the next loads need not wait for the test
                if (ta < 0) {
                    ta = report(~ta, hits);
                }
                if (tb < 0) {
                    tb = report(~tb, hits);
                }
            }
            a = ta;
            b = tb;
        }
        walk(s, mid + mid, n, b, hits); // the second half's last character when the length is odd
        for (int p = mid; p < n && depthByState[a / alphabet] > p - mid; p++) {
            char ca = s.charAt(p);
            int ta = ca > 0xFF ? 0 : step[a + classOf[ca]];
            a = ta < 0 ? report(~ta, hits) : ta;
        }
    }

    /** Walks {@code s[from, to)} from the state whose row is {@code row}; returns the row it ends in. */
    private int walk(String s, int from, int to, int row, long[] hits) {
        final int[] step = this.step;
        final byte[] classOf = this.classOf;
        for (int i = from; i < to; i++) {
            char ch = s.charAt(i);
            if (ch > 0xFF) {
                row = 0;
                continue;
            }
            int t = step[row + classOf[ch]];
            if (t < 0) { // rare: the branch is predicted, so the next load need not wait for the test
                t = report(~t, hits);
            }
            row = t;
        }
        return row;
    }

    /** Ors in the groups state {@code state} reports; returns its row. */
    private int report(int state, long[] hits) {
        int g = reportByState[state];
        if (g >= 0) {
            hits[g >>> 6] |= 1L << g;
        } else {
            long[] o = multiGroups[~g];
            for (int k = 0; k < o.length; k++) {
                hits[k] |= o[k];
            }
        }
        return state * alphabet;
    }
}
