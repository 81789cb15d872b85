package dev.aegis.config;

import java.time.Duration;

/**
 * The {@code cluster} section; {@code natsUrl} null means a single node. {@code maxCounters} bounds the rate-limit
 * counters a node keeps (two per active key: this window and the last); past it the least used are evicted.
 */
public record ClusterConfig(String name, String natsUrl, Duration syncInterval, long maxCounters) {
    /** The default bound on rate-limit counters. */
    public static final long DEFAULT_MAX_COUNTERS = 1_000_000;

    public ClusterConfig(String name, String natsUrl, Duration syncInterval) {
        this(name, natsUrl, syncInterval, DEFAULT_MAX_COUNTERS);
    }
}
