package dev.aegis.config;

import java.time.Duration;

/**
 * The {@code node} section: identity, listener, event-loop count and how long a graceful stop may drain.
 *
 * @param workers event-loop threads; 0 means one per available core
 * @param drainTimeout how long {@code SIGTERM} lets in-flight requests finish (key {@code drain_timeout}, default 30s)
 */
public record NodeConfig(String id, HostPort listen, int workers, Duration drainTimeout) {
}
