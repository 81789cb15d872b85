package dev.aegis.config;

import java.time.Duration;

/** The {@code cluster} section; {@code natsUrl} null means a single node. */
public record ClusterConfig(String name, String natsUrl, Duration syncInterval) {
}
