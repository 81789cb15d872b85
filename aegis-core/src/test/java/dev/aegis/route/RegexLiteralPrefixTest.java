package dev.aegis.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** The literal start checked before a route's regex runs never rejects a path the regex would match. */
class RegexLiteralPrefixTest {

    @Test
    void prefixes() {
        assertThat(CompiledRoute.literalPrefix("/items/[0-9]+/details")).isEqualTo("/items/");
        assertThat(CompiledRoute.literalPrefix("/img/[^/]+\\.(png|jpe?g)")).isEmpty(); // an alternation
        assertThat(CompiledRoute.literalPrefix("/img/[^/]+\\.png")).isEqualTo("/img/");
        assertThat(CompiledRoute.literalPrefix("/a\\.b/c")).isEqualTo("/a.b/c");
        assertThat(CompiledRoute.literalPrefix("/docs?/x")).isEqualTo("/doc");
        assertThat(CompiledRoute.literalPrefix("/v{1,2}")).isEqualTo("/");
        assertThat(CompiledRoute.literalPrefix("(?i)/Admin")).isEmpty();
        assertThat(CompiledRoute.literalPrefix(".*")).isEmpty();
        assertThat(CompiledRoute.literalPrefix("/x\\d+")).isEqualTo("/x");
    }

    /** For random paths, a whole-path match always starts with the literal prefix. */
    @Property(tries = 3000)
    void neverRejectsAMatch(@ForAll @StringLength(max = 12) String tail) {
        for (String source : new String[] {"/items/[0-9]+/details", "/a\\.b/.*", "/docs?/.*", "/v{1,2}.*", "/x\\d*.*"}) {
            String path = CompiledRoute.literalPrefix(source) + tail;
            for (String candidate : new String[] {path, "/items/1/details", "/doc/" + tail, "/dos/" + tail, "/v" + tail}) {
                if (Pattern.compile(source).matches(candidate)) {
                    assertThat(candidate).startsWith(CompiledRoute.literalPrefix(source));
                }
            }
        }
    }
}
