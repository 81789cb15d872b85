package dev.aegis.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.config.CachePolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The RFC 9111 rules on their own: directives, freshness, age, and what a stored object may do. */
class Rfc9111Test {
    static final CachePolicy ROUTE = new CachePolicy(true, Duration.ZERO);

    static String why(int status, String... kv) {
        List<Map.Entry<String, String>> h = headers(kv);
        return Rfc9111.whyNotStorable("GET", false, CacheControl.NONE, status, n -> Rfc9111.values(h, n), ROUTE, 10,
                1 << 20);
    }

    static List<Map.Entry<String, String>> headers(String... kv) {
        List<Map.Entry<String, String>> h = new java.util.ArrayList<>();
        for (int i = 0; i < kv.length; i += 2) {
            h.add(Map.entry(kv[i], kv[i + 1]));
        }
        return h;
    }

    @Test
    void cacheControlIsParsedTolerantly() {
        CacheControl cc = CacheControl.parse(List.of("public, max-age=60", "S-MAXAGE=\"120\" , stale-if-error=5",
                "no-cache=\"Set-Cookie\", max-stale"));
        assertThat(cc.isPublic()).isTrue();
        assertThat(cc.maxAge()).isEqualTo(60);
        assertThat(cc.sMaxAge()).isEqualTo(120);
        assertThat(cc.staleIfError()).isEqualTo(5);
        assertThat(cc.noCache()).isTrue();
        assertThat(cc.maxStale()).isEqualTo(Long.MAX_VALUE);
        assertThat(CacheControl.parse(List.of("max-age=abc")).maxAge()).as("malformed: stale").isZero();
        assertThat(CacheControl.parse(List.of("max-age=99999999999999")).maxAge()).isEqualTo(1L << 31);
    }

    @Test
    void storability() {
        assertThat(why(200, "Cache-Control", "max-age=60")).isNull();
        assertThat(why(200)).isEqualTo("no freshness");
        assertThat(why(200, "Cache-Control", "no-store, max-age=60")).isEqualTo("no-store");
        assertThat(why(200, "Cache-Control", "private, max-age=60")).isEqualTo("private");
        assertThat(why(500, "Cache-Control", "max-age=60")).isNull();
        assertThat(why(500)).isEqualTo("status");
        assertThat(why(206, "Cache-Control", "max-age=60")).isEqualTo("status");
        assertThat(why(200, "Cache-Control", "max-age=60", "Vary", "*")).isEqualTo("vary *");
        assertThat(why(200, "Cache-Control", "max-age=60", "Set-Cookie", "a=b")).isEqualTo("set-cookie");
        assertThat(why(200, "Cache-Control", "no-cache", "ETag", "\"x\"")).isNull();
        List<Map.Entry<String, String>> h = headers("Cache-Control", "max-age=60");
        assertThat(Rfc9111.whyNotStorable("GET", true, CacheControl.NONE, 200, n -> Rfc9111.values(h, n), ROUTE, 1, 9))
                .isEqualTo("authorization");
        assertThat(Rfc9111.whyNotStorable("POST", false, CacheControl.NONE, 200, n -> Rfc9111.values(h, n), ROUTE, 1,
                9)).isEqualTo("method");
        assertThat(Rfc9111.whyNotStorable("GET", false, CacheControl.NONE, 200, n -> Rfc9111.values(h, n), ROUTE, 10,
                9)).isEqualTo("too large");
    }

