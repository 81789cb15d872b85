package dev.aegis.waf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The literal scanner against the obvious definition: a group hits when one of its literals occurs in the
 * lower-cased text. Each check runs on the default automaton and on ones whose states from depth 0 and 1 on are
 * deep (children and failure links instead of full rows), so both ways of stepping meet every literal.
 */
class LiteralScannerTest {
    /** Literals that overlap, nest and share prefixes and suffixes, so the automaton's failure links matter. */
    static final List<String[]> GROUPS = List.of(
            new String[] {"union", "select"},
            new String[] {"on"},
            new String[] {"etc/passwd", "/etc/", "passwd"},
            new String[] {"aaaa"},
            new String[] {"abcabcabd"},
            new String[] {"script:", "javascript"},
            new String[] {"0x2e", ".."},
            new String[] {"org.apache.commons.collections"});

    static final List<LiteralScanner> SCANNERS = List.of(new LiteralScanner(GROUPS),
            new LiteralScanner(GROUPS, 0), new LiteralScanner(GROUPS, 1));

    static long expected(String text) {
        String l = text.toLowerCase(Locale.ROOT);
        long bits = 0;
        for (int g = 0; g < GROUPS.size(); g++) {
            for (String lit : GROUPS.get(g)) {
                if (l.contains(lit)) {
                    bits |= 1L << g;
                }
            }
        }
        return bits;
    }

    /** The hits of every scanner, which must agree. */
    static long scanned(String text) {
        long first = -1;
        for (LiteralScanner scanner : SCANNERS) {
            long[] hits = new long[scanner.words];
            scanner.scan(text, hits);
            if (first != -1) {
                assertThat(hits[0]).as("dense depths disagree on " + text).isEqualTo(first);
            }
            first = hits[0];
        }
        return first;
    }

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> pieces = Arbitraries.oneOf(
                Arbitraries.of("union", "SELECT", "on", "etc/passwd", "/ETC/", "aaaaa", "abcabcabd", "abcab",
                        "javascript", "script:", "0x2E", "..", "org.apache.commons.collections", "org.apache"),
                Arbitraries.strings().withChars("abcdeo./:x0 ").ofMaxLength(12),
                Arbitraries.strings().withCharRange('\u0100', '\u0110').ofMaxLength(2));
        return pieces.list().ofMaxSize(30).map(l -> String.join("", l));
    }

    @Property(tries = 3000)
    void findsExactlyTheGroupsWhoseLiteralsOccur(@ForAll("texts") String text) {
        assertThat(scanned(text)).as(text).isEqualTo(expected(text));
    }

    @Test
    void aLiteralAnywhereInALongValueIsFound() {
        String lit = "org.apache.commons.collections";
        for (int shift = -32; shift <= 32; shift++) {
            int at = 70 + shift;
            String text = "x".repeat(140);
            text = text.substring(0, at) + lit + text.substring(at + lit.length());
            assertThat(scanned(text)).as("at " + at).isEqualTo(expected(text)).isNotZero();
        }
    }

    /** Values long enough to be walked in four parts: a literal across each part's end is found. */
    @Test
    void aLiteralAcrossAQuarterOfAVeryLongValueIsFound() {
        String lit = "org.apache.commons.collections";
        for (int length = LiteralScanner.SPLIT4_AT; length < LiteralScanner.SPLIT4_AT + 4; length++) {
            int q = length / 4;
            for (int boundary : new int[] {q, 2 * q, 3 * q, 4 * q}) {
                for (int shift = -lit.length(); shift <= 2; shift++) {
                    int at = Math.min(length - lit.length(), boundary + shift);
                    String text = "x".repeat(at) + lit + "x".repeat(length - at - lit.length());
                    assertThat(scanned(text)).as("length " + length + " at " + at).isEqualTo(expected(text))
                            .isNotZero();
                }
            }
        }
    }

    @Provide
    Arbitrary<String> longTexts() {
        return texts().list().ofMinSize(20).ofMaxSize(60).map(l -> String.join("", l));
    }

    @Property(tries = 300)
    void findsExactlyTheGroupsWhoseLiteralsOccurInLongValues(@ForAll("longTexts") String text) {
        assertThat(scanned(text)).as(text).isEqualTo(expected(text));
    }

    /**
     * Every word of one to seven letters over {@code a} and {@code b} is a group of its own: 254 groups (four words of
     * hit bits), and each state reports every group its text ends with, so most states report several.
     */
    static final List<String[]> MANY_GROUPS = manyGroups();

    static List<String[]> manyGroups() {
        List<String[]> groups = new java.util.ArrayList<>();
        for (int len = 1; len <= 7; len++) {
            for (int bits = 0; bits < 1 << len; bits++) {
                StringBuilder w = new StringBuilder();
                for (int k = len - 1; k >= 0; k--) {
                    w.append((bits >> k & 1) == 0 ? 'a' : 'b');
                }
                groups.add(new String[] {w.toString()});
            }
        }
        return groups;
    }

    static final List<LiteralScanner> MANY = List.of(new LiteralScanner(MANY_GROUPS),
            new LiteralScanner(MANY_GROUPS, 0), new LiteralScanner(MANY_GROUPS, 2));

    @Provide
    Arbitrary<String> abTexts() {
        return Arbitraries.oneOf(Arbitraries.strings().withChars("abAB c").ofMaxLength(120),
                Arbitraries.strings().withChars("abAB c").ofMinLength(500).ofMaxLength(900));
    }

    @Property(tries = 2000)
    void manyGroupsAndStatesReportingSeveral(@ForAll("abTexts") String text) {
        long[] want = new long[4];
        String l = text.toLowerCase(Locale.ROOT);
        for (int g = 0; g < MANY_GROUPS.size(); g++) {
            if (l.contains(MANY_GROUPS.get(g)[0])) {
                want[g >>> 6] |= 1L << g;
            }
        }
        for (LiteralScanner scanner : MANY) {
            long[] hits = new long[scanner.words];
            scanner.scan(text, hits);
            assertThat(scanner.words).isEqualTo(4);
            assertThat(hits).as(text).isEqualTo(want);
        }
    }
}
