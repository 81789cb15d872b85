package dev.aegis.admin;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The answer of one admin endpoint: status, content type and the whole body (admin answers are small, so they
 * are built in full rather than streamed). The body array is not copied; do not change it after handing it over.
 */
public record AdminResponse(int status, String contentType, byte[] body) {
    /** The content type of {@link #text} answers. */
    public static final String TEXT = "text/plain; charset=utf-8";
    /** The content type of {@link #json} answers (RFC 8259 §11: UTF-8, no charset parameter). */
    public static final String JSON = "application/json";

    public AdminResponse {
        // 1xx are interim answers (RFC 9110 §15.2) and never the answer of an endpoint.
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("status must be 200-599, got " + status);
        }
        Objects.requireNonNull(contentType, "contentType");
        for (int i = 0; i < contentType.length(); i++) {
            char c = contentType.charAt(i);
            // It becomes a header field value as is: no way to smuggle a line break into the answer.
            if ((c < 0x20 && c != '\t') || c >= 0x7f) {
                throw new IllegalArgumentException("contentType must be visible ASCII");
            }
        }
        Objects.requireNonNull(body, "body");
    }

    /** A {@code text/plain} answer of {@code text} in UTF-8. */
    public static AdminResponse text(int status, String text) {
        return new AdminResponse(status, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** An {@code application/json} answer of {@code json}, a document the caller has already rendered. */
    public static AdminResponse json(int status, String json) {
        return new AdminResponse(status, JSON, json.getBytes(StandardCharsets.UTF_8));
    }

    /** A JSON error answer, {@code {"error":"message"}}, as every refusal of the admin API is shaped. */
    static AdminResponse error(int status, String message) {
        return json(status, "{\"error\":" + Json.quote(message) + "}");
    }
}
