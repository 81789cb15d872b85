package dev.aegis.waf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Aho-Corasick automaton over lower-cased Latin-1 characters (characters above 0xFF reset to the root). Built once,
 * immutable, safe to share between threads.
 */
final class PhraseMatcher {
    private final int[][] next; // state x 256, dense
    private final int[] out;    // index of longest phrase ending here (via output links), -1 none
    private final int[] outLink;
    private final String[] phrases;

    private PhraseMatcher(int[][] next, int[] out, int[] outLink, String[] phrases) {
        this.next = next;
        this.out = out;
        this.outLink = outLink;
        this.phrases = phrases;
    }

    static PhraseMatcher of(String... phrases) {
        return of(Arrays.asList(phrases));
    }

    static PhraseMatcher of(List<String> list) {
        List<int[]> gotoT = new ArrayList<>();
        List<Integer> outs = new ArrayList<>();
        gotoT.add(newRow());
        outs.add(-1);
        String[] ph = new String[list.size()];
        for (int p = 0; p < list.size(); p++) {
            String s = list.get(p).toLowerCase(Locale.ROOT);
            ph[p] = s;
            int st = 0;
            for (int i = 0; i < s.length(); i++) {
                int c = s.charAt(i) & 0xFF;
                if (gotoT.get(st)[c] <= 0) {
                    gotoT.add(newRow());
                    outs.add(-1);
                    gotoT.get(st)[c] = gotoT.size() - 1;
                }
                st = gotoT.get(st)[c];
            }
            if (outs.get(st) < 0) {
                outs.set(st, p);
            }
        }
        int n = gotoT.size();
        int[][] next = new int[n][];
        int[] fail = new int[n];
        int[] out = new int[n];
        int[] outLink = new int[n];
        for (int i = 0; i < n; i++) {
            next[i] = gotoT.get(i);
            out[i] = outs.get(i);
            outLink[i] = -1;
        }
        int[] queue = new int[n];
        int qh = 0;
        int qt = 0;
        for (int c = 0; c < 256; c++) {
            int s = next[0][c];
            if (s > 0) {
                fail[s] = 0;
                queue[qt++] = s;
            } else {
                next[0][c] = 0;
            }
        }
        while (qh < qt) {
            int r = queue[qh++];
            for (int c = 0; c < 256; c++) {
                int s = next[r][c];
                if (s > 0) {
                    queue[qt++] = s;
                    int f = next[fail[r]][c];
                    fail[s] = f;
                    outLink[s] = out[f] >= 0 ? f : outLink[f];
                } else {
                    next[r][c] = next[fail[r]][c];
                }
            }
        }
        return new PhraseMatcher(next, out, outLink, ph);
    }

    private static int[] newRow() {
        int[] r = new int[256];
        Arrays.fill(r, -1);
        return r;
    }

    /** Callback per hit: phrase index and end offset (exclusive); return false to stop. */
    interface Hit {
        boolean on(int phrase, int end);
    }

    /** Scans {@code s} (compared lower-cased), reporting every hit to {@code hit}. */
    void scan(CharSequence s, Hit hit) {
        int st = 0;
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char ch = s.charAt(i);
            if (ch > 0xFF) {
                st = 0;
                continue;
            }
            if (ch >= 'A' && ch <= 'Z') {
                ch = (char) (ch + 32);
            }
            st = next[st][ch];
            int o = out[st] >= 0 ? st : outLink[st];
            while (o >= 0) {
                if (out[o] >= 0 && !hit.on(out[o], i + 1)) {
                    return;
                }
                o = outLink[o];
            }
        }
    }

    /** The first phrase found in {@code s}, or null. */
    String find(CharSequence s) {
        String[] found = new String[1];
        scan(s, (p, end) -> {
            found[0] = phrases[p];
            return false;
        });
        return found[0];
    }

    String phrase(int i) {
        return phrases[i];
    }

    /** The phrases, lower-cased (a copy). */
    String[] phrases() {
        return phrases.clone();
    }
}
