package dev.aegis.config;

import java.util.List;

/**
 * One named upstream group: its servers and how requests are spread over them, checked, timed out and retried.
 *
 * @param hashKey with {@link Balancer#HASH}: {@code client_ip}, {@code header:NAME} or {@code path}; else null
 * @param healthCheck null when the group has no active health check
 */
public record UpstreamConfig(
        String name,
        List<ServerConfig> servers,
        Balancer balancer,
        String hashKey,
        HealthCheckConfig healthCheck,
        PassiveConfig passive,
        TimeoutsConfig timeouts,
        PoolConfig pool,
        int retries) {

    public UpstreamConfig {
        servers = List.copyOf(servers);
    }

    /** A server of a group. */
    public record ServerConfig(HostPort address, int weight) {
    }

    /** How a group picks a server. */
    public enum Balancer { ROUND_ROBIN, LEAST_CONN, P2C, HASH }

    /** Active health check: GET {@code path} every {@code interval}. */
    public record HealthCheckConfig(String path, java.time.Duration interval, java.time.Duration timeout,
                                    int healthy, int unhealthy) {
    }

    /** Passive health: {@code failures} consecutive failures eject a server for {@code cooldown}. */
    public record PassiveConfig(int failures, java.time.Duration cooldown) {
    }

    /**
     * Upstream timeouts. {@code connect}: TCP connect; {@code responseHeader}: from the request being sent to the
     * response head; {@code idle}: longest silence while a response body streams.
     */
    public record TimeoutsConfig(java.time.Duration connect, java.time.Duration responseHeader,
                                 java.time.Duration idle) {
    }

    /** Keep-alive pool, one per event loop per server. */
    public record PoolConfig(int maxIdlePerLoop, java.time.Duration idleTimeout) {
    }
}
