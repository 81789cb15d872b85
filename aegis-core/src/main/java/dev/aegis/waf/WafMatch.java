package dev.aegis.waf;

/** One rule that matched one target: rule id, family, target name, the matched fragment (at most 80 chars), severity. */
public record WafMatch(int ruleId, String family, String target, String fragment, int severity) {
    static final int MAX_FRAGMENT = 80;

    public WafMatch {
        if (fragment == null) {
            fragment = "";
        } else if (fragment.length() > MAX_FRAGMENT) {
            fragment = fragment.substring(0, MAX_FRAGMENT);
        }
    }
}
