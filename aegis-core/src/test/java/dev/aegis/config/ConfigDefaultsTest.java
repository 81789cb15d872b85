package dev.aegis.config;

import static dev.aegis.config.ConfigTesting.APP;
import static dev.aegis.config.ConfigTesting.valid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.config.RateLimitPolicy.SyncLossPolicy;
import dev.aegis.config.UpstreamConfig.Balancer;
import dev.aegis.config.WafPolicy.WafMode;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigDefaultsTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "\n", "# only a comment\n# and another\n", "---\n", "node:\nadmin: ~\n",
            "routes: []\nupstreams: {}\n"})
    void emptyFilesAndSectionsGetEveryDefault(String yaml) throws Exception {
        AegisConfig config = valid(yaml);

        String hostName;
        try {
            hostName = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            hostName = "aegis";
        }
        assertThat(config.node()).isEqualTo(new NodeConfig(hostName, new HostPort("0.0.0.0", 8080), 0,
                Duration.ofSeconds(30)));
        assertThat(config.admin()).isEqualTo(new AdminConfig(new HostPort("127.0.0.1", 9901), ""));
        assertThat(config.upstreams()).isEmpty();
        assertThat(config.routes()).isEmpty();
        assertThat(config.waf()).isEqualTo(new WafConfig(WafMode.BLOCK, 1, 5, 128 * 1024, List.of(),
                WafConfig.BodyOverLimit.INSPECT_PARTIAL));
        assertThat(config.cache()).isEqualTo(new CacheConfig(64L << 20, 8L << 20, null));
        assertThat(config.cluster()).isEqualTo(new ClusterConfig("default", null, Duration.ofMillis(100)));
        assertThat(config.clientIp()).isEqualTo(new ClientIpConfig(List.of("127.0.0.1/32", "::1/128"),
                "X-Forwarded-For"));
        assertThat(config.limits()).isEqualTo(new LimitsConfig(32 * 1024, 8 * 1024, 100L << 20,
                Duration.ofSeconds(10), 100_000));
    }

    @Test
    void upstreamDefaults() {
        UpstreamConfig app = valid(APP).upstreams().get("app");

        assertThat(app.name()).isEqualTo("app");
        assertThat(app.servers()).containsExactly(
                new UpstreamConfig.ServerConfig(new HostPort("127.0.0.1", 9000), 1));
        assertThat(app.balancer()).isEqualTo(Balancer.ROUND_ROBIN);
        assertThat(app.hashKey()).isNull();
        assertThat(app.healthCheck()).isNull();
        assertThat(app.passive()).isEqualTo(new UpstreamConfig.PassiveConfig(5, Duration.ofSeconds(10)));
        assertThat(app.timeouts()).isEqualTo(new UpstreamConfig.TimeoutsConfig(
                Duration.ofSeconds(1), Duration.ofSeconds(15), Duration.ofSeconds(60)));
        assertThat(app.pool()).isEqualTo(new UpstreamConfig.PoolConfig(64, Duration.ofSeconds(60)));
        assertThat(app.retries()).isEqualTo(1);
    }

    @Test
    void healthCheckPresentButEmptyGetsItsDefaults() {
        UpstreamConfig app = valid("""
                upstreams:
                  app:
                    servers: [{ address: 127.0.0.1:9000 }]
                    health_check: { interval: 5s }
                """).upstreams().get("app");

        assertThat(app.healthCheck()).isEqualTo(new UpstreamConfig.HealthCheckConfig(
                "/health", Duration.ofSeconds(5), Duration.ofSeconds(1), 2, 3));
    }

    @Test
    void hashBalancerDefaultsItsKeyToClientIp() {
        UpstreamConfig app = valid("""
                upstreams:
                  app:
                    servers: [127.0.0.1:9000]
                    balancer: hash
                """).upstreams().get("app");

        assertThat(app.balancer()).isEqualTo(Balancer.HASH);
        assertThat(app.hashKey()).isEqualTo("client_ip");
    }

    @Test
    void hashKeyIsCheckedButDroppedWithoutTheHashBalancer() {
        UpstreamConfig app = valid("""
                upstreams:
                  app:
                    servers: [127.0.0.1:9000]
                    balancer: least_conn
                    hash_key: header:X-User
                """).upstreams().get("app");

        assertThat(app.balancer()).isEqualTo(Balancer.LEAST_CONN);
        assertThat(app.hashKey()).isNull();
    }

    @Test
    void routeDefaultsInheritTheGlobalWafAndHaveNoRateLimit() {
        RouteConfig route = valid(APP + """
                waf: { mode: detect, paranoia: 3, anomaly_threshold: 7 }
                routes:
                  - name: all
                    match: { path: { prefix: / } }
                    upstream: app
                """).routes().get(0);

        assertThat(route.priority()).isZero();
        assertThat(route.match()).isEqualTo(new RouteConfig.Match(null,
                new RouteConfig.PathMatch(RouteConfig.PathMatch.Kind.PREFIX, "/"), java.util.Set.of(),
                java.util.Map.of()));
        assertThat(route.waf()).isEqualTo(new WafPolicy(WafMode.DETECT, 3, 7, List.of()));
        assertThat(route.cache()).isEqualTo(new CachePolicy(true, Duration.ZERO));
        assertThat(route.rateLimit()).isNull();
        assertThat(route.line()).isEqualTo(6);
    }

    @Test
    void routeWafOverridesOnlyTheFieldsItSets() {
        RouteConfig route = valid(APP + """
                waf: { mode: detect, paranoia: 3, anomaly_threshold: 7 }
                routes:
                  - name: login
                    match: { path: { exact: /login } }
                    upstream: app
                    waf:
                      paranoia: 4
                      exclusions:
                        - { rule: 942100, target: "ARGS:password" }
                        - rule: 941100
                          target: REQUEST_HEADERS:Referer
                """).routes().get(0);

        assertThat(route.waf()).isEqualTo(new WafPolicy(WafMode.DETECT, 4, 7, List.of(
                new WafPolicy.Exclusion(942100, "ARGS:password", 12),
                new WafPolicy.Exclusion(941100, "REQUEST_HEADERS:Referer", 13))));
    }

    @Test
    void routeCacheAndRateLimitFillTheirMissingFields() {
        RouteConfig route = valid(APP + """
                routes:
                  - name: api
                    match: { path: { prefix: /api/ } }
                    upstream: app
                    cache: { default_ttl: 60s }
                    rate_limit: { limit: 100 }
                """).routes().get(0);

        assertThat(route.cache()).isEqualTo(new CachePolicy(true, Duration.ofSeconds(60)));
        assertThat(route.rateLimit()).isEqualTo(new RateLimitPolicy("client_ip", 100, Duration.ofSeconds(1),
                SyncLossPolicy.LOCAL_SHARE));
    }

    @Test
    void everyKeySetExplicitlyIsHonoured() {
        AegisConfig config = valid("""
                node: { id: edge-7, listen: ":9090", workers: 3, drain_timeout: 5s }
                admin: { listen: "[::1]:9901", token: s3cret }
                upstreams:
                  app:
                    servers:
                      - { address: "[2001:db8::1]:443", weight: 3 }
                      - backend.internal:8080
                    balancer: hash
                    hash_key: header:X-User
                    passive: { failures: 2, cooldown: 1m }
                    timeouts: { connect: 250ms, response_header: 2s, idle: 1h }
                    pool: { max_idle_per_loop: 0, idle_timeout: 5m }
                    retries: 0
                routes:
                  - name: api
                    priority: -5
                    match:
                      host: "*.Example.COM"
                      path: { regex: "^/v[0-9]+/" }
                      methods: [get, Post]
                      headers: { X-Tenant: acme }
                    upstream: app
                    cache: { enabled: false }
                    rate_limit: { key: "header:X-Api-Key", limit: 5, window: 1m, on_sync_loss: deny }
                waf: { mode: "off", paranoia: 2, anomaly_threshold: 10, body_limit: 1MB, body_over_limit: block }
                cache: { memory: 1GiB, max_object: 512KiB, redis: { url: "redis://cache:6379" } }
                cluster: { name: eu, nats: { url: "nats://nats:4222" }, sync_interval: 250ms }
                client_ip: { trusted_proxies: [10.0.0.0/8, "fd00::/8"], header: X-Real-IP }
                limits:
                  max_header_bytes: 16KiB
                  max_uri_bytes: 4096
                  max_body_bytes: 0
                  header_read_timeout: 2s
                  max_connections: 1_000
                """);

        assertThat(config.node()).isEqualTo(new NodeConfig("edge-7", new HostPort("0.0.0.0", 9090), 3,
                Duration.ofSeconds(5)));
        assertThat(config.admin()).isEqualTo(new AdminConfig(new HostPort("::1", 9901), "s3cret"));
        assertThat(config.admin().listen()).hasToString("[::1]:9901");
        UpstreamConfig app = config.upstreams().get("app");
        assertThat(app.servers()).containsExactly(
                new UpstreamConfig.ServerConfig(new HostPort("2001:db8::1", 443), 3),
                new UpstreamConfig.ServerConfig(new HostPort("backend.internal", 8080), 1));
        assertThat(app.hashKey()).isEqualTo("header:X-User");
        assertThat(app.passive()).isEqualTo(new UpstreamConfig.PassiveConfig(2, Duration.ofMinutes(1)));
        assertThat(app.timeouts()).isEqualTo(new UpstreamConfig.TimeoutsConfig(
                Duration.ofMillis(250), Duration.ofSeconds(2), Duration.ofHours(1)));
        assertThat(app.pool()).isEqualTo(new UpstreamConfig.PoolConfig(0, Duration.ofMinutes(5)));
        assertThat(app.retries()).isZero();
        RouteConfig route = config.routes().get(0);
        assertThat(route.priority()).isEqualTo(-5);
        assertThat(route.match().host()).isEqualTo("*.example.com");
        assertThat(route.match().path()).isEqualTo(
                new RouteConfig.PathMatch(RouteConfig.PathMatch.Kind.REGEX, "^/v[0-9]+/"));
        assertThat(route.match().methods()).containsExactlyInAnyOrder("GET", "POST");
        assertThat(route.match().headers()).containsExactly(java.util.Map.entry("X-Tenant", "acme"));
        assertThat(route.waf()).isEqualTo(new WafPolicy(WafMode.OFF, 2, 10, List.of()));
        assertThat(route.cache()).isEqualTo(new CachePolicy(false, Duration.ZERO));
        assertThat(route.rateLimit()).isEqualTo(new RateLimitPolicy("header:X-Api-Key", 5, Duration.ofMinutes(1),
                SyncLossPolicy.DENY));
        assertThat(config.waf()).isEqualTo(new WafConfig(WafMode.OFF, 2, 10, 1_000_000, List.of(),
                WafConfig.BodyOverLimit.BLOCK));
        assertThat(config.cache()).isEqualTo(new CacheConfig(1L << 30, 512 * 1024, "redis://cache:6379"));
        assertThat(config.cluster()).isEqualTo(new ClusterConfig("eu", "nats://nats:4222", Duration.ofMillis(250)));
        assertThat(config.clientIp()).isEqualTo(new ClientIpConfig(List.of("10.0.0.0/8", "fd00::/8"), "X-Real-IP"));
        assertThat(config.limits()).isEqualTo(new LimitsConfig(16 * 1024, 4096, 0, Duration.ofSeconds(2), 1000));
    }

    @Test
    void wafModeOffIsReadAsTextNotAsYamlBoolean() {
        // YAML 1.1 resolves a bare `off` to false; the loader reads the text, so both spellings work.
        assertThat(valid("waf: { mode: off }").waf().mode()).isEqualTo(WafMode.OFF);
    }

    @Test
    void emptyTrustedProxiesMeansTrustNobody() {
        assertThat(valid("client_ip: { trusted_proxies: [] }").clientIp().trustedProxies()).isEmpty();
    }

    @Test
    void routesKeepFileOrderAndUpstreamsKeepFileOrder() {
        AegisConfig config = valid("""
                upstreams:
                  zeta: { servers: [127.0.0.1:1] }
                  alpha: { servers: [127.0.0.1:2] }
                routes:
                  - { name: b, match: { path: { prefix: /b } }, upstream: zeta }
                  - { name: a, match: { path: { prefix: /a } }, upstream: alpha }
                """);

        assertThat(config.upstreams().keySet()).containsExactly("zeta", "alpha");
        assertThat(config.routes()).extracting(RouteConfig::name).containsExactly("b", "a");
        assertThat(config.routes()).extracting(RouteConfig::line).containsExactly(5, 6);
    }

    @Test
    void mergeKeysShareSettingsBetweenUpstreams() {
        AegisConfig config = valid("""
                upstreams:
                  blue: &common
                    servers: [10.0.0.1:80]
                    balancer: p2c
                    retries: 3
                  green:
                    <<: *common
                    servers: [10.0.0.2:80]
                """);

        UpstreamConfig green = config.upstreams().get("green");
        assertThat(green.balancer()).isEqualTo(Balancer.P2C);
        assertThat(green.retries()).isEqualTo(3);
        assertThat(green.servers()).extracting(UpstreamConfig.ServerConfig::address)
                .containsExactly(new HostPort("10.0.0.2", 80));
    }
}
