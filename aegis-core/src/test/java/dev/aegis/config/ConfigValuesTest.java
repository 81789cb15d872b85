package dev.aegis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigValuesTest {

    @ParameterizedTest
    @CsvSource({
            "0, 0",
            "0s, 0",
            "250ms, 250",
            "2s, 2000",
            "5m, 300000",
            "1h, 3600000",
            "90s, 90000",
    })
    void durations(String text, long millis) {
        assertThat(ConfigValues.parseDuration(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "10", "-1s", "1.5s", "2 sec", "1d", "ms5", "9999999999999999999h", "1h30m"})
    void badDurations(String text) {
        assertThatThrownBy(() -> ConfigValues.parseDuration(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("`");
    }

    @Test
    void durationMessagesSayWhatToWrite() {
        assertThatThrownBy(() -> ConfigValues.parseDuration("10"))
                .hasMessage("`10` has no unit; write 10ms, 10s, 10m or 10h");
        assertThatThrownBy(() -> ConfigValues.parseDuration("3d"))
                .hasMessage("`3d` has an unknown unit `d`; use ms, s, m or h");
    }

    @ParameterizedTest
    @CsvSource({
            "0, 0",
            "512, 512",
            "512B, 512",
            "512KiB, 524288",
            "1MiB, 1048576",
            "1GiB, 1073741824",
            "8KB, 8000",
            "1MB, 1000000",
            "2GB, 2000000000",
            "100MiB, 104857600",
    })
    void sizes(String text, long bytes) {
        assertThat(ConfigValues.parseSize(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "KiB", "-1", "1.5MiB", "1kib", "1K", "1TiB", "99999999999GiB", "12 XB"})
    void badSizes(String text) {
        assertThatThrownBy(() -> ConfigValues.parseSize(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void integers() {
        assertThat(ConfigValues.parseInteger("42")).isEqualTo(42);
        assertThat(ConfigValues.parseInteger("-7")).isEqualTo(-7);
        assertThat(ConfigValues.parseInteger("100_000")).isEqualTo(100_000);
        for (String bad : List.of("", "-", "1.0", "0x10", "_1", "ten", "1e3", "1234567890123456789012")) {
            assertThatThrownBy(() -> ConfigValues.parseInteger(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void booleans() {
        for (String yes : List.of("true", "True", "yes", "on")) {
            assertThat(ConfigValues.parseBoolean(yes)).as(yes).isTrue();
        }
        for (String no : List.of("false", "FALSE", "no", "off")) {
            assertThat(ConfigValues.parseBoolean(no)).as(no).isFalse();
        }
        assertThatThrownBy(() -> ConfigValues.parseBoolean("maybe"))
                .hasMessage("expected true or false, got `maybe`");
    }

    @Test
    void listenAndServerAddresses() {
        assertThat(ConfigValues.parseListen(":8080")).isEqualTo(new HostPort("0.0.0.0", 8080));
        assertThat(ConfigValues.parseListen("127.0.0.1:1")).isEqualTo(new HostPort("127.0.0.1", 1));
        assertThat(ConfigValues.parseListen("[::]:443")).isEqualTo(new HostPort("::", 443));
        assertThat(ConfigValues.parseListen("Localhost:65535")).isEqualTo(new HostPort("localhost", 65535));
        assertThat(ConfigValues.parseServerAddress("[2001:DB8::1]:80")).isEqualTo(new HostPort("2001:db8::1", 80));
        assertThat(ConfigValues.parseServerAddress("my-origin_1.svc.local:9000"))
                .isEqualTo(new HostPort("my-origin_1.svc.local", 9000));
        for (String bad : List.of("8080", ":0", ":65536", "host:", "host:-1", "[::1]", "[::1]80", "[1.2.3.4]:80",
                "::1:80", "-host:80", "a..b:80", "1.2.3.256:80", "ho st:80")) {
            assertThatThrownBy(() -> ConfigValues.parseServerAddress(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> ConfigValues.parseServerAddress(":80")).hasMessageContaining("has no host");
    }

    @Test
    void interpolation() {
        Map<String, String> env = Map.of("A", "1", "EMPTY", "", "B_2", "two");
        assertThat(ConfigValues.interpolate("plain", env::get)).isEqualTo("plain");
        assertThat(ConfigValues.interpolate("${A}", env::get)).isEqualTo("1");
        assertThat(ConfigValues.interpolate("x${A}y${B_2}z", env::get)).isEqualTo("x1ytwoz");
        assertThat(ConfigValues.interpolate("${MISSING:-d}", env::get)).isEqualTo("d");
        assertThat(ConfigValues.interpolate("${MISSING:-}", env::get)).isEmpty();
        assertThat(ConfigValues.interpolate("${EMPTY:-d}", env::get)).isEqualTo("d");
        assertThat(ConfigValues.interpolate("${EMPTY}", env::get)).isEmpty();
        assertThat(ConfigValues.interpolate("${A:-a:-b}", env::get)).isEqualTo("1");
        assertThat(ConfigValues.interpolate("${MISSING:-http://x:80}", env::get)).isEqualTo("http://x:80");
        assertThat(ConfigValues.interpolate("$${A}", env::get)).isEqualTo("${A}");
        assertThat(ConfigValues.interpolate("^/a$|$5 {x}", env::get)).isEqualTo("^/a$|$5 {x}");
        assertThatThrownBy(() -> ConfigValues.interpolate("${A", env::get)).hasMessageContaining("unterminated");
        assertThatThrownBy(() -> ConfigValues.interpolate("${1A}", env::get))
                .hasMessage("`${1A}` does not name an environment variable; write ${NAME} or ${NAME:-default}");
        assertThatThrownBy(() -> ConfigValues.interpolate("${MISSING}", env::get))
                .hasMessage("environment variable `MISSING` is not set (write ${MISSING:-default} to give a default)");
    }

    @Test
    void tokensAndHostNames() {
        assertThat(ConfigValues.isToken("X-Forwarded-For")).isTrue();
        assertThat(ConfigValues.isToken("PATCH")).isTrue();
        assertThat(ConfigValues.isToken("X Forwarded")).isFalse();
        assertThat(ConfigValues.isToken("")).isFalse();
        assertThat(ConfigValues.isToken("X:Y")).isFalse();
        assertThat(ConfigValues.isHostName("example.com")).isTrue();
        assertThat(ConfigValues.isHostName("10.1.2.3")).isTrue();
        assertThat(ConfigValues.isHostName("10.1.2.300")).isFalse();
        assertThat(ConfigValues.isHostName("a-.com")).isFalse();
        assertThat(ConfigValues.isHostName("a".repeat(64) + ".com")).isFalse();
        assertThat(ConfigValues.isHostName("exämple.com")).isFalse();
    }

    @Test
    void longValuesAreShortenedInMessages() {
        String quoted = ConfigValues.quote("x".repeat(1000));
        assertThat(quoted).hasSizeLessThan(70).endsWith("...`");
    }

    @Test
    void suggestions() {
        List<String> keys = List.of("servers", "balancer", "hash_key", "health_check", "retries");
        assertThat(Suggestions.closest("ballancer", keys)).isEqualTo("balancer");
        assertThat(Suggestions.closest("Servers", keys)).isEqualTo("servers");
        assertThat(Suggestions.closest("retires", keys)).isEqualTo("retries");
        assertThat(Suggestions.closest("health", keys)).isEqualTo("health_check");
        assertThat(Suggestions.closest("hashkey", keys)).isEqualTo("hash_key");
        assertThat(Suggestions.closest("timeouts", keys)).isNull();
        assertThat(Suggestions.closest("x", List.of("id"))).isNull();
        assertThat(Suggestions.closest("ab", List.of("abc"))).isEqualTo("abc");
        assertThat(Suggestions.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(Suggestions.distance("flaw", "lawn")).isEqualTo(2);
        assertThat(Suggestions.distance("", "ab")).isEqualTo(2);
        assertThat(Suggestions.list(List.of("a", "b"))).isEqualTo("`a`, `b`");
    }
}
