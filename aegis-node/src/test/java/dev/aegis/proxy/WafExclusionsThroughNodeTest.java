package dev.aegis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.config.ConfigError;
import dev.aegis.config.ConfigLoader;
import dev.aegis.config.ConfigResult;
import dev.aegis.origin.MockOrigin;
import dev.aegis.server.AccessLog;
import dev.aegis.server.AegisServer;
import dev.aegis.testing.AuditCapture;
import dev.aegis.testing.NodeFixture;
import dev.aegis.testing.RawConnection.HttpResponse;
import dev.aegis.testing.ShopRequests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Route exclusions through a real node: an excluded rule stops matching exactly the excluded target on exactly that
 * route, and an exclusion that could never work is refused at load and at reload.
 */
class WafExclusionsThroughNodeTest {
    /** {@code ' OR '1'='1}, percent-encoded: SQLi rule 942100 fires on it (the audit line says so, see below). */
    static final String TAUTOLOGY = "%27%20OR%20%271%27%3D%271";
    static final String SCANNER_UA = "sqlmap/1.7.2#stable (https://sqlmap.org)";

    static MockOrigin origin;
    static AegisServer node;
    static final AuditCapture audit = new AuditCapture();

    /** The node's config; {@code ${ORIGIN}} is the origin's port. */
    static final String CONFIG = """
            node: { listen: "127.0.0.1:0", workers: 1 }
            upstreams:
              app: { servers: [ { address: "127.0.0.1:${ORIGIN}" } ] }
            routes:
              - name: login
                match: { path: { prefix: /login } }
                upstream: app
                waf:
                  exclusions:
                    - { rule: 942100, target: "ARGS:password" }
              - name: tools
                match: { path: { prefix: /tools/ } }
                upstream: app
                waf:
                  exclusions:
                    - { rule: 913100, target: "REQUEST_HEADERS:User-Agent" }
              - name: notes
                match: { path: { prefix: /notes/ } }
                upstream: app
                waf:
                  exclusions:
                    - { rule: 942100, target: ARGS }
              - { name: all, match: { path: { prefix: / } }, upstream: app }
            waf: { mode: block, paranoia: 1 }
            """;

    @BeforeAll
    static void start() {
        origin = MockOrigin.start("127.0.0.1", 0);
        node = AegisServer.start(NodeFixture.parse(CONFIG, Map.of("ORIGIN", "" + origin.port())), AccessLog.OFF,
                audit.log());
    }

    @AfterAll
    static void stop() {
        node.close();
        origin.close();
    }

    private static HttpResponse get(String target, String userAgent) throws Exception {
        return ShopRequests.get(node.port(), target, "User-Agent", userAgent);
    }

    private static HttpResponse get(String target) throws Exception {
        return ShopRequests.get(node.port(), target);
    }

    private static HttpResponse post(String path, String contentType, String body) throws Exception {
        return ShopRequests.post(node.port(), path, contentType, body);
    }

    /** Whether a request with a target starting with {@code prefix} reached the origin. */
    private static boolean reachedOrigin(String prefix) {
        return origin.requestTargets().stream().anyMatch(t -> t.startsWith(prefix));
    }

    @Test
    void theAttackIsBlockedByRule942100OnARouteWithoutExclusions() throws Exception {
        // What the exclusions below are written against: the rule and target that fire on this payload.
        HttpResponse r = post("/account/p1", "application/x-www-form-urlencoded", "user=ada&password=" + TAUTOLOGY);
        assertThat(r.status()).isEqualTo(403);
        assertThat(reachedOrigin("/account/p1")).isFalse();
        JsonNode line = audit.line(r.header("x-request-id"));
        assertThat(line.get("route").asText()).isEqualTo("all");
        assertThat(line.get("blocked").asBoolean()).isTrue();
        assertThat(line.get("matches")).hasSize(1);
        assertThat(line.get("matches").get(0).get("rule_id").asInt()).isEqualTo(942100);
        assertThat(line.get("matches").get(0).get("target").asText()).isEqualTo("ARGS:password");
    }

