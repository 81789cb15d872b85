package dev.aegis.config;

import java.util.List;
import java.util.Map;

/**
 * The global {@code waf} section. Custom rules are kept as parsed YAML maps with their line until the WAF issue
 * gives them a model.
 */
public record WafConfig(WafPolicy.WafMode mode, int paranoia, int anomalyThreshold, long bodyLimitBytes,
                        List<Map<String, Object>> customRules) {
    public WafConfig {
        customRules = List.copyOf(customRules);
    }
}
