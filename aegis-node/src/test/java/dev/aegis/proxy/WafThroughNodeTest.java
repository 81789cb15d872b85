package dev.aegis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.origin.MockOrigin;
import dev.aegis.server.AccessLog;
import dev.aegis.server.AegisServer;
import dev.aegis.testing.AuditCapture;
import dev.aegis.testing.NodeFixture;
import dev.aegis.testing.RawConnection.HttpResponse;
import dev.aegis.testing.ShopRequests;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The WAF phase on the request line and headers through a real node: per-route modes and the audit line. */
class WafThroughNodeTest {
    static MockOrigin origin;
    static AegisServer node;
    static final AuditCapture audit = new AuditCapture();

    @BeforeAll
    static void start() {
        origin = MockOrigin.start("127.0.0.1", 0);
        node = AegisServer.start(NodeFixture.parse("""
                node: { listen: "127.0.0.1:0", workers: 1 }
                upstreams:
                  app: { servers: [ { address: "127.0.0.1:${ORIGIN}" } ] }
                routes:
                  - { name: watched, match: { path: { prefix: /watched/ } }, upstream: app, waf: { mode: detect } }
                  - { name: open, match: { path: { prefix: /open/ } }, upstream: app, waf: { mode: "off" } }
                  - { name: all, match: { path: { prefix: / } }, upstream: app }
                waf: { mode: block, paranoia: 1 }
                """, Map.of("ORIGIN", "" + origin.port())), AccessLog.OFF, audit.log());
    }

    @AfterAll
    static void stop() {
        node.close();
        origin.close();
    }

    private static HttpResponse get(String target) throws Exception {
        return ShopRequests.get(node.port(), target);
    }

    @Test
    void blocksAnAttackWith403NamingOnlyTheRequestId() throws Exception {
        HttpResponse r = get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.text()).contains("request id: " + r.header("x-request-id"));
        // the rule (941...) is never named; the random request id may contain those digits by chance
        assertThat(r.text().replace(r.header("x-request-id"), "")).doesNotContain("941");
        assertThat(origin.requestTargets()).noneMatch(t -> t.startsWith("/search"));

        String id = r.header("x-request-id");
        JsonNode line = audit.line(id);
        assertThat(line.get("request_id").asText()).isEqualTo(id);
        assertThat(line.get("client_ip").asText()).isEqualTo("127.0.0.1");
        assertThat(line.get("route").asText()).isEqualTo("all");
        assertThat(line.get("score").asInt()).isGreaterThanOrEqualTo(5);
        assertThat(line.get("blocked").asBoolean()).isTrue();
        JsonNode match = line.get("matches").get(0);
        assertThat(match.get("rule_id").asInt()).isPositive();
        assertThat(match.get("family").asText()).isNotEmpty();
        assertThat(match.get("target").asText()).isEqualTo("ARGS:q");
        assertThat(match.get("fragment").asText()).contains("script");
    }

    private static HttpResponse post(String path, String contentType, String body) throws Exception {
        return ShopRequests.post(node.port(), path, contentType, body);
    }

    @Test
    void inspectsBodiesBeforeTheyReachTheOrigin() throws Exception {
        HttpResponse r = post("/login", "application/x-www-form-urlencoded",
                "username=admin%27%20OR%20%271%27%3D%271&password=x");
        assertThat(r.status()).isEqualTo(403);
        assertThat(origin.requestTargets()).doesNotContain("/login");
        r = post("/api/orders", "application/json", "{\"user\":{\"bio\":\"<img src=x onerror=alert(1)>\"}}");
        assertThat(r.status()).isEqualTo(403);
        String id = r.header("x-request-id");
        assertThat(audit.lineText(id)).contains("\"target\":\"JSON:user.bio\"");
    }

    @Test
    void cleanBodiesAndBodiesLargerThanTheLimitPass() throws Exception {
        assertThat(post("/echo", "application/json", "{\"name\":\"Ada\",\"qty\":2}").text())
                .isEqualTo("{\"name\":\"Ada\",\"qty\":2}");
        // Past waf.body_limit (128KiB by default) the first part is inspected and the rest streams on.
        String big = "a=" + "x".repeat(300_000);
        HttpResponse r = post("/echo", "application/x-www-form-urlencoded", big);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).hasSize(big.length());
    }

    @Test
    void lets_clean_requests_through() throws Exception {
        assertThat(get("/api/users?page=2&sort=name").status()).isEqualTo(200);
    }

    @Test
    void detectModeLogsButPasses() throws Exception {
        HttpResponse r = get("/watched/login?username=admin%27%20OR%20%271%27=%271");
        assertThat(r.status()).isEqualTo(200);
        String id = r.header("x-request-id");
        assertThat(audit.lineText(id)).contains("\"blocked\":false")
                .contains("\"route\":\"watched\"");
    }

    @Test
    void offModeSkipsTheWaf() throws Exception {
        HttpResponse r = get("/open/x?q=%3Cscript%3Ealert(1)%3C/script%3E");
        assertThat(r.status()).isEqualTo(200);
        // The audit log is written in order by one thread: once a later scored request's line is there, a line
        // for the first one would be too.
        String marker = get("/watched/x?q=%3Cscript%3Ealert(1)%3C/script%3E").header("x-request-id");
        audit.lineText(marker);
        assertThat(audit.text()).doesNotContain(r.header("x-request-id"));
    }
}
