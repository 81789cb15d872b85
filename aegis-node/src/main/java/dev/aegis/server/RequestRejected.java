package dev.aegis.server;

/**
 * Emitted by {@link Http1RequestDecoder} instead of a request when the bytes cannot be framed safely; the
 * decoder stops reading the connection and the handler answers {@code status} and closes.
 */
public record RequestRejected(int status, String reason) {
}
