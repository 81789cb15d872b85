package dev.aegis.waf;

import java.util.List;

/** The WAF's verdict on a request: anomaly score, whether it is blocked, and the matches that made the score. */
public record WafDecision(int score, boolean blocked, List<WafMatch> matches) {
    /** Nothing matched. */
    public static final WafDecision CLEAN = new WafDecision(0, false, List.of());

    public WafDecision {
        matches = List.copyOf(matches);
    }
}
