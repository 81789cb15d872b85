package dev.aegis.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegis.origin.MockOrigin;
import dev.aegis.server.AccessLog;
import dev.aegis.server.AegisServer;
import dev.aegis.testing.NodeFixture;
import dev.aegis.testing.ShopRequests;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint of a real node's admin API, without the token (401, counted in the metrics, except the probes
 * and the dashboard's data-free files) and with it (the endpoint's answer); and what {@code /admin/config},
 * {@code /admin/routes}, {@code /admin/upstreams} and {@code /admin/waf/recent} say.
 */
class AdminEndpointsTokenTest {
    static final String TOKEN = "admin-token-7f3a";
    static MockOrigin origin;
    static AegisServer node;
    static AdminServer admin;
    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    static final ObjectMapper json = new ObjectMapper();

    /** An endpoint, a body to send, and what it answers with the token. */
    record Endpoint(String method, String path, String body, int withToken) {
    }

    static final List<Endpoint> PROTECTED = List.of(
            new Endpoint("GET", "/metrics", null, 200),
            new Endpoint("GET", "/admin/config", null, 200),
            new Endpoint("GET", "/admin/routes", null, 200),
            new Endpoint("GET", "/admin/upstreams", null, 200),
            new Endpoint("GET", "/admin/waf/recent", null, 200),
            new Endpoint("GET", "/admin/cluster", null, 200),
            new Endpoint("GET", "/admin/blocklist", null, 200),
            new Endpoint("POST", "/admin/blocklist", "{\"address\":\"203.0.113.9\",\"ttl\":\"1m\"}", 201),
            new Endpoint("DELETE", "/admin/blocklist?address=203.0.113.9", null, 200),
            new Endpoint("GET", "/admin/ratelimit?route=api&key=127.0.0.1", null, 200),
            new Endpoint("POST", "/admin/cache/purge", "{\"prefix\":\"http://127.0.0.1/nothing/\"}", 502),
            new Endpoint("POST", "/admin/reload", null, 400),
            new Endpoint("GET", "/no/such/endpoint", null, 404));

    static final List<String> PUBLIC = List.of("/healthz", "/readyz", "/", "/dashboard.js", "/uplot.js", "/uplot.css");

    @BeforeAll
    static void start() throws Exception {
        origin = MockOrigin.start("127.0.0.1", 0);
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        node = AegisServer.start(NodeFixture.parse("""
                node: { id: admin-node, listen: "127.0.0.1:0", workers: 1 }
                admin: { listen: "127.0.0.1:0", token: "${TOKEN}" }
                upstreams:
                  app: { servers: [ { address: "127.0.0.1:${ORIGIN}", weight: 3 } ], balancer: least_conn }
                routes:
                  - name: api
                    priority: 5
                    match: { path: { prefix: /api/ }, methods: [GET] }
                    upstream: app
                    rate_limit: { key: client_ip, limit: 100, window: 10s }
                  - name: internal
                    match: { path: { prefix: /internal/ }, headers: { X-Internal-Key: "route-key-s3cret" } }
                    upstream: app
                  - name: rest
                    match: { path: { prefix: / } }
                    upstream: app
                waf:
                  custom_rules:
                    - { id: 100070, targets: ["REQUEST_HEADERS:Authorization"], operator: equals,
                        value: "Bearer allow-rule-s3cret", action: allow }
                    - { id: 100071, targets: ["ARGS:q"], operator: contains, value: "plain-phrase" }
                cache: { redis: { url: "redis://:hun,ter2@127.0.0.1:${DEAD}" } }
                cluster: { nats: { url: "nats://ops:nats-s3cret@127.0.0.1:${DEAD},nats://tok3n-s3cret@127.0.0.1:${DEAD}" } }
                """, Map.of("ORIGIN", "" + origin.port(), "TOKEN", TOKEN, "DEAD", "" + dead)),
                AccessLog.OFF, AccessLog.OFF);
        admin = AdminServer.start(new dev.aegis.config.HostPort("127.0.0.1", 0), TOKEN,
                new NodeAdminEndpoints(node, null));
        // ready once NATS (not running) and Redis (not running) have been tried: about 3 s
        assertThat(dev.aegis.testing.Await.until(Duration.ofSeconds(10), node::ready)).isTrue();
    }

    @AfterAll
    static void stop() {
        admin.close();
        node.close();
        origin.close();
    }

