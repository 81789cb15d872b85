package dev.aegis.config;

import java.time.Duration;

/** The {@code limits} section, enforced by the server before any phase runs. */
public record LimitsConfig(long maxHeaderBytes, long maxUriBytes, long maxBodyBytes, Duration headerReadTimeout,
                           int maxConnections) {
}