    @Test
    void anExcludedArgumentPassesToTheOrigin() throws Exception {
        HttpResponse r = post("/login/e1", "application/x-www-form-urlencoded", "user=ada&password=" + TAUTOLOGY);
        assertThat(r.status()).isEqualTo(200);
        assertThat(reachedOrigin("/login/e1")).isTrue();
        // The query string is ARGS too.
        assertThat(get("/login/e2?password=" + TAUTOLOGY).status()).isEqualTo(200);
        assertThat(reachedOrigin("/login/e2")).isTrue();
        // Nothing matched, so nothing is audited.
        String marker = get("/login/e3?q=%3Cscript%3Ealert(1)%3C/script%3E").header("x-request-id");
        audit.line(marker);
        assertThat(audit.text()).doesNotContain(r.header("x-request-id"));
    }

    @Test
    void theSamePayloadInAnotherArgumentOfTheRouteIsBlocked() throws Exception {
        HttpResponse r = post("/login/o1", "application/x-www-form-urlencoded", "user=" + TAUTOLOGY + "&password=x");
        assertThat(r.status()).isEqualTo(403);
        assertThat(reachedOrigin("/login/o1")).isFalse();
        JsonNode line = audit.line(r.header("x-request-id"));
        assertThat(line.get("route").asText()).isEqualTo("login");
        assertThat(line.get("matches").get(0).get("rule_id").asInt()).isEqualTo(942100);
        assertThat(line.get("matches").get(0).get("target").asText()).isEqualTo("ARGS:user");

        assertThat(get("/login/o2?user=" + TAUTOLOGY).status()).isEqualTo(403);
        assertThat(reachedOrigin("/login/o2")).isFalse();
    }

    @Test
    void theSameArgumentOnARouteWithoutTheExclusionIsBlocked() throws Exception {
        assertThat(post("/signin/s1", "application/x-www-form-urlencoded", "password=" + TAUTOLOGY).status())
                .isEqualTo(403);
        assertThat(get("/tools/s2?password=" + TAUTOLOGY).status()).isEqualTo(403);
        assertThat(reachedOrigin("/signin/s1")).isFalse();
        assertThat(reachedOrigin("/tools/s2")).isFalse();
    }

    @Test
    void anExcludedOtherRuleDoesNotExcludeThisOne() throws Exception {
        // Route `notes` excludes 942100 on ARGS: XSS (941100) in an argument is still blocked there.
        HttpResponse r = get("/notes/x1?q=%3Cscript%3Ealert(1)%3C/script%3E");
        assertThat(r.status()).isEqualTo(403);
        assertThat(audit.line(r.header("x-request-id")).get("matches").get(0).get("rule_id").asInt())
                .isEqualTo(941100);
        assertThat(reachedOrigin("/notes/x1")).isFalse();
    }

    @Test
    void aHeaderExclusionLetsTheScannerUserAgentThroughOnItsRouteOnly() throws Exception {
        HttpResponse blocked = get("/scan/u1", SCANNER_UA);
        assertThat(blocked.status()).isEqualTo(403);
        JsonNode match = audit.line(blocked.header("x-request-id")).get("matches").get(0);
        assertThat(match.get("rule_id").asInt()).isEqualTo(913100);
        assertThat(match.get("target").asText()).isEqualTo("REQUEST_HEADERS:User-Agent");
        assertThat(reachedOrigin("/scan/u1")).isFalse();

        assertThat(get("/tools/u2", SCANNER_UA).status()).isEqualTo(200);
        assertThat(reachedOrigin("/tools/u2")).isTrue();
        // Only the header is excluded there: the rule's other targets, and other rules, still apply.
        assertThat(get("/tools/u3?q=%3Cscript%3Ealert(1)%3C/script%3E", SCANNER_UA).status()).isEqualTo(403);
        assertThat(reachedOrigin("/tools/u3")).isFalse();
    }

