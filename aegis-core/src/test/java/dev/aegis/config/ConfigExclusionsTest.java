package dev.aegis.config;

import static dev.aegis.config.ConfigTesting.APP;
import static dev.aegis.config.ConfigTesting.errors;
import static dev.aegis.config.ConfigTesting.singleError;
import static dev.aegis.config.ConfigTesting.valid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Route exclusions must name a rule that exists and a target it inspects, or they would exclude nothing. */
class ConfigExclusionsTest {

    /** {@link ConfigTesting#APP} and one route whose first exclusion is at line 10. */
    private static String route(String exclusions) {
        return APP + """
                routes:
                  - name: api
                    match: { path: { prefix: / } }
                    upstream: app
                    waf:
                      exclusions:
                """ + exclusions.indent(8);
    }

    @Test
    void exclusionsOfBuiltInRulesOnTargetsTheyInspectAreValid() {
        AegisConfig config = valid(route("""
                - { rule: 942100, target: "ARGS:password" }
                - { rule: 942100, target: REQUEST_PATH }
                - { rule: 941100, target: "REQUEST_COOKIES:session" }
                - { rule: 911100, target: REQUEST_METHOD }
                - { rule: 913100, target: "REQUEST_HEADERS:User-Agent" }
                """));
        assertThat(config.routes().get(0).waf().exclusions()).extracting(WafPolicy.Exclusion::line)
                .containsExactly(10, 11, 12, 13, 14);
    }

    @Test
    void unknownRuleIsAnErrorWithASuggestion() {
        List<ConfigError> errors = errors(route("""
                - { rule: 942100, target: "ARGS:password" }
                - { rule: 942999, target: "ARGS:password" }
                - { rule: 94210, target: "ARGS:password" }
                - { rule: 123, target: ARGS }
                """));
        assertThat(errors).extracting(ConfigError::line, ConfigError::yamlPath, ConfigError::message).containsExactly(
                tuple(11, "routes[0].waf.exclusions[1].rule", "unknown WAF rule 942999 (did you mean 942550?)"),
                tuple(12, "routes[0].waf.exclusions[2].rule", "unknown WAF rule 94210 (did you mean 942100?)"),
                tuple(13, "routes[0].waf.exclusions[3].rule",
                        "unknown WAF rule 123; it is neither a built-in rule nor one of waf.custom_rules"));
    }

    @Test
    void targetTheRuleNeverInspectsIsAnError() {
        List<ConfigError> errors = errors(route("""
                - { rule: 913100, target: "ARGS:password" }
                - { rule: 942100, target: "REQUEST_HEADERS:Host" }
                - { rule: 942100, target: REMOTE_ADDR }
                - { rule: 942100, target: "NOT_A_TARGET:x" }
                """));
        assertThat(errors).extracting(ConfigError::line, ConfigError::yamlPath).containsExactly(
                tuple(10, "routes[0].waf.exclusions[0].target"),
                tuple(11, "routes[0].waf.exclusions[1].target"),
                tuple(12, "routes[0].waf.exclusions[2].target"),
                tuple(13, "routes[0].waf.exclusions[3].target"));
        assertThat(errors.get(0).message()).isEqualTo("rule 913100 never inspects ARGS:password; it inspects"
                + " REQUEST_HEADERS:User-Agent, REQUEST_HEADERS other than the standard ones (Host, Accept, ...),"
                + " REQUEST_HEADERS_NAMES");
        assertThat(errors.get(1).message()).startsWith("rule 942100 never inspects REQUEST_HEADERS:Host; it inspects"
                + " ARGS, ARGS_NAMES, REQUEST_COOKIES, REQUEST_HEADERS other than the standard ones");
    }

    @Test
    void customRulesAreCheckedAgainstTheirOwnTargets() {
        String yaml = """
                waf:
                  custom_rules:
                    - { id: 100001, targets: ["ARGS:user", REQUEST_COOKIES], operator: contains, value: admin }
                """ + route("""
                - { rule: 100001, target: "ARGS:user" }
                - { rule: 100001, target: ARGS }
                - { rule: 100001, target: "REQUEST_COOKIES:sid" }
                - { rule: 100001, target: "REQUEST_HEADERS:Cookie" }
                - { rule: 100001, target: "ARGS:password" }
                - { rule: 100001, target: REQUEST_URI }
                - { rule: 100002, target: ARGS }
                """);
        List<ConfigError> errors = errors(yaml);
        assertThat(errors).extracting(ConfigError::line, ConfigError::yamlPath, ConfigError::message).containsExactly(
                tuple(17, "routes[0].waf.exclusions[4].target",
                        "rule 100001 never inspects ARGS:password; it inspects ARGS:user, REQUEST_COOKIES"),
                tuple(18, "routes[0].waf.exclusions[5].target",
                        "rule 100001 never inspects REQUEST_URI; it inspects ARGS:user, REQUEST_COOKIES"),
                tuple(19, "routes[0].waf.exclusions[6].rule", "unknown WAF rule 100002 (did you mean 100001?)"));
    }

    @Test
    void anExclusionOfARefusedCustomRuleDoesNotRepeatItsError() {
        String yaml = """
                waf:
                  custom_rules:
                    - { id: 100001, targets: ARGS, operator: regex, value: "(" }
                """ + route("""
                - { rule: 100001, target: ARGS }
                """);
        singleError(yaml, 3, "waf.custom_rules[0].value");
    }
}
