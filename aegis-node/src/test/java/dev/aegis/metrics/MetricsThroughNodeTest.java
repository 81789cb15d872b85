package dev.aegis.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.admin.AdminServer;
import dev.aegis.admin.NodeAdminEndpoints;
import dev.aegis.origin.MockOrigin;
import dev.aegis.server.AccessLog;
import dev.aegis.server.AegisServer;
import dev.aegis.testing.Await;
import dev.aegis.testing.NatsServer;
import dev.aegis.testing.NodeFixture;
import dev.aegis.testing.ShopRequests;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} of a real node after a mixed load (clean requests, origin errors, an unreachable server,
 * attacks, rate-limited bursts, cache hits, admin requests without the token), in a two-node cluster over a real
 * {@code nats-server}: the exposition is valid Prometheus text, and every family holds the exact series the load
 * should have made.
 */
class MetricsThroughNodeTest {
    static final String TOKEN = "metrics-test-token";
    static final String CLUSTER = "m" + Long.toHexString(System.nanoTime());
    static NatsServer nats;
    static MockOrigin origin;
    static int deadPort;
    static AegisServer node;
    static AegisServer peer;
    static AdminServer admin;
    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    static final String YAML = """
            node: { id: "${ID}", listen: "127.0.0.1:0", workers: 2 }
            upstreams:
              app: { servers: [ { address: "127.0.0.1:${ORIGIN}" } ] }
              gone:
                servers: [ { address: "127.0.0.1:${DEAD}" } ]
                timeouts: { connect: 500ms }
            routes:
              - name: cached
                match: { path: { prefix: /cache/ } }
                upstream: app
                cache: { enabled: true }
              - name: limited
                match: { path: { prefix: /limited } }
                upstream: app
                rate_limit: { key: client_ip, limit: 3, window: 1h }
              - name: gone
                match: { path: { prefix: /gone } }
                upstream: gone
              - name: api
                match: { path: { prefix: / } }
                upstream: app
            waf:
              mode: block
              custom_rules:
                - { id: 100050, targets: ["ARGS:q"], operator: contains, value: forbidden-word, severity: critical }
            cluster: { name: "${CLUSTER}", nats: { url: "${NATS}" }, sync_interval: 100ms }
            """;

    static AegisServer start(String id) {
        return AegisServer.start(NodeFixture.parse(YAML, Map.of("ID", id, "ORIGIN", "" + origin.port(),
                "DEAD", "" + deadPort, "NATS", nats.url(), "CLUSTER", CLUSTER)), AccessLog.OFF, AccessLog.OFF);
    }

