package dev.aegis.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * The admin token check ({@code Authorization: Bearer <token>}, RFC 6750 §2.1), in time that does not depend on
 * the configured token.
 */
final class BearerToken {
    private static final String SCHEME = "Bearer ";

    private final byte[] expected; // null: no token configured, everything is open

    private BearerToken(byte[] expected) {
        this.expected = expected;
    }

    /**
     * The check for {@code token}; null or empty means no authentication.
     *
     * @throws IllegalArgumentException when the token could never arrive intact in a header field (white space,
     *     control characters): better refused at start than an admin API that silently rejects everyone
     */
    static BearerToken of(String token) {
        if (token == null || token.isEmpty()) {
            return new BearerToken(null);
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                throw new IllegalArgumentException("admin.token must not contain white space or control characters");
            }
        }
        return new BearerToken(token.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether requests must present the token at all. */
    boolean required() {
        return expected != null;
    }

    /** Whether the {@code Authorization} field values of a request carry the token (exactly one field). */
    boolean accepts(List<String> authorization) {
        if (expected == null) {
            return true;
        }
        if (authorization.size() != 1) {
            return false;
        }
        String value = authorization.get(0);
        // The scheme is case-insensitive (RFC 9110 §11.1); the token is not.
        if (value.length() < SCHEME.length() || !value.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        String presented = value.substring(SCHEME.length()).strip();
        // Netty hands header bytes over one char per byte (ISO-8859-1), so this gives back the bytes the client
        // sent: a UTF-8 token sent as UTF-8 compares equal to the configured token's UTF-8 bytes.
        byte[] candidate = presented.getBytes(StandardCharsets.ISO_8859_1);
        // MessageDigest.isEqual takes time proportional to its first argument only and never stops at the first
        // difference: with the client's bytes first, the time reveals the length the client chose, not ours.
        return MessageDigest.isEqual(candidate, expected);
    }
}
