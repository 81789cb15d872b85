package dev.aegis.waf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The command-injection detector reads a plain value as it is, ignoring ASCII case, instead of its lower-cased
 * shell view: both must give the same verdict on any ASCII text.
 */
class CommandInjectionCaseTest {
    @Provide
    Arbitrary<String> commandLines() {
        Arbitrary<String> pieces = Arbitraries.oneOf(
                Arbitraries.of("cat", "CAT", "Wget", "curl", "ID", "ls", "Sh", "powershell.EXE", "cmd.exe", "W",
                        "/usr/bin/", "C:\\Windows\\", "HTTP://x", "https://", "-la", "/etc/passwd", "Mozilla/5.0",
                        "(X11; Linux x86_64)", "the", "And", "$(", "${", "`"),
                Arbitraries.of(" ", ";", "|", "&", "\n", ", ", "  ", ".", "-", "("),
                Arbitraries.strings().withChars("aAbBcCxX01 -./").ofMaxLength(6));
        return pieces.list().ofMaxSize(12).map(l -> String.join("", l));
    }

    @Property(tries = 5000)
    void caseDoesNotChangeTheVerdict(@ForAll("commandLines") String text) {
        boolean asIs = Rules.commandInjection(text) != null;
        boolean lowered = Rules.commandInjection(text.toLowerCase(Locale.ROOT)) != null;
        assertThat(asIs).as(text).isEqualTo(lowered);
        Statistics.collect(asIs);
        // both verdicts must come up often, or the property proves little
        Statistics.coverage(c -> {
            c.check(true).percentage(p -> p > 5);
            c.check(false).percentage(p -> p > 5);
        });
    }
}