    @BeforeAll
    static void startAll() throws Exception {
        nats = NatsServer.start();
        origin = MockOrigin.start("127.0.0.1", 0);
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort(); // closed again: nothing listens there
        }
        node = start("node-a");
        peer = start("node-b");
        admin = AdminServer.start(new dev.aegis.config.HostPort("127.0.0.1", 0), TOKEN,
                new NodeAdminEndpoints(node, null));
        assertThat(Await.until(Duration.ofSeconds(10), () -> node.ready() && peer.ready()
                && node.cluster().peers().stream().anyMatch(p -> p.alive() && p.lastSyncMillis() > 0)))
                .as("the two nodes see each other").isTrue();
    }

    @AfterAll
    static void stopAll() {
        admin.close();
        node.close();
        peer.close();
        origin.close();
        nats.close();
    }

    static HttpResponse<String> adminGet(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path))
                .timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void afterAMixedLoadEveryFamilyHoldsTheExactSeries() throws Exception {
        int port = node.port();
        for (int i = 0; i < 5; i++) {
            assertThat(ShopRequests.get(port, "/api/users").status()).isEqualTo(200);
        }
        assertThat(ShopRequests.post(port, "/echo", "application/json", "{\"a\":1}").status()).isEqualTo(200);
        assertThat(ShopRequests.get(port, "/status/404").status()).isEqualTo(404);
        assertThat(ShopRequests.get(port, "/status/503").status()).isEqualTo(503);
        assertThat(ShopRequests.get(port, "/gone").status()).isEqualTo(502);
        assertThat(ShopRequests.get(port, "/search?q=forbidden-word").status()).isEqualTo(403);
        assertThat(ShopRequests.get(port, "/login?user=admin%27%20OR%20%271%27%3D%271").status()).isEqualTo(403);
        for (int i = 0; i < 5; i++) {
            ShopRequests.get(port, "/limited");
        }
        for (int i = 0; i < 3; i++) {
            ShopRequests.get(port, "/cache/60?m=1");
        }
        // a request is recorded just after its answer is written: wait until all 19 are
        assertThat(Await.until(Duration.ofSeconds(5), () -> node.metrics().routeTotals().values().stream()
                .mapToLong(NodeMetrics.RouteTotals::requests).sum() == 19)).as("all recorded").isTrue();
        assertThat(adminGet("/metrics", null).statusCode()).isEqualTo(401);
        assertThat(adminGet("/admin/routes", "wrong").statusCode()).isEqualTo(401);

        HttpResponse<String> scrape = adminGet("/metrics", TOKEN);
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("content-type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "metrics-sample.txt"), scrape.body());
        PrometheusText text = PrometheusText.parse(scrape.body()); // throws on anything invalid
        String app = "127.0.0.1:" + origin.port();
        String dead = "127.0.0.1:" + deadPort;

        // requests by route, method class and status class; durations by route
        assertThat(text.value("aegis_requests_total", "route", "api", "method", "read", "status", "2xx")).isEqualTo(5);
        assertThat(text.value("aegis_requests_total", "route", "api", "method", "write", "status", "2xx")).isEqualTo(1);
        assertThat(text.value("aegis_requests_total", "route", "api", "method", "read", "status", "4xx"))
                .as("the origin's 404, the custom rule's and the SQL injection's 403").isEqualTo(3);
        assertThat(text.value("aegis_requests_total", "route", "api", "method", "read", "status", "5xx")).isEqualTo(1);
        assertThat(text.value("aegis_requests_total", "route", "gone", "method", "read", "status", "5xx")).isEqualTo(1);
        assertThat(text.value("aegis_requests_total", "route", "limited", "method", "read", "status", "2xx")).isEqualTo(3);
        assertThat(text.value("aegis_requests_total", "route", "limited", "method", "read", "status", "4xx")).isEqualTo(2);
        assertThat(text.value("aegis_requests_total", "route", "cached", "method", "read", "status", "2xx")).isEqualTo(3);
        assertThat(text.value("aegis_request_duration_seconds_count", "route", "api")).isEqualTo(10);
        assertThat(text.value("aegis_request_duration_seconds_bucket", "route", "api", "le", "+Inf")).isEqualTo(10);
        assertThat(text.type("aegis_request_duration_seconds")).isEqualTo("histogram");
        assertThat(text.value("aegis_request_duration_seconds_bucket", "route", "api", "le", "1.0E-4"))
                .as("the first bucket is 100 µs").isNotNull();

        // upstreams
        assertThat(text.value("aegis_upstream_connect_duration_seconds_count", "upstream", "app", "server", app))
                .isGreaterThanOrEqualTo(1);
        assertThat(text.value("aegis_upstream_header_duration_seconds_count", "upstream", "app", "server", app))
                .as("every answer from the origin: 5 + 1 + 2 + 3 limited + 1 cache fill").isEqualTo(12);
        assertThat(text.value("aegis_upstream_attempts_total", "upstream", "app", "server", app)).isEqualTo(12);
        assertThat(text.value("aegis_upstream_failures_total", "upstream", "app", "server", app)).isEqualTo(0);
        assertThat(text.value("aegis_upstream_failures_total", "upstream", "gone", "server", dead)).isEqualTo(1);
        assertThat(text.value("aegis_upstream_healthy", "upstream", "app", "server", app)).isEqualTo(1);
        assertThat(text.value("aegis_upstream_in_flight", "upstream", "app", "server", app)).isEqualTo(0);
        assertThat(text.value("aegis_upstream_connections")).isGreaterThanOrEqualTo(1);
        assertThat(text.value("aegis_client_connections")).as("ShopRequests closes each connection").isEqualTo(0);

        // WAF: the custom rule exactly; the SQL injection by family
        assertThat(text.value("aegis_waf_matches_total", "action", "blocked", "family", "custom", "rule", "100050"))
                .isEqualTo(1);
        assertThat(text.sum("aegis_waf_matches_total", "action", "blocked", "family", "sqli")).isGreaterThanOrEqualTo(1);
        assertThat(text.value("aegis_waf_blocked_requests_total", "family", "custom")).isEqualTo(1);
        assertThat(text.value("aegis_waf_blocked_requests_total", "family", "sqli")).isEqualTo(1);

        // rate limit, cache
        assertThat(text.value("aegis_ratelimit_decisions_total", "route", "limited", "decision", "allowed")).isEqualTo(3);
        assertThat(text.value("aegis_ratelimit_decisions_total", "route", "limited", "decision", "limited")).isEqualTo(2);
        assertThat(text.value("aegis_cache_lookups_total", "result", "miss"))
                .as("every GET that reached the cache phase (routes cache by default): 7 api, 1 gone, 3 limited, 1 "
                        + "cached").isEqualTo(12);
        assertThat(text.value("aegis_cache_lookups_total", "result", "hit")).isEqualTo(2);
        assertThat(text.value("aegis_cache_objects")).isEqualTo(1);
        assertThat(text.value("aegis_cache_stored_bytes")).isGreaterThan(0);
        assertThat(text.value("aegis_cache_evictions_total")).isEqualTo(0);

        // cluster
        assertThat(text.value("aegis_cluster_peers")).isEqualTo(1);
        assertThat(text.value("aegis_cluster_sync_lag_seconds", "peer", "node-b")).isBetween(0.0, 5.0);
        assertThat(text.value("aegis_cluster_since_last_sync_seconds", "peer", "node-b")).isBetween(0.0, 10.0);
        assertThat(text.value("aegis_cluster_messages_total", "direction", "sent")).isGreaterThan(0);
        assertThat(text.value("aegis_cluster_messages_total", "direction", "received")).isGreaterThan(0);

        // admin, JVM
        assertThat(text.value("aegis_admin_unauthorized_total")).isEqualTo(2);
        assertThat(text.value("jvm_memory_used_bytes", "area", "heap")).isGreaterThan(0);
        assertThat(text.value("jvm_threads_current")).isGreaterThan(0);
        assertThat(text.sum("jvm_gc_collection_seconds_count")).isNotNull();
    }

    @Test
    void recordingACleanRequestAllocatesNothing() {
        // metrics of their own, so that the counts of the other test stay exact
        NodeMetrics metrics = new NodeMetrics(new NoSources());
        dev.aegis.pipeline.RequestRecord r = new dev.aegis.pipeline.RequestRecord();
        r.method = "GET";
        r.route = node.snapshot().routes().routes().get(0);
        r.status = 200;
        r.totalNanos = 420_000;
        r.upstream = "app";
        r.upstreamServer = "127.0.0.1:" + origin.port();
        r.upstreamHeaderNanos = 300_000;
        r.rateLimitKey = "127.0.0.1";
        r.cacheStatus = "HIT";
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++) {
            metrics.record(r); // every series exists after the first call
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            metrics.record(r);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // a few hundred bytes of slack for the measuring call itself
        assertThat(allocated).as("bytes allocated by 100,000 recordings").isLessThan(1024);
    }

    /** A node with nothing to report at scrape time. */
    static final class NoSources implements NodeMetrics.Sources {
        @Override
        public long clientConnections() {
            return 0;
        }

        @Override
        public void upstreamServers(java.util.function.Consumer<NodeMetrics.UpstreamSample> visitor) {
        }

        @Override
        public long cacheBytes() {
            return 0;
        }

        @Override
        public long cacheObjects() {
            return 0;
        }

        @Override
        public long cacheEvictions() {
            return 0;
        }

        @Override
        public void clusterPeers(NodeMetrics.PeerVisitor visitor) {
        }

        @Override
        public long clusterMessagesSent() {
            return 0;
        }

        @Override
        public long clusterMessagesReceived() {
            return 0;
        }
    }
}