    @Test
    void aWholeCollectionExclusionCoversEveryArgument() throws Exception {
        assertThat(post("/notes/c1", "application/x-www-form-urlencoded",
                "title=" + TAUTOLOGY + "&body=" + TAUTOLOGY).status()).isEqualTo(200);
        assertThat(get("/notes/c2?anything=" + TAUTOLOGY).status()).isEqualTo(200);
        // JSON fields are arguments too.
        assertThat(post("/notes/c3", "application/json", "{\"note\":{\"text\":\"' OR '1'='1\"}}").status())
                .isEqualTo(200);
        assertThat(origin.requestTargets()).contains("/notes/c1", "/notes/c2?anything=" + TAUTOLOGY, "/notes/c3");
    }

    /** {@link #CONFIG} with {@code routes[0]}'s exclusion (at line 10) replaced by {@code exclusion}. */
    private static String withLoginExclusion(String exclusion) {
        String original = "- { rule: 942100, target: \"ARGS:password\" }";
        assertThat(CONFIG.lines().toList().get(9)).contains(original);
        return CONFIG.replace(original, exclusion);
    }

    @Test
    void aBadExclusionIsRefusedAtLoadNamingItsLine() {
        ConfigResult unknownRule = ConfigLoader.parse(withLoginExclusion("- { rule: 94210, target: \"ARGS:password\" }"),
                "test.yaml", Map.of("ORIGIN", "9")::get);
        assertThat(unknownRule).isInstanceOf(ConfigResult.Invalid.class);
        List<ConfigError> errors = ((ConfigResult.Invalid) unknownRule).errors();
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(10);
            assertThat(e.yamlPath()).isEqualTo("routes[0].waf.exclusions[0].rule");
            assertThat(e.toString()).startsWith("test.yaml:10:").contains("unknown WAF rule 94210")
                    .contains("did you mean 942100");
        });

        ConfigResult wrongTarget = ConfigLoader.parse(
                withLoginExclusion("- { rule: 913100, target: \"ARGS:password\" }"), "test.yaml",
                Map.of("ORIGIN", "9")::get);
        assertThat(wrongTarget).isInstanceOf(ConfigResult.Invalid.class);
        errors = ((ConfigResult.Invalid) wrongTarget).errors();
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(10);
            assertThat(e.yamlPath()).isEqualTo("routes[0].waf.exclusions[0].target");
            assertThat(e.toString()).startsWith("test.yaml:10:")
                    .contains("rule 913100 never inspects ARGS:password");
        });
    }

    @Test
    void aBadExclusionIsRefusedAtReloadAndTheOldConfigKeepsServing(@TempDir Path dir) throws Exception {
        String port = "" + origin.port();
        Path file = dir.resolve("aegis.yaml");
        for (String bad : List.of("- { rule: 94210, target: \"ARGS:password\" }",
                "- { rule: 942100, target: \"REQUEST_HEADERS:Host\" }")) {
            Files.writeString(file, withLoginExclusion(bad).replace("${ORIGIN}", port));
            AegisServer.ReloadOutcome outcome = node.reload(file);
            assertThat(outcome.applied()).isFalse();
            assertThat(outcome.errors()).singleElement().asString()
                    .startsWith(file + ":10:").contains("routes[0].waf.exclusions[0]");
        }
        // Still the config it started with: the exclusion holds, the route without it still blocks.
        assertThat(post("/login/r1", "application/x-www-form-urlencoded", "password=" + TAUTOLOGY).status())
                .isEqualTo(200);
        assertThat(post("/signin/r2", "application/x-www-form-urlencoded", "password=" + TAUTOLOGY).status())
                .isEqualTo(403);
        assertThat(reachedOrigin("/login/r1")).isTrue();
        assertThat(reachedOrigin("/signin/r2")).isFalse();
    }
}