    @Test
    void ageAndFreshnessFollowSection4() {
        long t = 1_000_000_000_000L;
        StoredResponse r = Rfc9111.toStore("u", 200, headers("Cache-Control", "max-age=60", "Age", "10",
                "Date", Rfc9111.formatDate(t - 5_000)), new byte[0], t - 1_000, t, ROUTE);
        // corrected initial age: max(apparent 5 s, 10 s + 1 s of delay) = 11 s
        assertThat(r.ageMillis(t)).isEqualTo(11_000);
        assertThat(r.freshAt(t + 48_000)).isTrue();
        assertThat(r.freshAt(t + 49_000)).isFalse();
        StoredResponse heuristic = Rfc9111.toStore("u", 200, headers("Date", Rfc9111.formatDate(t),
                "Last-Modified", Rfc9111.formatDate(t - 100_000_000)), new byte[0], t, t,
                new CachePolicy(true, Duration.ZERO, List.of(), true, false, Duration.ZERO));
        assertThat(heuristic.freshnessMillis()).isEqualTo(10_000_000);
        StoredResponse badExpires = Rfc9111.toStore("u", 200, headers("Expires", "0"), new byte[0], t, t, ROUTE);
        assertThat(badExpires.freshnessMillis()).isZero();
    }

    @Test
    void whatAStoredObjectMayDo() {
        long t = 1_000_000_000_000L;
        StoredResponse r = Rfc9111.toStore("u", 200, headers("Cache-Control",
                "max-age=10, stale-while-revalidate=20, stale-if-error=100", "ETag", "\"e\""), new byte[0], t, t,
                ROUTE);
        assertThat(Rfc9111.use(r, CacheControl.NONE, false, t + 5_000)).isEqualTo(Rfc9111.Use.FRESH);
        assertThat(Rfc9111.use(r, CacheControl.NONE, false, t + 15_000)).isEqualTo(Rfc9111.Use.STALE_WHILE_REVALIDATE);
        assertThat(Rfc9111.use(r, CacheControl.NONE, false, t + 40_000)).isEqualTo(Rfc9111.Use.REVALIDATE);
        assertThat(Rfc9111.use(r, CacheControl.parse(List.of("no-cache")), false, t)).isEqualTo(Rfc9111.Use.REVALIDATE);
        assertThat(Rfc9111.use(r, CacheControl.NONE, true, t)).as("Pragma: no-cache").isEqualTo(Rfc9111.Use.REVALIDATE);
        assertThat(Rfc9111.use(r, CacheControl.parse(List.of("max-age=2")), false, t + 5_000))
                .isEqualTo(Rfc9111.Use.STALE_WHILE_REVALIDATE);
        assertThat(Rfc9111.use(r, CacheControl.parse(List.of("min-fresh=8")), false, t + 5_000))
                .isNotEqualTo(Rfc9111.Use.FRESH);
        assertThat(Rfc9111.use(r, CacheControl.parse(List.of("max-stale=60")), false, t + 40_000))
                .isEqualTo(Rfc9111.Use.FRESH);
        assertThat(Rfc9111.usableOnError(r, ROUTE, t + 100_000)).isTrue();
        assertThat(Rfc9111.usableOnError(r, ROUTE, t + 120_000)).isFalse();
        assertThat(Rfc9111.notModified(r, "W/\"e\"", null)).isTrue();
        assertThat(Rfc9111.notModified(r, "\"f\", \"e\"", null)).isTrue();
        assertThat(Rfc9111.notModified(r, "\"f\"", Rfc9111.formatDate(t + 1_000))).isFalse();
    }

    @Test
    void theRoutesStaleWindowDoesNotOverrideMustRevalidateAndBareMaxStaleAcceptsAnyAge() {
        long t = 1_000_000_000_000L;
        CachePolicy lenient = new CachePolicy(true, Duration.ZERO, List.of(), false, false, Duration.ofHours(1));
        StoredResponse strict = Rfc9111.toStore("u", 200, headers("Cache-Control", "max-age=1, must-revalidate"),
                new byte[0], t, t, ROUTE);
        assertThat(Rfc9111.usableOnError(strict, lenient, t + 60_000)).isFalse();
        StoredResponse plain = Rfc9111.toStore("u", 200, headers("Cache-Control", "max-age=1"), new byte[0], t, t,
                ROUTE);
        assertThat(Rfc9111.usableOnError(plain, lenient, t + 60_000)).isTrue();
        assertThat(Rfc9111.use(plain, CacheControl.parse(List.of("max-stale")), false, t + 86_400_000L))
                .isEqualTo(Rfc9111.Use.FRESH);
    }
}
