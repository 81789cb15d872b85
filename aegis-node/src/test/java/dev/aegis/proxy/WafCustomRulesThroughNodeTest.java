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

/** Custom rules through a real node, one per action and several operators, and the audit line they write. */
class WafCustomRulesThroughNodeTest {
    static final String XSS = "%3Cscript%3Ealert(1)%3C/script%3E";

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
                  - { name: all, match: { path: { prefix: / } }, upstream: app }
                waf:
                  mode: block
                  paranoia: 1
                  anomaly_threshold: 5
                  custom_rules:
                    - { id: 100001, targets: REQUEST_PATH, operator: starts_with, value: /wp-admin,
                        severity: notice, action: block }
                    - { id: 100002, targets: "REQUEST_HEADERS:X-Probe", operator: regex, value: "^scan-[0-9]+$",
                        severity: warning }
                    - { id: 100003, targets: "REQUEST_HEADERS:X-Tool", transformations: lowercase,
                        operator: contains, value: fuzz, severity: notice }
                    - { id: 100004, targets: "ARGS:debug", operator: equals, value: "1", action: log }
                    - { id: 100005, targets: ARGS, operator: phrase_list, value: [casino, "cheap pills"] }
                    - { id: 100006, targets: "ARGS:qty", operator: gt, value: 100 }
                    - { id: 100007, targets: "REQUEST_HEADERS:Content-Length", operator: gt, value: 4096 }
                    - { id: 100008, targets: "REQUEST_HEADERS:X-Token", operator: regex, value: "A{20,}",
                        severity: 1, action: block }
                """, Map.of("ORIGIN", "" + origin.port())), AccessLog.OFF, audit.log());
    }

    @AfterAll
    static void stop() {
        node.close();
        origin.close();
    }

    private static HttpResponse get(String target, String... headers) throws Exception {
        return ShopRequests.get(node.port(), target, headers);
    }

    private static HttpResponse post(String path, String contentType, String body) throws Exception {
        return ShopRequests.post(node.port(), path, contentType, body);
    }

    private static boolean reachedOrigin(String prefix) {
        return origin.requestTargets().stream().anyMatch(t -> t.startsWith(prefix));
    }

    @Test
    void aBlockRuleBlocksBelowTheThresholdAndItsAuditLineSaysSoFieldByField() throws Exception {
        HttpResponse r = get("/wp-admin/setup.php");
        assertThat(r.status()).isEqualTo(403);
        String id = r.header("x-request-id");
        assertThat(r.text()).contains("request id: " + id).doesNotContain("100001");
        assertThat(reachedOrigin("/wp-admin/setup.php")).isFalse();

        JsonNode line = audit.line(id);
        assertThat(line.get("request_id").asText()).isEqualTo(id);
        assertThat(line.get("client_ip").asText()).isEqualTo("127.0.0.1");
        assertThat(line.get("route").asText()).isEqualTo("all");
        assertThat(line.get("score").asInt()).isEqualTo(2); // notice: below the threshold of 5
        assertThat(line.get("blocked").asBoolean()).isTrue();
        assertThat(line.get("matches")).hasSize(1);
        JsonNode match = line.get("matches").get(0);
        assertThat(match.get("rule_id").asInt()).isEqualTo(100001);
        assertThat(match.get("family").asText()).isEqualTo("custom");
        assertThat(match.get("target").asText()).isEqualTo("REQUEST_FILENAME");
        assertThat(match.get("fragment").asText()).isEqualTo("/wp-admin");
        assertThat(match.get("severity").asInt()).isEqualTo(2);
    }

    @Test
    void aLongMatchedValueIsCutTo80CharactersInTheAuditLine() throws Exception {
        String token = "A".repeat(200);
        HttpResponse r = get("/api/users", "X-Request-Id", "custom-rule-fragment-1", "X-Token", token);
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.header("x-request-id")).isEqualTo("custom-rule-fragment-1");

        JsonNode line = audit.line("custom-rule-fragment-1");
        assertThat(line.get("request_id").asText()).isEqualTo("custom-rule-fragment-1");
        assertThat(line.get("client_ip").asText()).isEqualTo("127.0.0.1");
        assertThat(line.get("route").asText()).isEqualTo("all");
        assertThat(line.get("score").asInt()).isEqualTo(1);
        assertThat(line.get("blocked").asBoolean()).isTrue();
        assertThat(line.get("matches")).hasSize(1);
        JsonNode match = line.get("matches").get(0);
        assertThat(match.get("rule_id").asInt()).isEqualTo(100008);
        assertThat(match.get("family").asText()).isEqualTo("custom");
        assertThat(match.get("target").asText()).isEqualTo("REQUEST_HEADERS:X-Token");
        assertThat(match.get("fragment").asText()).hasSizeLessThanOrEqualTo(80).isEqualTo("A".repeat(80));
        assertThat(match.get("severity").asInt()).isEqualTo(1);
    }

    @Test
    void inDetectModeABlockRuleOnlyLogs() throws Exception {
        HttpResponse r = get("/watched/t1", "X-Token", "A".repeat(30));
        assertThat(r.status()).isEqualTo(200);
        JsonNode line = audit.line(r.header("x-request-id"));
        assertThat(line.get("blocked").asBoolean()).isFalse();
        assertThat(line.get("route").asText()).isEqualTo("watched");
        assertThat(line.get("matches").get(0).get("rule_id").asInt()).isEqualTo(100008);
        assertThat(reachedOrigin("/watched/t1")).isTrue();
    }

    @Test
    void scoreRulesAddUpToTheThreshold() throws Exception {
        // 3 (warning) alone and 2 (notice) alone pass; together they reach 5.
        HttpResponse one = get("/s/1", "X-Probe", "scan-42");
        assertThat(one.status()).isEqualTo(200);
        assertThat(audit.line(one.header("x-request-id")).get("score").asInt()).isEqualTo(3);
        assertThat(get("/s/2", "X-Tool", "FuzzBox").status()).isEqualTo(200);
        assertThat(get("/s/3", "X-Probe", "scan-42x").status()).as("regex anchored at $").isEqualTo(200);

        HttpResponse both = get("/s/4", "X-Probe", "scan-42", "X-Tool", "FuzzBox");
        assertThat(both.status()).isEqualTo(403);
        JsonNode line = audit.line(both.header("x-request-id"));
        assertThat(line.get("score").asInt()).isEqualTo(5);
        assertThat(line.get("blocked").asBoolean()).isTrue();
        assertThat(line.get("matches").findValuesAsText("rule_id")).containsExactlyInAnyOrder("100002", "100003");
        assertThat(line.get("matches").findValuesAsText("fragment")).containsExactlyInAnyOrder("scan-42", "fuzz");
        assertThat(reachedOrigin("/s/4")).isFalse();
        assertThat(origin.requestTargets()).contains("/s/1", "/s/2", "/s/3");
    }

    @Test
    void aLogRuleIsAuditedWithSeverityZeroAndDoesNotBlock() throws Exception {
        HttpResponse r = get("/l/1?debug=1");
        assertThat(r.status()).isEqualTo(200);
        assertThat(reachedOrigin("/l/1")).isTrue();
        JsonNode line = audit.line(r.header("x-request-id"));
        assertThat(line.get("score").asInt()).isZero();
        assertThat(line.get("blocked").asBoolean()).isFalse();
        assertThat(line.get("matches")).hasSize(1);
        JsonNode match = line.get("matches").get(0);
        assertThat(match.get("rule_id").asInt()).isEqualTo(100004);
        assertThat(match.get("family").asText()).isEqualTo("custom");
        assertThat(match.get("target").asText()).isEqualTo("ARGS:debug");
        assertThat(match.get("severity").asInt()).isZero();
        // Next to a blocking match it is listed too, and adds nothing.
        r = get("/l/2?debug=1&q=" + XSS);
        assertThat(r.status()).isEqualTo(403);
        line = audit.line(r.header("x-request-id"));
        assertThat(line.get("matches").findValuesAsText("rule_id")).containsExactlyInAnyOrder("100004", "941100");
        assertThat(line.get("score").asInt()).isEqualTo(5);
    }

    @Test
    void aPhraseListOnArgsIgnoresCaseInQueryFormAndJson() throws Exception {
        HttpResponse r = get("/p/1?comment=Best+CASINO+online");
        assertThat(r.status()).isEqualTo(403);
        JsonNode match = audit.line(r.header("x-request-id")).get("matches").get(0);
        assertThat(match.get("rule_id").asInt()).isEqualTo(100005);
        assertThat(match.get("target").asText()).isEqualTo("ARGS:comment");
        assertThat(match.get("fragment").asText()).isEqualToIgnoringCase("casino");
        assertThat(post("/p/2", "application/x-www-form-urlencoded", "a=1&note=buy+Cheap+Pills+here").status())
                .isEqualTo(403);
        assertThat(post("/p/3", "application/json", "{\"review\":{\"text\":\"cheap pills!\"}}").status())
                .isEqualTo(403);
        assertThat(get("/p/4?comment=cheap+and+pills").status()).isEqualTo(200);
        assertThat(origin.requestTargets()).noneMatch(t -> t.startsWith("/p/1") || t.startsWith("/p/2")
                || t.startsWith("/p/3"));
        assertThat(reachedOrigin("/p/4")).isTrue();
    }

    @Test
    void numericGreaterThanOnAnArgumentAndOnContentLength() throws Exception {
        assertThat(get("/n/1?qty=100").status()).isEqualTo(200);
        assertThat(get("/n/2?qty=2.5").status()).isEqualTo(200);
        assertThat(get("/n/3?qty=lots").status()).as("not a number never matches").isEqualTo(200);
        HttpResponse r = get("/n/4?qty=101");
        assertThat(r.status()).isEqualTo(403);
        JsonNode match = audit.line(r.header("x-request-id")).get("matches").get(0);
        assertThat(match.get("rule_id").asInt()).isEqualTo(100006);
        assertThat(match.get("target").asText()).isEqualTo("ARGS:qty");
        assertThat(post("/n/5", "application/x-www-form-urlencoded", "qty=5000").status()).isEqualTo(403);

        // A binary body is not inspected, but its Content-Length header is.
        assertThat(post("/echo", "application/octet-stream", "x".repeat(4096)).status()).isEqualTo(200);
        r = post("/echo", "application/octet-stream", "x".repeat(4097));
        assertThat(r.status()).isEqualTo(403);
        match = audit.line(r.header("x-request-id")).get("matches").get(0);
        assertThat(match.get("rule_id").asInt()).isEqualTo(100007);
        // The parser normalises Content-Length (one value, its name in lower case); names compare ignoring case.
        assertThat(match.get("target").asText()).isEqualToIgnoringCase("REQUEST_HEADERS:Content-Length");
        assertThat(origin.requestTargets()).noneMatch(t -> t.startsWith("/n/4") || t.startsWith("/n/5"));
    }

    @Test
    void anAllowRuleLetsAnAttackThroughFromItsNetworkOnly() throws Exception {
        // A node of its own: an allow rule matching every test client would disable the other tests.
        AuditCapture allowAudit = new AuditCapture();
        try (AegisServer allowing = AegisServer.start(NodeFixture.parse("""
                node: { listen: "127.0.0.1:0", workers: 1 }
                upstreams:
                  app: { servers: [ { address: "127.0.0.1:${ORIGIN}" } ] }
                routes:
                  - { name: all, match: { path: { prefix: / } }, upstream: app }
                waf:
                  mode: block
                  custom_rules:
                    - { id: 100101, targets: REMOTE_ADDR, operator: ip_in, value: [127.0.0.1/32], action: allow }
                    - { id: 100102, targets: REQUEST_PATH, operator: starts_with, value: /wp-admin, action: block }
                """, Map.of("ORIGIN", "" + origin.port())), AccessLog.OFF, allowAudit.log())) {
            HttpResponse r = ShopRequests.get(allowing.port(), "/wp-admin/a1?q=" + XSS, "Accept", "*/*");
            assertThat(r.status()).isEqualTo(200);
            assertThat(origin.requestTargets()).contains("/wp-admin/a1?q=" + XSS);
            JsonNode line = allowAudit.line(r.header("x-request-id"));
            // Allowed, but every match is still listed: the XSS rule, the block rule and the allow rule itself.
            assertThat(line.get("blocked").asBoolean()).isFalse();
            assertThat(line.get("client_ip").asText()).isEqualTo("127.0.0.1");
            assertThat(line.get("matches").findValuesAsText("rule_id"))
                    .contains("941100", "100102", "100101");

            // A client behind the (trusted, loopback) proxy is someone else: REMOTE_ADDR is the client IP.
            r = ShopRequests.get(allowing.port(), "/wp-admin/a2?q=" + XSS, "Accept", "*/*",
                    "X-Forwarded-For", "198.51.100.7");
            assertThat(r.status()).isEqualTo(403);
            assertThat(reachedOrigin("/wp-admin/a2")).isFalse();
        }
    }
}
