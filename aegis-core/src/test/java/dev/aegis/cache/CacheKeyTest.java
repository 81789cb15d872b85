package dev.aegis.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** One object per resource: spellings of one URL share a key, different URLs do not, and the text agrees. */
class CacheKeyTest {
    static final List<String> UTM = List.of("utm_*", "fbclid");

    static CacheKey key(String method, String host, String target) {
        return CacheKey.of(method, "http", host, target, UTM);
    }

    @Test
    void spellingsOfOneUrlShareAKey() {
        CacheKey k = key("GET", "shop.example", "/a/b?x=1&y=2");
        assertThat(key("GET", "SHOP.example:80", "/a/b?y=2&x=1")).isEqualTo(k);
        assertThat(key("HEAD", "shop.example", "/a/./c/../b?x=1&utm_source=m&y=2&fbclid=z")).isEqualTo(k);
        assertThat(key("GET", "shop.example", "//a//b?x=1&y=2")).isEqualTo(k);
        assertThat(CacheKey.text("GET", "http", "SHOP.example:80", "/a/./b?y=2&utm_medium=x&x=1", UTM))
                .isEqualTo("GET http://shop.example/a/b?x=1&y=2");
    }

    @Test
    void differentResourcesHaveDifferentKeys() {
        CacheKey k = key("GET", "shop.example", "/a/b?x=1&y=2");
        assertThat(key("GET", "shop.example", "/a/b?x=1&y=3")).isNotEqualTo(k);
        assertThat(key("GET", "shop.example", "/a/b?x=1")).isNotEqualTo(k);
        assertThat(key("GET", "shop.example:8080", "/a/b?x=1&y=2")).isNotEqualTo(k);
        assertThat(key("GET", "other.example", "/a/b?x=1&y=2")).isNotEqualTo(k);
        assertThat(key("GET", "shop.example", "/a/B?x=1&y=2")).isNotEqualTo(k);
        assertThat(key("GET", "shop.example", "/a/b?x=1&y=2&utm=1")).as("only utm_* is ignored").isNotEqualTo(k);
        assertThat(key("GET", "shop.example", "/a/b?x=1y=2")).isNotEqualTo(k);
        assertThat(key("GET", "shop.example", "/a/b?x=2&y=1")).isNotEqualTo(k);
    }

    @Test
    void aStoredTextMatchesOnlyItsOwnUrl() {
        String text = CacheKey.text("GET", "http", "shop.example", "/a?b=1&a=2", UTM);
        assertThat(CacheKey.matches(text, "GET", "http", "Shop.Example", "/a?a=2&b=1", UTM)).isTrue();
        assertThat(CacheKey.matches(text, "GET", "http", "shop.example", "/a?a=2", UTM)).isFalse();
        assertThat(CacheKey.matches(text, "GET", "http", "shop.example", "/a?a=2&b=1&c", UTM)).isFalse();
    }

    @Test
    void variantsOfOneUrlDiffer() {
        CacheKey k = key("GET", "shop.example", "/p");
        Map<String, String> en = Map.of("accept-language", "en", "accept-encoding", "gzip");
        Map<String, String> de = Map.of("accept-language", "de", "accept-encoding", "gzip");
        List<String> vary = List.of("accept-language", "accept-encoding");
        assertThat(k.withVary(vary, en::get)).isEqualTo(k.withVary(vary, en::get)).isNotEqualTo(k.withVary(vary, de::get));
        assertThat(k.withVary(vary, n -> n.equals("accept-language") ? "en" : "gzip"))
                .isEqualTo(k.withVary(vary, en::get));
        assertThat(k.withVary(List.of("x"), n -> null)).isNotEqualTo(k.withVary(List.of("x"), n -> ""));
    }

    /** Whatever the parameters, their order never changes the key, and the text is a sorted spelling of them. */
    @Property
    void parameterOrderNeverMatters(@ForAll @Size(min = 1, max = 8) List<@AlphaChars @StringLength(min = 1, max = 6) String> names,
                                    @ForAll long seed) {
        List<String> params = new java.util.ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            params.add(names.get(i) + "=" + i);
        }
        String a = "/p?" + String.join("&", params);
        java.util.Collections.shuffle(params, new java.util.Random(seed));
        String b = "/p?" + String.join("&", params);
        assertThat(CacheKey.of("GET", "http", "h", a, List.of())).isEqualTo(CacheKey.of("GET", "http", "h", b, List.of()));
        assertThat(CacheKey.text("GET", "http", "h", a, List.of())).isEqualTo(CacheKey.text("GET", "http", "h", b, List.of()));
        assertThat(CacheKey.matches(CacheKey.text("GET", "http", "h", a, List.of()), "GET", "http", "h", b, List.of()))
                .isTrue();
    }
}
