package dev.aegis.config;

/** The global {@code cache} section; {@code redisUrl} is null without a shared tier. */
public record CacheConfig(long memoryBytes, long maxObjectBytes, String redisUrl) {
}
