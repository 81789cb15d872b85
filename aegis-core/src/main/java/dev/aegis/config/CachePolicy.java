package dev.aegis.config;

import java.time.Duration;

/** A route's effective cache settings. */
public record CachePolicy(boolean enabled, Duration defaultTtl) {
}
