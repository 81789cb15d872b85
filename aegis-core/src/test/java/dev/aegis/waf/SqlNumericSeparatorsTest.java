package dev.aegis.waf;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The SQL detector skips values of letters, digits, dots and dashes whose colons and slashes stand only between
 * digits and whose letters stand alone (timestamps, dates, ratios). The SQL tokenizer must agree:
 * it finds nothing in any such value.
 */
class SqlNumericSeparatorsTest {
    @Provide
    Arbitrary<String> separatedWords() {
        Arbitrary<String> separators = Arbitraries.of(".", "-", "_", ":", "/", "--", ":/", "");
        // SQL words: with a separator that is not between digits, the detector must have something to find
        Arbitrary<String> sqlWords = Arbitraries.of("select", "union", "from", "where", "or", "and", "sleep", "users",
                "information_schema.tables", "sysobjects", "password", "1", "0", "x", "null", "version", "char");
        // near the skipped shape: numbers, single letters and two-letter words (SQL's own among them)
        Arbitrary<String> stampWords = Arbitraries.oneOf(Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(4),
                Arbitraries.of("T", "Z", "or", "OR", "in", "is", "by", "pm", "e", "x", "0x", "1e"));
        return Arbitraries.oneOf(
                Arbitraries.oneOf(sqlWords, separators).list().ofMinSize(1).ofMaxSize(10).map(l -> String.join("", l)),
                Combinators.combine(Combinators.combine(stampWords, separators).as((w, sep) -> w + sep).list()
                        .ofMaxSize(6), stampWords).as((l, last) -> String.join("", l) + last));
    }

    @Property(tries = 5000)
    void valuesWithOnlyNumericSeparatorsAreNotSql(@ForAll("separatedWords") String text) {
        // values without a colon or slash fall under the dot-and-dash skip, which is older and not tested here
        boolean skipped = Rules.numericSeparators(text) && (text.indexOf(':') >= 0 || text.indexOf('/') >= 0);
        boolean detected = SqlInjection.detect(text) != null;
        if (skipped) {
            assertThat(detected).as(text).isFalse();
        }
        Statistics.collect(skipped, detected);
        // the generator reaches both sides: skipped values, and SQL the detector finds when a separator is not numeric
        Statistics.coverage(c -> {
            c.check(true, false).percentage(p -> p > 1);
            c.check(false, true).percentage(p -> p > 1);
        });
    }
}
