package dev.aegis.config;

import static dev.aegis.config.ConfigTesting.APP;
import static dev.aegis.config.ConfigTesting.errors;
import static dev.aegis.config.ConfigTesting.singleError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigErrorsTest {

    @Test
    void threeDistinctMistakesAreAllReportedWithTheirLines() {
        List<ConfigError> errors = errors("""
                node:
                  listen: 0.0.0.0:8080
                  workers: many
                upstreams:
                  app:
                    servers: [127.0.0.1:9000]
                    balancr: p2c
                routes:
                  - name: api
                    match: { path: { prefix: /api/ } }
                    upstream: ap
                """);

        assertThat(errors).extracting(ConfigError::toString).containsExactly(
                "aegis.yaml:3:12: node.workers: expected a whole number, got `many`",
                "aegis.yaml:7:5: upstreams.app.balancr: unknown key `balancr` (did you mean `balancer`?)",
                "aegis.yaml:11:15: routes[0].upstream: unknown upstream `ap` (did you mean `app`?)");
    }

    @Test
    void errorToStringIsCompilerStyle() {
        assertThat(new ConfigError("aegis.yaml", 12, 7, "routes[1].match.path", "exactly one of exact, prefix or regex"))
                .hasToString("aegis.yaml:12:7: routes[1].match.path: exactly one of exact, prefix or regex");
        assertThat(new ConfigError("missing.yaml", 0, 0, "", "file not found"))
                .hasToString("missing.yaml:0:0: file not found");
    }

    @Test
    void pathWithTwoKinds() {
        ConfigError error = singleError(APP + """
                routes:
                  - { name: a, upstream: app, match: { path: { prefix: / } } }
                  - name: b
                    upstream: app
                    match:
                      path: { prefix: /api/, regex: "^/api" }
                """, 9, "routes[1].match.path");
        assertThat(error.message()).isEqualTo("exactly one of exact, prefix or regex");
        assertThat(error.column()).isEqualTo(13);
    }

    @Test
    void pathWithNoKind() {
        singleError(APP + """
                routes:
                  - name: a
                    upstream: app
                    match:
                      path: {}
                """, 8, "routes[0].match.path");
    }

    @Test
    void missingPathAndMissingMatch() {
        List<ConfigError> errors = errors(APP + """
                routes:
                  - name: a
                    upstream: app
                    match: { host: example.com }
                  - name: b
                    upstream: app
                """);
        assertThat(errors).extracting(ConfigError::line, ConfigError::yamlPath, ConfigError::message).containsExactly(
                tuple(7, "routes[0].match.path", "missing required key `path`"),
                tuple(8, "routes[1].match", "missing required key `match`"));
    }

    @Test
    void regexMustCompileWithRe2() {
        ConfigError error = singleError(APP + """
                routes:
                  - name: a
                    upstream: app
                    match:
                      path:
                        regex: "^/(a|b"
                """, 9, "routes[0].match.path.regex");
        assertThat(error.message()).startsWith("invalid regex: ").contains("missing closing )");
    }

    @Test
    void backreferencesAreNotRe2() {
        ConfigError error = singleError(APP + """
                routes:
                  - { name: a, upstream: app, match: { path: { regex: '^/(a)\\1' } } }
                """, 5, "routes[0].match.path.regex");
        assertThat(error.message()).startsWith("invalid regex: ");
    }

    @Test
    void prefixAndExactMustStartWithSlash() {
        List<ConfigError> errors = errors(APP + """
                routes:
                  - { name: a, upstream: app, match: { path: { prefix: api/ } } }
                  - { name: b, upstream: app, match: { path: { exact: index.html } } }
                """);
        assertThat(errors).extracting(ConfigError::line, ConfigError::yamlPath).containsExactly(
                tuple(5, "routes[0].match.path.prefix"),
                tuple(6, "routes[1].match.path.exact"));
        assertThat(errors.get(0).message()).isEqualTo("a path must start with `/`, got `api/`");
    }

    @Test
    void badHostMethodsAndHeaders() {
        List<ConfigError> errors = errors(APP + """
                routes:
                  - name: a
                    upstream: app
                    match:
                      path: { prefix: / }
                      host: "*.exa mple.com"
                      methods: [GET, "PO ST"]
                      headers: { "X Tenant": acme }
                """);
        assertThat(errors).extracting(ConfigError::line, ConfigError::yamlPath).containsExactly(
                tuple(9, "routes[0].match.host"),
                tuple(10, "routes[0].match.methods[1]"),
                tuple(11, "routes[0].match.headers[\"X Tenant\"]"));
    }

    @Test
    void unknownUpstreamListsTheDefinedOnesWhenNothingIsClose() {
        ConfigError error = singleError(APP + """
                routes:
                  - { name: a, upstream: billing, match: { path: { prefix: / } } }
                """, 5, "routes[0].upstream");
        assertThat(error.message()).isEqualTo("unknown upstream `billing`; defined upstreams: `app`");
    }

    @Test
    void unknownUpstreamWithNoUpstreamsAtAll() {
        ConfigError error = singleError("""
                routes:
                  - { name: a, upstream: app, match: { path: { prefix: / } } }
                """, 2, "routes[0].upstream");
        assertThat(error.message()).isEqualTo("unknown upstream `app`; no upstreams are defined");
    }

    @Test
    void duplicateRouteNamesPointAtTheSecondOne() {
        ConfigError error = singleError(APP + """
                routes:
                  - name: api
                    upstream: app
                    match: { path: { prefix: /a } }
                  - name: api
                    upstream: app
                    match: { path: { prefix: /b } }
                """, 8, "routes[1].name");
        assertThat(error.message()).isEqualTo("duplicate route name `api` (first used by the route at line 5)");
    }

    @Test
    void missingRouteNameAndUpstream() {
        List<ConfigError> errors = errors(APP + """
                routes:
                  - match: { path: { prefix: / } }
                """);
        assertThat(errors).extracting(ConfigError::line, ConfigError::yamlPath, ConfigError::message).containsExactly(
                tuple(5, "routes[0].name", "missing required key `name`"),
                tuple(5, "routes[0].upstream", "missing required key `upstream`"));
    }

    @Test
    void typeErrors() {
        List<ConfigError> errors = errors("""
                node:
                  workers: "four"
                  listen: [a, b]
                cache:
                  redis: redis://x
                limits:
                  max_connections: 1.5
                """);
        assertThat(errors).extracting(ConfigError::line, ConfigError::yamlPath, ConfigError::message).containsExactly(
                tuple(2, "node.workers", "expected a whole number, got `four`"),
                tuple(3, "node.listen", "expected an address, got a list"),
                tuple(5, "cache.redis",
                        "expected a mapping of `url`, got `redis://x`"),
                tuple(7, "limits.max_connections",
                        "expected a whole number, got `1.5`"));
    }

    @Test
    void rangeErrors() {
        List<ConfigError> errors = errors("""
                node:
                  listen: 0.0.0.0:65536
                  workers: -1
                upstreams:
                  app:
                    servers:
                      - { address: 127.0.0.1:70000, weight: 1 }
                      - { address: 127.0.0.1:80, weight: 0 }
                    retries: -2
                routes:
                  - name: r
                    upstream: app
                    match: { path: { prefix: / } }
                    rate_limit: { limit: 0 }
                waf:
                  paranoia: 5
                """);
        assertThat(errors).extracting(ConfigError::line, ConfigError::yamlPath, ConfigError::message).containsExactly(
                tuple(2, "node.listen", "port must be between 0 and 65535, got 65536"),
                tuple(3, "node.workers", "must be between 0 and 4096, got -1"),
                tuple(7, "upstreams.app.servers[0].address",
                        "port must be between 1 and 65535, got 70000"),
                tuple(8, "upstreams.app.servers[1].weight",
                        "must be between 1 and 1000000, got 0"),
                tuple(9, "upstreams.app.retries", "must be between 0 and 100, got -2"),
                tuple(14, "routes[0].rate_limit.limit", "must be at least 1, got 0"),
                tuple(16, "waf.paranoia", "must be between 1 and 4, got 5"));
    }

    @Test
    void enumErrorsSuggestTheClosestValue() {
        List<ConfigError> errors = errors("""
                upstreams:
                  app:
                    servers: [127.0.0.1:80]
                    balancer: least_connections
                    hash_key: ip
                routes:
                  - name: r
                    upstream: app
                    match: { path: { prefix: / } }
                    rate_limit: { limit: 5, key: clientip, on_sync_loss: local }
                waf:
                  mode: blok
                """);
        assertThat(errors).extracting(ConfigError::line, ConfigError::yamlPath, ConfigError::message).containsExactly(
                tuple(4, "upstreams.app.balancer",
                        "`least_connections` is not one of `round_robin`, `least_conn`, `p2c`, `hash` "
                                + "(did you mean `least_conn`?)"),
                tuple(5, "upstreams.app.hash_key",
                        "`ip` is not one of `client_ip`, `header:NAME` or `path`"),
                tuple(10, "routes[0].rate_limit.key",
                        "`clientip` is not one of `client_ip`, `header:NAME` or `route` (did you mean `client_ip`?)"),
                tuple(10, "routes[0].rate_limit.on_sync_loss",
                        "`local` is not one of `local_share`, `local_full`, `deny` (did you mean `local_share`?)"),
                tuple(12, "waf.mode",
                        "`blok` is not one of `off`, `detect`, `block` (did you mean `block`?)"));
    }

    @Test
    void headerKeysNeedAValidHeaderName() {
        ConfigError error = singleError("""
                upstreams:
                  app:
                    servers: [127.0.0.1:80]
                    balancer: hash
                    hash_key: "header:X User"
                """, 5, "upstreams.app.hash_key");
        assertThat(error.message()).isEqualTo("`X User` is not a valid header name");
    }

    @Test
    void unknownKeysSuggestOrListTheValidOnes() {
        List<ConfigError> errors = errors("""
                nodes:
                  id: x
                admin:
                  tokn: x
                  password: y
                """);
        assertThat(errors).extracting(ConfigError::line, ConfigError::column, ConfigError::yamlPath,
                ConfigError::message).containsExactly(
                tuple(1, 1, "nodes", "unknown key `nodes` (did you mean `node`?)"),
                tuple(4, 3, "admin.tokn", "unknown key `tokn` (did you mean `token`?)"),
                tuple(5, 3, "admin.password",
                        "unknown key `password`; valid keys here: `listen`, `token`"));
    }

    @Test
    void unknownKeysByPrefix() {
        ConfigError error = singleError("""
                upstreams:
                  app:
                    servers: [127.0.0.1:80]
                    health: { path: /up }
                """, 4, "upstreams.app.health");
        assertThat(error.message()).isEqualTo("unknown key `health` (did you mean `health_check`?)");
    }

    @Test
    void duplicateKeys() {
        ConfigError error = singleError("""
                node:
                  workers: 1
                  workers: 2
                """, 3, "node.workers");
        assertThat(error.message()).isEqualTo("duplicate key `workers` (first at line 2)");
    }

    @Test
    void upstreamGroupsNeedServers() {
        List<ConfigError> errors = errors("""
                upstreams:
                  empty:
                    servers: []
                  none:
                    balancer: p2c
                  blank:
                """);
        assertThat(errors).extracting(ConfigError::line, ConfigError::yamlPath, ConfigError::message).containsExactly(
                tuple(3, "upstreams.empty.servers",
                        "an upstream group needs at least one server"),
                tuple(5, "upstreams.none.servers", "missing required key `servers`"),
                tuple(6, "upstreams.blank.servers", "missing required key `servers`"));
    }

    @Test
    void serverAddresses() {
        List<ConfigError> errors = errors("""
                upstreams:
                  app:
                    servers:
                      - 127.0.0.1
                      - ":80"
                      - "::1:80"
                      - "[::1]:80"
                      - "[nope]:80"
                      - { weight: 2 }
                      - "bad_host!:80"
                      - 999.1.1.1:80
                """);
        assertThat(errors).extracting(ConfigError::line, ConfigError::yamlPath).containsExactly(
                tuple(4, "upstreams.app.servers[0]"),
                tuple(5, "upstreams.app.servers[1]"),
                tuple(6, "upstreams.app.servers[2]"),
                tuple(8, "upstreams.app.servers[4]"),
                tuple(9, "upstreams.app.servers[5].address"),
                tuple(10, "upstreams.app.servers[6]"),
                tuple(11, "upstreams.app.servers[7]"));
        assertThat(errors.get(0).message()).isEqualTo(
                "`127.0.0.1` has no port; write host:port or [ipv6]:port, for example 127.0.0.1:9000");
        assertThat(errors.get(1).message()).isEqualTo(
                "`:80` has no host; write host:port or [ipv6]:port, for example 127.0.0.1:9000");
        assertThat(errors.get(2).message()).isEqualTo(
                "`::1:80` looks like an IPv6 address; put it in brackets: [addr]:port");
        assertThat(errors.get(4).message()).isEqualTo("missing required key `address`");
    }

    @Test
    void listenersMayAskForAnEphemeralPortButServersMayNot() {
        ConfigError error = singleError("""
                node: { listen: ":0" }
                upstreams:
                  app: { servers: ["127.0.0.1:0"] }
                """, 3, "upstreams.app.servers[0]");
        assertThat(error.message()).isEqualTo("port must be between 1 and 65535, got 0");
    }

    @Test
    void listenAddresses() {
        List<ConfigError> errors = errors("""
                node: { listen: "localhost" }
                admin: { listen: "127.0.0.1:http" }
                """);
        assertThat(errors).extracting(ConfigError::line, ConfigError::yamlPath).containsExactly(
                tuple(1, "node.listen"),
                tuple(2, "admin.listen"));
    }

    @Test
    void trustedProxiesMustBeCidrsOrAddresses() {
        List<ConfigError> errors = errors("""
                client_ip:
                  trusted_proxies:
                    - 10.0.0.0/8
                    - 10.0.0.1/8
                    - proxy.internal
                    - "::1/129"
                    - 192.168.1.7
                    - "2001:db9::/31"
                """);
        assertThat(errors).extracting(ConfigError::line, ConfigError::yamlPath, ConfigError::message).containsExactly(
                tuple(4, "client_ip.trusted_proxies[1]",
                        "`10.0.0.1/8` has host bits set; did you mean `10.0.0.0/8`?"),
                tuple(5, "client_ip.trusted_proxies[2]",
                        "`proxy.internal` is not a CIDR: `proxy.internal` is not an IPv4 or IPv6 address"),
                tuple(6, "client_ip.trusted_proxies[3]",
                        "`::1/129` is not a CIDR: the prefix length after `/` must be a number from 0 to 128"),
                tuple(8, "client_ip.trusted_proxies[5]",
                        "`2001:db9::/31` has host bits set; did you mean `2001:db8::/31`?"));
    }

    @Test
    void durationAndSizeErrors() {
        List<ConfigError> errors = errors("""
                node: { drain_timeout: 30 }
                cluster: { sync_interval: 0 }
                waf: { body_limit: 1TB }
                limits: { max_uri_bytes: -1 }
                """);
        assertThat(errors).extracting(ConfigError::line, ConfigError::yamlPath, ConfigError::message).containsExactly(
                tuple(1, "node.drain_timeout",
                        "`30` has no unit; write 30ms, 30s, 30m or 30h"),
                tuple(2, "cluster.sync_interval", "must be longer than 0"),
                tuple(3, "waf.body_limit", "`1TB` has an unknown size unit `TB`; "
                        + "use B, KiB, MiB, GiB (powers of 1024) or KB, MB, GB (powers of 1000)"),
                tuple(4, "limits.max_uri_bytes", "`-1` is not a size; write a whole "
                        + "number of bytes, optionally with a unit: 512B, 512KiB, 1MiB, 1GiB (powers of 1024) "
                        + "or 1KB, 1MB, 1GB (powers of 1000)"));
    }

    @Test
    void exclusionsNeedRuleAndTarget() {
        List<ConfigError> errors = errors(APP + """
                routes:
                  - name: r
                    upstream: app
                    match: { path: { prefix: / } }
                    waf:
                      exclusions:
                        - { rule: abc, target: "ARGS:q" }
                        - { rule: 942100 }
                """);
        assertThat(errors).extracting(ConfigError::line, ConfigError::yamlPath, ConfigError::message).containsExactly(
                tuple(10, "routes[0].waf.exclusions[0].rule",
                        "expected a whole number, got `abc`"),
                tuple(11, "routes[0].waf.exclusions[1].target",
                        "missing required key `target`"));
    }

    @Test
    void badNames() {
        List<ConfigError> errors = errors("""
                upstreams:
                  "my app":
                    servers: [127.0.0.1:80]
                routes:
                  - { name: "a/b", upstream: "my app", match: { path: { prefix: / } } }
                """);
        assertThat(errors).extracting(ConfigError::line, ConfigError::yamlPath).containsExactly(
                tuple(2, "upstreams[\"my app\"]"),
                tuple(5, "routes[0].name"));
    }

    @Test
    void topLevelMustBeAMapping() {
        ConfigError error = singleError("- a\n- b\n", 1, "");
        assertThat(error.message()).startsWith("the top level of a config file must be a mapping");
    }

    @Test
    void yamlSyntaxErrorIsOneErrorWithSnakeYamlsLine() {
        List<ConfigError> errors = errors("""
                node:
                  listen: 0.0.0.0:8080
                 workers: 2
                admin: {
                """);
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).line()).isEqualTo(3);
        assertThat(errors.get(0).message()).startsWith("YAML syntax error: ");
    }

    @Test
    void unclosedFlowCollectionIsASyntaxError() {
        List<ConfigError> errors = errors("node: { listen: :8080\nadmin: {}\n");
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).message()).startsWith("YAML syntax error: ");
        assertThat(errors.get(0).line()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void moreThanOneDocumentIsASyntaxError() {
        ConfigError error = singleError("node: {}\n---\nadmin: {}\n", 2, "");
        assertThat(error.message()).isEqualTo(
                "YAML syntax error: expected a single document in the stream but found another document");
    }

    @Test
    void customTagsAreRejected() {
        List<ConfigError> errors = errors("""
                node:
                  id: !hostname x
                admin:
                  token: !!binary c2VjcmV0
                """);
        assertThat(errors).extracting(ConfigError::line, ConfigError::yamlPath, ConfigError::message).containsExactly(
                tuple(2, "node.id",
                        "tag `!hostname` is not allowed; a config file holds plain values only"),
                tuple(4, "admin.token",
                        "tag `!!binary` is not allowed; a config file holds plain values only"));
    }

    @Test
    void javaClassTagsAreRejectedByTheParser() {
        List<ConfigError> errors = errors("node: !!javax.script.ScriptEngineManager [x]\n");
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).line()).isEqualTo(1);
        assertThat(errors.get(0).message()).contains("Global tag is not allowed");
    }

    @Test
    void aliasBombsAreStopped() {
        String bomb = """
                a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
                b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
                c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
                d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
                e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
                f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
                g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
                """;
        List<ConfigError> errors = errors(bomb);
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).message()).contains("aliases");
    }

    @Test
    void aliasFanOutInCustomRulesIsNotWalked() {
        // Custom rules are bound key by key, never walked as free-form values, so 2^20 aliased leaves cost nothing.
        StringBuilder yaml = new StringBuilder("x0: &x0 [a, b]\n");
        for (int i = 1; i <= 20; i++) {
            yaml.append("x").append(i).append(": &x").append(i).append(" [*x").append(i - 1).append(", *x")
                    .append(i - 1).append("]\n");
        }
        yaml.append("waf:\n  custom_rules:\n    - { id: 1, targets: ARGS, operator: phrase_list, value: *x20 }\n");
        List<ConfigError> errors = errors(yaml.toString());
        assertThat(errors).filteredOn(e -> e.yamlPath().startsWith("waf")).extracting(ConfigError::yamlPath)
                .containsExactly("waf.custom_rules[0].value[0]", "waf.custom_rules[0].value[1]");
    }

    @Test
    void recursiveAliasesInCustomRulesAreJustTheWrongType() {
        ConfigError error = singleError("""
                waf:
                  custom_rules:
                    - &rule { id: 1, targets: ARGS, operator: contains, value: *rule }
                """, 3, "waf.custom_rules[0].value");
        assertThat(error.message()).isEqualTo("operator `contains` needs a string, got a mapping");
    }

    @Test
    void hugeDocumentsAreRefused() {
        String huge = "node: { id: \"" + "x".repeat(ConfigLoader.MAX_CODE_POINTS) + "\" }\n";
        List<ConfigError> errors = errors(huge);
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).message()).isEqualTo("is too large for a config file (more than 3145728 characters)");
    }

    @Test
    void everyErrorIsReportedNotJustTheFirst() {
        List<ConfigError> errors = errors("""
                node: { workers: x, drain_timeout: y, listen: z }
                admin: { listen: q }
                limits: { max_connections: w }
                """);
        assertThat(errors).hasSize(5);
        assertThat(errors).extracting(ConfigError::line).containsExactly(1, 1, 1, 2, 3);
        assertThat(errors).extracting(ConfigError::column).containsExactly(18, 36, 47, 18, 28);
    }

    @Test
    void autoBanAndCounterCapAreCheckedWithTheirLines() {
        List<ConfigError> errors = errors("""
                upstreams:
                  app:
                    servers: [127.0.0.1:80]
                routes:
                  - { name: r, upstream: app, match: { path: { prefix: / } } }
                waf:
                  auto_ban: { window: 1m, bann: 10m }
                cluster:
                  max_counters: 10
                """);
        assertThat(errors).extracting(ConfigError::line, ConfigError::yamlPath, ConfigError::message).containsExactly(
                tuple(7, "waf.auto_ban.after", "missing required key `after`"),
                tuple(7, "waf.auto_ban.bann", "unknown key `bann` (did you mean `ban`?)"),
                tuple(9, "cluster.max_counters", "must be at least 1000, got 10"));
    }
}
