package dev.aegis.config;

import static dev.aegis.config.ConfigTesting.errors;
import static dev.aegis.config.ConfigTesting.singleError;
import static dev.aegis.config.ConfigTesting.valid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.aegis.config.RateLimitPolicy.SyncLossPolicy;
import dev.aegis.config.UpstreamConfig.Balancer;
import dev.aegis.config.WafPolicy.WafMode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void embeddedDefaultIsTheDocumentedSingleOriginSetup() {
        AegisConfig config = ConfigLoader.embeddedDefault();

        assertThat(config.node().listen()).isEqualTo(new HostPort("0.0.0.0", 8080));
        assertThat(config.upstreams()).containsOnlyKeys("origin");
        UpstreamConfig origin = config.upstreams().get("origin");
        assertThat(origin.servers()).containsExactly(
                new UpstreamConfig.ServerConfig(new HostPort("127.0.0.1", 9000), 1));
        assertThat(origin.healthCheck()).isNotNull();
        assertThat(origin.healthCheck().path()).isEqualTo("/health");
        assertThat(config.routes()).singleElement().satisfies(route -> {
            assertThat(route.name()).isEqualTo("default");
            assertThat(route.match().path()).isEqualTo(
                    new RouteConfig.PathMatch(RouteConfig.PathMatch.Kind.PREFIX, "/"));
            assertThat(route.upstream()).isEqualTo("origin");
            assertThat(route.waf()).isEqualTo(new WafPolicy(WafMode.BLOCK, 1, 5, List.of()));
            assertThat(route.cache()).isEqualTo(new CachePolicy(true, Duration.ZERO));
            assertThat(route.rateLimit()).isEqualTo(new RateLimitPolicy("client_ip", 1000, Duration.ofSeconds(1),
                    SyncLossPolicy.LOCAL_SHARE));
        });
        assertThat(config.waf().mode()).isEqualTo(WafMode.BLOCK);
        assertThat(config.clientIp().trustedProxies()).containsExactly("127.0.0.1/32", "::1/128");
    }

    @Test
    void designExampleIsValid() throws IOException {
        String yaml = resource("design-example.yaml");

        AegisConfig config = valid(yaml);

        assertThat(config.node()).isEqualTo(new NodeConfig("edge-1", new HostPort("0.0.0.0", 8080), 0,
                Duration.ofSeconds(30)));
        assertThat(config.admin().token()).isEmpty();
        UpstreamConfig app = config.upstreams().get("app");
        assertThat(app.balancer()).isEqualTo(Balancer.ROUND_ROBIN);
        assertThat(app.hashKey()).isNull();
        assertThat(app.healthCheck()).isEqualTo(new UpstreamConfig.HealthCheckConfig(
                "/health", Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3));
        RouteConfig api = config.routes().get(0);
        assertThat(api.name()).isEqualTo("api");
        assertThat(api.priority()).isEqualTo(100);
        assertThat(api.match().host()).isEqualTo("*.example.com");
        assertThat(api.match().methods()).containsExactlyInAnyOrder("GET", "POST");
        assertThat(api.match().headers()).containsExactly(entry("X-Tenant", "acme"));
        assertThat(api.waf()).isEqualTo(new WafPolicy(WafMode.BLOCK, 2, 5, List.of(
                new WafPolicy.Exclusion(942100, "ARGS:password", 29))));
        assertThat(api.cache()).isEqualTo(new CachePolicy(true, Duration.ofSeconds(60)));
        assertThat(api.rateLimit()).isEqualTo(new RateLimitPolicy("client_ip", 100, Duration.ofSeconds(1),
                SyncLossPolicy.LOCAL_SHARE));
        assertThat(config.cache().redisUrl()).isEqualTo("redis://127.0.0.1:6379");
        assertThat(config.cluster().natsUrl()).isEqualTo("nats://127.0.0.1:4222");
        assertThat(config.clientIp().trustedProxies()).containsExactly("127.0.0.1/32");
    }

    @Test
    void designExampleTakesTheAdminTokenFromTheEnvironment() throws IOException {
        AegisConfig config = valid(resource("design-example.yaml"), Map.of("AEGIS_ADMIN_TOKEN", "t0ken"));
        assertThat(config.admin().token()).isEqualTo("t0ken");
    }

    @Test
    void envInterpolationWithAnInjectedEnvironment() {
        Map<String, String> env = Map.of("PORT", "9443", "NODE", "edge-9", "EMPTY", "", "TENANT", "acme");
        AegisConfig config = valid("""
                node:
                  id: ${NODE}-${REGION:-eu}
                  listen: ":${PORT}"
                  workers: ${WORKERS:-2}
                admin:
                  token: "${EMPTY:-fallback}|${EMPTY}|$${NOT_A_VAR}|cost: $5"
                """, env);

        assertThat(config.node().id()).isEqualTo("edge-9-eu");
        assertThat(config.node().listen()).isEqualTo(new HostPort("0.0.0.0", 9443));
        assertThat(config.node().workers()).isEqualTo(2);
        assertThat(config.admin().token()).isEqualTo("fallback||${NOT_A_VAR}|cost: $5");
    }

    @Test
    void interpolatedValuesAreTypedAfterwards() {
        List<ConfigError> errors = errors("""
                node:
                  workers: ${WORKERS}
                """, Map.of("WORKERS", "lots")::get);
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.message()).isEqualTo("expected a whole number, got `lots`");
        });
    }

    @Test
    void unsetVariableWithoutDefaultIsAnErrorAtItsLine() {
        ConfigError error = singleError("""
                node:
                  id: edge
                admin:
                  token: ${AEGIS_TOKEN}
                """, 4, "admin.token");
        assertThat(error.message()).isEqualTo(
                "environment variable `AEGIS_TOKEN` is not set (write ${AEGIS_TOKEN:-default} to give a default)");
        assertThat(error.column()).isEqualTo(10);
    }

    @Test
    void everyUnsetVariableIsReported() {
        List<ConfigError> errors = errors("""
                node: { id: "${A}-${B}" }
                cluster:
                  name: ${C}
                """);
        assertThat(errors).extracting(ConfigError::line, ConfigError::message).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1,
                        "environment variables `A`, `B` are not set (write ${A:-default} to give a default)"),
                org.assertj.core.groups.Tuple.tuple(3,
                        "environment variable `C` is not set (write ${C:-default} to give a default)"));
    }

    @Test
    void interpolationIsOnlyInValuesAndIsNotRecursive() {
        AegisConfig config = valid("""
                admin: { token: "${OUTER}" }
                """, Map.of("OUTER", "${INNER}"));
        assertThat(config.admin().token()).isEqualTo("${INNER}");
    }

    @Test
    void customRulesMustBeMappings() {
        ConfigError error = singleError("""
                waf:
                  custom_rules:
                    - { id: 1, targets: ARGS, operator: contains, value: x }
                    - block everything
                """, 4, "waf.custom_rules[1]");
        assertThat(error.message()).startsWith("expected a rule (a mapping of `id`, `message`, `targets`")
                .endsWith("got `block everything`");
    }

    @Test
    void loadReadsAFileAndNamesItInErrors() throws IOException {
        Path file = dir.resolve("aegis.yaml");
        Files.writeString(file, "node:\n  workers: -3\n");

        ConfigResult result = ConfigLoader.load(file);

        assertThat(result).isInstanceOfSatisfying(ConfigResult.Invalid.class, invalid ->
                assertThat(invalid.errors()).extracting(ConfigError::toString).containsExactly(
                        file + ":2:12: node.workers: must be between 0 and 4096, got -3"));
    }

    @Test
    void loadWithAnInjectedEnvironment() throws IOException {
        Path file = dir.resolve("aegis.yaml");
        // A byte-order mark, as some Windows editors write, is skipped.
        Files.writeString(file, "\uFEFFadmin:\n  token: ${T}\n");

        ConfigResult result = ConfigLoader.load(file, Map.of("T", "x")::get);

        assertThat(result).isInstanceOfSatisfying(ConfigResult.Valid.class, valid ->
                assertThat(valid.config().admin().token()).isEqualTo("x"));
    }

    @Test
    void missingFileIsAnInvalidResultAtLineZero() {
        Path file = dir.resolve("nope.yaml");

        ConfigResult result = ConfigLoader.load(file);

        assertThat(result).isInstanceOfSatisfying(ConfigResult.Invalid.class, invalid ->
                assertThat(invalid.errors()).containsExactly(new ConfigError(file.toString(), 0, 0, "",
                        "file not found")));
    }

    @Test
    void directoryAndNonUtf8FilesAreInvalidResults() throws IOException {
        Path binary = dir.resolve("binary.yaml");
        Files.write(binary, new byte[] {'a', ':', ' ', (byte) 0xC3, (byte) 0x28});

        assertThat(ConfigLoader.load(dir)).isInstanceOfSatisfying(ConfigResult.Invalid.class, invalid ->
                assertThat(invalid.errors()).singleElement().satisfies(e -> {
                    assertThat(e.line()).isZero();
                    assertThat(e.message()).contains("directory");
                }));
        assertThat(ConfigLoader.load(binary)).isInstanceOfSatisfying(ConfigResult.Invalid.class, invalid ->
                assertThat(invalid.errors()).singleElement().satisfies(e ->
                        assertThat(e.message()).isEqualTo("is not valid UTF-8 text")));
    }

    @Test
    void resultsAreValues() {
        assertThat(new ConfigResult.Invalid(List.of(new ConfigError("f", 1, 1, "", "m"))))
                .isEqualTo(new ConfigResult.Invalid(List.of(new ConfigError("f", 1, 1, "", "m"))));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ConfigResult.Invalid(List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ConfigLoaderTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
