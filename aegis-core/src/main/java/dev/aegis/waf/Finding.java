package dev.aegis.waf;

/**
 * What a detector found in one value: the fragment that matched (for the audit log, truncated by the caller) and
 * a short description of why (a token fingerprint such as {@code s&1c}, or a tag and attribute).
 */
public record Finding(String fragment, String reason) {
}
