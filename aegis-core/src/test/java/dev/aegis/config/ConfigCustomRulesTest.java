package dev.aegis.config;

import static dev.aegis.config.ConfigTesting.errors;
import static dev.aegis.config.ConfigTesting.singleError;
import static dev.aegis.config.ConfigTesting.valid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.aegis.config.CustomRule.Action;
import dev.aegis.config.CustomRule.Collection;
import dev.aegis.config.CustomRule.Operator;
import dev.aegis.config.CustomRule.Target;
import dev.aegis.config.CustomRule.Transformation;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigCustomRulesTest {

    /** A rule at line 3 ({@code waf:}, {@code custom_rules:}, then the rule), with {@code fields} after its id. */
    private static String rule(String fields) {
        return "waf:\n  custom_rules:\n    - id: 100001\n" + fields.indent(6);
    }

    @Test
    void aFullExampleBindsToRecords() {
        AegisConfig config = valid("""
                waf:
                  custom_rules:
                    - id: 100001
                      message: "block admin from outside"
                      targets: [REQUEST_PATH, "ARGS:user"]
                      transformations: [url_decode, lowercase]
                      operator: contains
                      value: "/admin"
                      severity: critical
                      paranoia: 1
                      action: block
                    - id: 100002
                      targets: request_headers:User-Agent
                      operator: phrase_list
                      value: [sqlmap, nikto]
                      severity: 7
                    - id: 100003
                      targets: REMOTE_ADDR
                      operator: ip_in
                      value: [10.0.0.0/8, "2001:db8::/32", 192.0.2.7]
                      action: allow
                    - id: 100004
                      targets: ARGS
                      transformations: length
                      operator: gt
                      value: 1000
                      severity: notice
                      paranoia: 3
                      action: log
                    - id: 100005
                      targets: REQUEST_FILENAME
                      operator: regex
                      value: '^/(wp-admin|phpmyadmin)'
                    - id: 100006
                      targets: REQUEST_HEADERS:Content-Length
                      operator: le
                      value: -0.5
                      severity: 0
                      action: score
                """);

        assertThat(config.waf().customRules()).containsExactly(
                new CustomRule(100001, "block admin from outside",
                        List.of(new Target(Collection.REQUEST_PATH), new Target(Collection.ARGS, "user")),
                        List.of(Transformation.URL_DECODE, Transformation.LOWERCASE), Operator.CONTAINS,
                        new CustomRule.Text("/admin"), 5, 1, Action.BLOCK, 3),
                new CustomRule(100002, "", List.of(new Target(Collection.REQUEST_HEADERS, "User-Agent")),
                        List.of(), Operator.PHRASE_LIST, new CustomRule.Phrases(List.of("sqlmap", "nikto")), 7, 1,
                        Action.SCORE, 12),
                new CustomRule(100003, "", List.of(new Target(Collection.REMOTE_ADDR)), List.of(), Operator.IP_IN,
                        new CustomRule.Networks(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32"),
                                Cidr.parse("192.0.2.7/32"))), 5, 1, Action.ALLOW, 17),
                new CustomRule(100004, "", List.of(new Target(Collection.ARGS)), List.of(Transformation.LENGTH),
                        Operator.GT, new CustomRule.Numeric(1000), 2, 3, Action.LOG, 22),
                new CustomRule(100005, "", List.of(new Target(Collection.REQUEST_PATH)), List.of(), Operator.REGEX,
                        new CustomRule.Text("^/(wp-admin|phpmyadmin)"), 5, 1, Action.SCORE, 30),
                new CustomRule(100006, "", List.of(new Target(Collection.REQUEST_HEADERS, "Content-Length")),
                        List.of(), Operator.LE, new CustomRule.Numeric(-0.5), 0, 1, Action.SCORE, 34));
        assertThat(config.waf().customRules().get(0).targets()).extracting(Target::toString)
                .containsExactly("REQUEST_PATH", "ARGS:user");
    }

    @Test
    void equalsMayCompareWithTheEmptyString() {
        AegisConfig config = valid(rule("""
                targets: "REQUEST_HEADERS:X-Debug"
                operator: equals
                value: ""
                """));
        assertThat(config.waf().customRules().get(0).operand()).isEqualTo(new CustomRule.Text(""));
    }

    @Test
    void badRegexQuotesRe2() {
        ConfigError error = singleError(rule("""
                targets: ARGS
                operator: regex
                value: "^/(a|b"
                """), 6, "waf.custom_rules[0].value");
        assertThat(error.message()).startsWith("invalid regex: ").contains("missing closing )");
    }

    @Test
    void backtrackingRegexFeaturesAreRefused() {
        ConfigError error = singleError(rule("""
                targets: ARGS
                operator: regex
                value: '(a)\\1'
                """), 6, "waf.custom_rules[0].value");
        assertThat(error.message()).startsWith("invalid regex: ");
    }

    @Test
    void unknownOperatorIsSuggested() {
        ConfigError error = singleError(rule("""
                targets: ARGS
                operator: containz
                value: x
                """), 5, "waf.custom_rules[0].operator");
        assertThat(error.message()).startsWith("`containz` is not one of `contains`, `starts_with`")
                .endsWith("(did you mean `contains`?)");
    }

    @Test
    void missingKeysAreReportedAtTheRule() {
        List<ConfigError> errors = errors("""
                waf:
                  custom_rules:
                    - message: nothing else
                    - id: 100002
                      targets: ARGS
                      operator: contains
                """);
        assertThat(errors).extracting(ConfigError::line, ConfigError::yamlPath, ConfigError::message).containsExactly(
                tuple(3, "waf.custom_rules[0].id", "missing required key `id`"),
                tuple(3, "waf.custom_rules[0].targets", "missing required key `targets`"),
                tuple(3, "waf.custom_rules[0].operator", "missing required key `operator`"),
                tuple(3, "waf.custom_rules[0].value", "missing required key `value`"),
                tuple(4, "waf.custom_rules[1].value", "missing required key `value`"));
    }

    @Test
    void valueOfTheWrongTypeForTheOperator() {
        List<ConfigError> errors = errors("""
                waf:
                  custom_rules:
                    - { id: 1, targets: ARGS, operator: gt, value: lots }
                    - { id: 2, targets: ARGS, operator: contains, value: [a, b] }
                    - { id: 3, targets: ARGS, operator: phrase_list, value: { a: b } }
                    - { id: 4, targets: ARGS, operator: eq, value: 1e3 }
                    - { id: 5, targets: ARGS, operator: phrase_list, value: [a, [b]] }
                    - { id: 6, targets: ARGS, operator: starts_with, value: "" }
                """);
        assertThat(errors).extracting(ConfigError::line, ConfigError::yamlPath, ConfigError::message).containsExactly(
                tuple(3, "waf.custom_rules[0].value", "operator `gt` needs a number, got `lots`"),
                tuple(4, "waf.custom_rules[1].value", "operator `contains` needs a string, got a list"),
                tuple(5, "waf.custom_rules[2].value", "expected a phrase or a list of them, got a mapping"),
                tuple(6, "waf.custom_rules[3].value", "operator `eq` needs a number, got `1e3`"),
                tuple(7, "waf.custom_rules[4].value[1]", "expected a phrase, got a list"),
                tuple(8, "waf.custom_rules[5].value",
                        "operator `starts_with` needs a value that is not empty (an empty one matches everything)"));
    }

    @Test
    void badCidrIsNamed() {
        ConfigError error = singleError(rule("""
                targets: REMOTE_ADDR
                operator: ip_in
                value:
                  - 10.0.0.0/8
                  - 10.0.0.0/33
                """), 8, "waf.custom_rules[0].value[1]");
        assertThat(error.message()).contains("`10.0.0.0/33`").contains("prefix length");
    }

    @Test
    void cidrWithHostBitsSuggestsTheNetwork() {
        ConfigError error = singleError(rule("""
                targets: REMOTE_ADDR
                operator: ip_in
                value: 192.168.1.1/24
                """), 6, "waf.custom_rules[0].value");
        assertThat(error.message()).contains("did you mean `192.168.1.0/24`?");
    }

    @Test
    void ipInOnlyComparesAddresses() {
        ConfigError error = singleError(rule("""
                targets: [REMOTE_ADDR, "ARGS:ip"]
                operator: ip_in
                value: 10.0.0.0/8
                """), 4, "waf.custom_rules[0].targets");
        assertThat(error.message()).isEqualTo("operator `ip_in` compares IP addresses: it works on REMOTE_ADDR or a"
                + " request header (REQUEST_HEADERS:X-Real-IP), not on ARGS:ip");
        valid(rule("""
                targets: "REQUEST_HEADERS:X-Real-IP"
                operator: ip_in
                value: ["::1", 127.0.0.1]
                """));
    }

    @Test
    void unknownTargetIsSuggested() {
        List<ConfigError> errors = errors(rule("""
                targets: [ARGZ, "REQUEST_URI:x", "ARGS:", REQUEST_HEADER_NAMES]
                operator: contains
                value: x
                """));
        assertThat(errors).extracting(ConfigError::line, ConfigError::yamlPath, ConfigError::message).containsExactly(
                tuple(4, "waf.custom_rules[0].targets[0]", "unknown target `ARGZ` (did you mean `ARGS`?)"),
                tuple(4, "waf.custom_rules[0].targets[1]",
                        "`REQUEST_URI:x`: REQUEST_URI is a single value; write `REQUEST_URI` without `:x`"),
                tuple(4, "waf.custom_rules[0].targets[2]",
                        "`ARGS:` names no member; write `ARGS` for all of them or `ARGS:NAME` for one"),
                tuple(4, "waf.custom_rules[0].targets[3]",
                        "unknown target `REQUEST_HEADER_NAMES` (did you mean `REQUEST_HEADERS_NAMES`?)"));
    }

    @Test
    void unknownTransformationIsSuggested() {
        ConfigError error = singleError(rule("""
                targets: ARGS
                transformations:
                  - url_decode
                  - lowercas
                operator: contains
                value: x
                """), 7, "waf.custom_rules[0].transformations[1]");
        assertThat(error.message()).endsWith("(did you mean `lowercase`?)");
    }

    @Test
    void duplicateIdNamesTheFirstLine() {
        ConfigError error = singleError("""
                waf:
                  custom_rules:
                    - { id: 100001, targets: ARGS, operator: contains, value: a }
                    - { id: 100002, targets: ARGS, operator: contains, value: b }
                    - { id: 100001, targets: ARGS, operator: contains, value: c }
                """, 5, "waf.custom_rules[2].id");
        assertThat(error.message()).isEqualTo("duplicate custom rule id 100001 (first used by the rule at line 3)");
    }

    @Test
    void builtInIdIsRefused() {
        ConfigError error = singleError("""
                waf:
                  custom_rules:
                    - { id: 942100, targets: ARGS, operator: contains, value: a }
                """, 3, "waf.custom_rules[0].id");
        assertThat(error.message()).startsWith("942100 is the id of a built-in rule");
    }

    @Test
    void idRangeSeverityParanoiaActionAndUnknownKeys() {
        List<ConfigError> errors = errors("""
                waf:
                  custom_rules:
                    - id: 0
                      targets: ARGS
                      operator: contains
                      value: a
                      severity: huge
                      paranoia: 5
                      action: deny
                      severty: 3
                """);
        assertThat(errors).extracting(ConfigError::line, ConfigError::yamlPath).containsExactly(
                tuple(3, "waf.custom_rules[0].id"),
                tuple(7, "waf.custom_rules[0].severity"),
                tuple(8, "waf.custom_rules[0].paranoia"),
                tuple(9, "waf.custom_rules[0].action"),
                tuple(10, "waf.custom_rules[0].severty"));
        assertThat(errors.get(1).message()).startsWith("`huge` is not a severity: write `critical` (5)");
        assertThat(errors.get(3).message()).isEqualTo(
                "`deny` is not one of `score`, `block`, `allow`, `log`");
        assertThat(errors.get(4).message()).isEqualTo("unknown key `severty` (did you mean `severity`?)");
    }

    @Test
    void phrasesMustBeLatin1AndNotEmpty() {
        List<ConfigError> errors = errors(rule("""
                targets: ARGS
                operator: phrase_list
                value: ["ok", "", "日本"]
                """));
        assertThat(errors).extracting(ConfigError::yamlPath).containsExactly(
                "waf.custom_rules[0].value[1]", "waf.custom_rules[0].value[2]");
        assertThat(errors.get(1).message()).contains("is not Latin-1 text");
    }

    @Test
    void bodyOverLimitIsAChoice() {
        assertThat(valid("waf: { body_over_limit: block }").waf().bodyOverLimit())
                .isEqualTo(WafConfig.BodyOverLimit.BLOCK);
        ConfigError error = singleError("waf:\n  body_over_limit: inspect\n", 2, "waf.body_over_limit");
        assertThat(error.message()).isEqualTo(
                "`inspect` is not one of `inspect_partial`, `block` (did you mean `inspect_partial`?)");
    }
}
