package dev.aegis.upstream;

import dev.aegis.config.UpstreamConfig;

/**
 * Picks the server of an {@link UpstreamGroup} for one upstream attempt (the "pick upstream" phase, and again for
 * each retry). Implementations run on every event loop at once: they take no lock and allocate nothing per pick.
 */
public interface Balancer {

    /**
     * The server for the next attempt: one that is {@link ServerState#available available} at {@code nowNanos} and
     * whose index bit is not set in {@code excludeMask} (the servers this request already tried). Only indexes 0..63
     * have a bit, so servers at index 64 and beyond are never excluded; a retry may then land on the same server.
     *
     * @param servers the group's servers; {@code servers[i].index == i}, the same array the balancer was built for
     * @param hashKey the request's key for the hash balancer (client IP, a header value or the path); ignored by the
     *                others; when null the hash balancer falls back to weighted round robin
     * @return the chosen server, or null when none is eligible
     */
    ServerState pick(ServerState[] servers, long nowNanos, CharSequence hashKey, long excludeMask);

    /** The balancer of {@code kind} for a group of {@code servers}, built once per group and config snapshot. */
    static Balancer of(UpstreamConfig.Balancer kind, ServerState[] servers) {
        return switch (kind) {
            case ROUND_ROBIN -> new SmoothWeightedRoundRobin(servers.length);
            case LEAST_CONN -> new LeastConnections(servers.length);
            case P2C -> new PowerOfTwoChoices();
            case HASH -> new ConsistentHash(servers);
        };
    }
}
