package dev.aegis.config;

import java.util.List;
import java.util.Objects;

/**
 * The global {@code waf} section: the defaults for routes without their own {@code waf}, how much of a body is
 * inspected and what happens to a longer one, and the custom rules the WAF compiles next to its built-in ones.
 */
public record WafConfig(WafPolicy.WafMode mode, int paranoia, int anomalyThreshold, long bodyLimitBytes,
                        List<CustomRule> customRules, BodyOverLimit bodyOverLimit, AutoBan autoBan) {
    public WafConfig {
        customRules = List.copyOf(customRules);
        Objects.requireNonNull(bodyOverLimit, "bodyOverLimit");
    }

    /** Without auto-ban. */
    public WafConfig(WafPolicy.WafMode mode, int paranoia, int anomalyThreshold, long bodyLimitBytes,
                     List<CustomRule> customRules, BodyOverLimit bodyOverLimit) {
        this(mode, paranoia, anomalyThreshold, bodyLimitBytes, customRules, bodyOverLimit, null);
    }

    /**
     * {@code waf.auto_ban}: a client the WAF blocked more than {@code after} times within {@code window} (counted
     * cluster-wide) goes on the shared blocklist for {@code ban}.
     */
    public record AutoBan(long after, java.time.Duration window, java.time.Duration ban) {
    }

    /** With {@code body_over_limit} at its default, {@link BodyOverLimit#INSPECT_PARTIAL}. */
    public WafConfig(WafPolicy.WafMode mode, int paranoia, int anomalyThreshold, long bodyLimitBytes,
                     List<CustomRule> customRules) {
        this(mode, paranoia, anomalyThreshold, bodyLimitBytes, customRules, BodyOverLimit.INSPECT_PARTIAL);
    }

    /** What happens to a request whose body is longer than {@code body_limit}. */
    public enum BodyOverLimit {
        /** Inspect the first {@code body_limit} bytes, tag the request as partly inspected, and let the rest stream. */
        INSPECT_PARTIAL,
        /**
         * On routes in block mode, answer 413 and forward nothing: no byte past the limit reaches the origin
         * uninspected. Routes in detect mode inspect the first part and tag the request, as with
         * {@link #INSPECT_PARTIAL}.
         */
        BLOCK
    }
}
