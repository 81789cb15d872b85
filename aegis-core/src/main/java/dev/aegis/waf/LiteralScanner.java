package dev.aegis.waf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One Aho-Corasick automaton over the literals of every rule (see {@link RequiredLiterals}): a single pass over a
 * value tells which rules could match it at all. Compared lower-cased over Latin-1; characters above 0xFF reset to
 * the start (no literal contains one). Built once per engine, immutable, shared by all threads.
 *
 * <p>The alphabet is compressed to the characters that occur in literals. The shallow states, where ordinary text
 * spends nearly all its steps, keep a full row of transitions in one flat array, so their step is one table load
 * per character. The deep states (a long literal's tail: thousands of them, with one child each) keep only their
 * children and their failure link: as full rows they made an engine's tables 10.9 MB instead of 3.2 MB, for no
 * speed (a step costs the same from either size of table; see {@link #DENSE_DEPTH}).
 */
final class LiteralScanner {
    /** How many 64-bit words a hit set needs. */
    final int words;
    private final int alphabet;
    private final byte[] classOf = new byte[256];
    /**
     * States up to this depth (literal prefixes up to this long) have a full row in {@link #step}. Measured on the
     * WAF benchmarks' requests: with every state dense an engine's automata took 10.9 MB, at depth 4 they take
     * 3.2 MB and the clean GET and the 64 KiB JSON body cost the same (within this machine's noise); at 3, 2.2 MB
     * and the clean GET a little slower.
     */
    static final int DENSE_DEPTH = 4;
    /** How many states have a full row: states are numbered breadth-first, so these are states 0 to dense - 1. */
    private final int dense;
    /**
     * Per state that reports: its one group plus one when it reports a single group, as most do, so the report is
     * one OR; the complement of its index in {@link #multiGroups} when it reports several; 0 when it reports none.
     */
    private final int[] reportByState;
    /** The hit sets of the states that report several groups. */
    private final long[][] multiGroups;
    /**
     * The transition table of the dense states as the scan reads it: the target as an {@linkplain #encode encoded}
     * state. One load and one add per character on the path from one step to the next while the walk stays in dense
     * states that report nothing.
     */
    private final int[] step;
    /** Per deep state (its number minus {@link #dense}): where its children start in the two arrays below. */
    private final int[] childStart;
    private final byte[] childClass;
    /** The children of the deep states, encoded as in {@link #step}. */
    private final int[] childTarget;
    /** Per deep state: its failure link (a state number). */
    private final int[] failOf;
    /**
     * Per state: how many characters of text it stands for, the length of the longest literal prefix it has matched
     * (capped at 127, beyond any literal).
     */
    private final byte[] depthByState;
    /** Values at least this long are walked as two interleaved halves (see {@link #scan}). */
    private static final int SPLIT_AT = 48;
    /** Values at least this long are walked as four interleaved parts. */
    static final int SPLIT4_AT = 512;

    /** {@code literalsByGroup.get(g)} are the literals of group {@code g}; a hit on any of them sets bit g. */
    LiteralScanner(List<String[]> literalsByGroup) {
        this(literalsByGroup, DENSE_DEPTH);
    }

    /** As above, with full rows for the states up to {@code denseDepth} (tests walk the deep states' way with 0). */
    LiteralScanner(List<String[]> literalsByGroup, int denseDepth) {
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
        // a few cache lines at the start of the table, and the dense ones are the first.
        int[] rank = new int[n];
        int nd = 1;
        for (int k = 0; k < qt; k++) {
            rank[queue[k]] = k + 1;
            if (depth[queue[k]] <= denseDepth) {
                nd = k + 2;
            }
        }
        this.dense = nd;
        reportByState = new int[n];
        List<long[]> multi = new ArrayList<>();
        depthByState = new byte[n];
        for (int st = 0; st < n; st++) {
            if (out[st] != null) {
                int single = singleGroup(out[st]);
                if (single < 0) {
                    multi.add(out[st]);
                }
                reportByState[rank[st]] = single >= 0 ? single + 1 : ~(multi.size() - 1);
            }
            depthByState[rank[st]] = (byte) Math.min(depth[st], 127);
        }
        multiGroups = multi.toArray(new long[0][]);
        int[] stateOfRank = new int[n];
        for (int st = 0; st < n; st++) {
            stateOfRank[rank[st]] = st;
        }
        step = new int[nd * alphabet];
        for (int r = 0; r < nd; r++) {
            int st = stateOfRank[r];
            for (int c = 0; c < alphabet; c++) {
                step[r * alphabet + c] = encode(rank[next[st * alphabet + c]]);
            }
        }
        childStart = new int[n - nd + 1];
        failOf = new int[n - nd];
        List<Integer> childClasses = new ArrayList<>();
        List<Integer> childTargets = new ArrayList<>();
        for (int r = nd; r < n; r++) {
            int st = stateOfRank[r];
            childStart[r - nd] = childClasses.size();
            failOf[r - nd] = rank[fail[st]];
            int[] children = gotoRows.get(st);
            for (int c = 1; c < alphabet; c++) {
                if (children[c] >= 0) {
                    childClasses.add(c);
                    childTargets.add(encode(rank[children[c]]));
                }
            }
        }
        childStart[n - nd] = childClasses.size();
        childClass = new byte[childClasses.size()];
        childTarget = new int[childTargets.size()];
        for (int k = 0; k < childClass.length; k++) {
            childClass[k] = (byte) (int) childClasses.get(k);
            childTarget[k] = childTargets.get(k);
        }
    }

    /**
     * A state as the walk holds it: a dense state that reports nothing as the start of its row (zero or more); any
     * other state as the complement (negative) of its number, which sends the walk to the rare path.
     */
    private int encode(int state) {
        return state < dense && reportByState[state] == 0 ? state * alphabet : ~state;
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
     * <p>Each step's table load waits for the one before, so a single walk cannot overlap its steps. A long
     * value is walked as two halves at once, a very long one as four quarters, whose loads overlap: each part starts
     * from the automaton's start at its first character and finds every literal that begins there or later; a part
     * goes on past its end only while its state stands for text that began before that end (its depth reaches back
     * over it), which in ordinary text is a few characters.
     */
    void scan(String s, long[] hits) {
        int n = s.length();
        if (n < SPLIT_AT) {
            walk(s, 0, n, 0, hits);
        } else if (n < SPLIT4_AT) {
            scan2(s, n, hits);
        } else {
            scan4(s, n, hits);
        }
    }

    private void scan2(String s, int n, long[] hits) {
        final int[] step = this.step;
        final byte[] classOf = this.classOf;
        int mid = n >>> 1;
        int a = 0;
        int b = 0;
        for (int j = 0; j < mid; j++) {
            char ca = s.charAt(j);
            char cb = s.charAt(mid + j);
            int ta = ca > 0xFF ? 0 : (a | b) >= 0 ? step[a + classOf[ca]] : next(a, classOf[ca]);
            int tb = cb > 0xFF ? 0 : (a | b) >= 0 ? step[b + classOf[cb]] : next(b, classOf[cb]);
            if ((ta | tb) < 0) { // rare: the branch is predicted, so the next loads need not wait for the test
                if (ta < 0) {
                    ta = arrive(~ta, hits);
                }
                if (tb < 0) {
                    tb = arrive(~tb, hits);
                }
            }
            a = ta;
            b = tb;
        }
        walk(s, mid + mid, n, b, hits); // the second half's last character when the length is odd
        finishPart(s, a, mid, n, hits);
    }

    /** As {@link #scan2} with four parts, for values of many kilobytes: more steps in flight at once. */
    private void scan4(String s, int n, long[] hits) {
        final int[] step = this.step;
        final byte[] classOf = this.classOf;
        int q = n >>> 2;
        int a = 0;
        int b = 0;
        int c = 0;
        int d = 0;
        for (int j = 0; j < q; j++) {
            char ca = s.charAt(j);
            char cb = s.charAt(q + j);
            char cc = s.charAt(q + q + j);
            char cd = s.charAt(q + q + q + j);
            int ta;
            int tb;
            int tc;
            int td;
            if ((a | b | c | d) >= 0) {
                ta = ca > 0xFF ? 0 : step[a + classOf[ca]];
                tb = cb > 0xFF ? 0 : step[b + classOf[cb]];
                tc = cc > 0xFF ? 0 : step[c + classOf[cc]];
                td = cd > 0xFF ? 0 : step[d + classOf[cd]];
            } else {
                ta = ca > 0xFF ? 0 : next(a, classOf[ca]);
                tb = cb > 0xFF ? 0 : next(b, classOf[cb]);
                tc = cc > 0xFF ? 0 : next(c, classOf[cc]);
                td = cd > 0xFF ? 0 : next(d, classOf[cd]);
            }
            if ((ta | tb | tc | td) < 0) {
                ta = ta < 0 ? arrive(~ta, hits) : ta;
                tb = tb < 0 ? arrive(~tb, hits) : tb;
                tc = tc < 0 ? arrive(~tc, hits) : tc;
                td = td < 0 ? arrive(~td, hits) : td;
            }
            a = ta;
            b = tb;
            c = tc;
            d = td;
        }
        walk(s, 4 * q, n, d, hits); // the last part's remaining characters (the length modulo four)
        finishPart(s, a, q, n, hits);
        finishPart(s, b, q + q, n, hits);
        finishPart(s, c, q + q + q, n, hits);
    }

    /**
     * Walks on from walk state {@code at}, which a part reached at {@code end}, while it stands for text that began
     * before {@code end}: the literals begun in the part and ending after it.
     */
    private void finishPart(String s, int at, int end, int n, long[] hits) {
        for (int p = end; p < n && depthByState[stateOf(at)] > p - end; p++) {
            char ch = s.charAt(p);
            int t = ch > 0xFF ? 0 : next(at, classOf[ch]);
            at = t < 0 ? arrive(~t, hits) : t;
        }
    }

    /** Walks {@code s[from, to)} from walk state {@code at}; returns the walk state it ends in. */
    private int walk(String s, int from, int to, int at, long[] hits) {
        final int[] step = this.step;
        final byte[] classOf = this.classOf;
        for (int i = from; i < to; i++) {
            char ch = s.charAt(i);
            if (ch > 0xFF) {
                at = 0;
                continue;
            }
            int t = at >= 0 ? step[at + classOf[ch]] : next(at, classOf[ch]);
            if (t < 0) { // rare: the branch is predicted, so the next load need not wait for the test
                t = arrive(~t, hits);
            }
            at = t;
        }
        return at;
    }

    /** The state walk state {@code at} stands for. */
    private int stateOf(int at) {
        return at >= 0 ? at / alphabet : ~at;
    }

    /** The encoded target of walk state {@code at} on class {@code cls}, following failure links from a deep state. */
    private int next(int at, int cls) {
        if (at >= 0) {
            return step[at + cls];
        }
        if (cls == 0) {
            return 0; // a character in no literal: back to the start
        }
        int state = ~at;
        while (state >= dense) {
            int d = state - dense;
            for (int k = childStart[d], end = childStart[d + 1]; k < end; k++) {
                if (childClass[k] == cls) {
                    return childTarget[k];
                }
            }
            state = failOf[d];
        }
        return step[state * alphabet + cls];
    }

    /** Ors in the groups state {@code state} reports, if any; returns its walk state. */
    private int arrive(int state, long[] hits) {
        int g = reportByState[state];
        if (g > 0) {
            hits[(g - 1) >>> 6] |= 1L << (g - 1);
        } else if (g < 0) {
            long[] o = multiGroups[~g];
            for (int k = 0; k < o.length; k++) {
                hits[k] |= o[k];
            }
        }
        return state < dense ? state * alphabet : ~state;
    }
}