    static HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static double unauthorizedInMetrics() throws Exception {
        String text = send("GET", "/metrics", null, TOKEN).body();
        return text.lines().filter(l -> l.startsWith("aegis_admin_unauthorized_total "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElseThrow();
    }

    @Test
    void everyEndpointButTheProbesAndTheDashboardFilesNeedsTheToken() throws Exception {
        double before = unauthorizedInMetrics();
        int refused = 0;
        for (Endpoint e : PROTECTED) {
            HttpResponse<String> none = send(e.method(), e.path(), e.body(), null);
            assertThat(none.statusCode()).as("%s %s without the token", e.method(), e.path()).isEqualTo(401);
            assertThat(none.headers().firstValue("www-authenticate")).isPresent();
            HttpResponse<String> wrong = send(e.method(), e.path(), e.body(), TOKEN + "-not");
            assertThat(wrong.statusCode()).as("%s %s with a wrong token", e.method(), e.path()).isEqualTo(401);
            refused += 2;
        }
        assertThat(unauthorizedInMetrics() - before).as("every refusal is counted").isEqualTo(refused);
        for (Endpoint e : PROTECTED) {
            HttpResponse<String> ok = send(e.method(), e.path(), e.body(), TOKEN);
            assertThat(ok.statusCode()).as("%s %s with the token: %s", e.method(), e.path(), ok.body())
                    .isEqualTo(e.withToken());
        }
        for (String path : PUBLIC) {
            HttpResponse<String> open = send("GET", path, null, null);
            assertThat(open.statusCode()).as("GET %s without the token", path).isEqualTo(200);
            assertThat(open.body()).as("a public file holds no data").doesNotContain("127.0.0.1:" + origin.port());
        }
        assertThat(send("GET", "/", null, null).headers().firstValue("content-type"))
                .hasValue("text/html; charset=utf-8");
        assertThat(send("GET", "/uplot.js", null, null).body()).contains("uPlot");
    }

    @Test
    void theEffectiveConfigHasNoSecrets() throws Exception {
        HttpResponse<String> r = send("GET", "/admin/config", null, TOKEN);
        assertThat(r.body()).doesNotContain(TOKEN).doesNotContain("hun,ter2").doesNotContain("ter2")
                .doesNotContain("s3cret");
        JsonNode config = json.readTree(r.body());
        assertThat(config.at("/admin/token").asText()).isEqualTo("<redacted>");
        assertThat(config.at("/cache/redis_url").asText()).startsWith("redis://:<redacted>@127.0.0.1:");
        assertThat(config.at("/cluster/nats_url").asText()).matches(
                "nats://ops:<redacted>@127\\.0\\.0\\.1:\\d+,nats://<redacted>@127\\.0\\.0\\.1:\\d+");
        assertThat(config.at("/routes/1/match/headers/X-Internal-Key").asText()).isEqualTo("<redacted>");
        assertThat(config.at("/waf/custom_rules/0/operand").asText()).isEqualTo("<redacted>");
        assertThat(config.at("/waf/custom_rules/1/operand/text").asText())
                .as("a rule on arguments keeps its value").isEqualTo("plain-phrase");
        assertThat(send("GET", "/admin/routes", null, TOKEN).body()).doesNotContain("s3cret");
        assertThat(config.at("/node/id").asText()).isEqualTo("admin-node");
        assertThat(config.at("/routes/0/rate_limit/window").asText()).isEqualTo("10s");
        assertThat(config.at("/upstreams/app/servers/0/weight").asInt()).isEqualTo(3);
    }

    @Test
    void routesUpstreamsAndRecentWafDecisions() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(ShopRequests.get(node.port(), "/api/users").status()).isEqualTo(200);
        }
        assertThat(ShopRequests.get(node.port(), "/search?q=%3Cscript%3Ealert(1)%3C/script%3E").status())
                .isEqualTo(403);
        // recorded just after the answer is written
        assertThat(dev.aegis.testing.Await.until(Duration.ofSeconds(5), () -> node.metrics().routeTotals()
                .getOrDefault("rest", new dev.aegis.metrics.NodeMetrics.RouteTotals(0, new long[6], 0, 0))
                .requests() == 1)).isTrue();

        JsonNode routes = json.readTree(send("GET", "/admin/routes", null, TOKEN).body()).get("routes");
        assertThat(routes).hasSize(3);
        assertThat(routes.get(0).get("name").asText()).isEqualTo("api");
        assertThat(routes.get(0).get("order").asInt()).isEqualTo(0);
        assertThat(routes.get(0).at("/match/methods/0").asText()).isEqualTo("GET");
        assertThat(routes.get(0).at("/counters/requests").asLong()).isEqualTo(3);
        assertThat(routes.get(0).at("/counters/by_status/2xx").asLong()).isEqualTo(3);
        assertThat(routes.get(2).at("/counters/by_status/4xx").asLong()).isEqualTo(1);

        JsonNode servers = json.readTree(send("GET", "/admin/upstreams", null, TOKEN).body()).at("/upstreams/app");
        assertThat(servers.get("balancer").asText()).isEqualTo("least_conn");
        JsonNode server = servers.get("servers").get(0);
        assertThat(server.get("server").asText()).isEqualTo("127.0.0.1:" + origin.port());
        assertThat(server.get("health").asText()).isEqualTo("healthy");
        assertThat(server.get("in_flight").asInt()).isEqualTo(0);
        assertThat(server.get("requests").asLong()).isEqualTo(3);

        JsonNode recent = json.readTree(send("GET", "/admin/waf/recent?limit=5", null, TOKEN).body());
        JsonNode d = recent.get("decisions").get(0);
        assertThat(d.get("action").asText()).isEqualTo("blocked");
        assertThat(d.get("uri").asText()).startsWith("/search?q=");
        assertThat(d.get("route").asText()).isEqualTo("rest");
        assertThat(d.at("/matches/0/family").asText()).isEqualTo("xss");
        assertThat(send("GET", "/admin/waf/recent?limit=0", null, TOKEN).statusCode()).isEqualTo(400);
        assertThat(send("GET", "/admin/waf/recent?limit=many", null, TOKEN).statusCode()).isEqualTo(400);
    }
}
