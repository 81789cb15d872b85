package dev.aegis.config;

import java.util.List;

/** A route's effective WAF settings (mode, paranoia 1..4, threshold) and its exclusions. */
public record WafPolicy(WafMode mode, int paranoia, int anomalyThreshold, List<Exclusion> exclusions) {

    public WafPolicy {
        exclusions = List.copyOf(exclusions);
    }

    /** WAF modes. */
    public enum WafMode { OFF, DETECT, BLOCK }

    /** Do not apply {@code rule} to {@code target} (for example {@code ARGS:password}). */
    public record Exclusion(int rule, String target, int line) {
    }
}
