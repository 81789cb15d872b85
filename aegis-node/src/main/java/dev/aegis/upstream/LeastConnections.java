package dev.aegis.upstream;

/**
 * Least connections, weighted: the eligible server with the fewest attempts in flight per unit of weight
 * ({@code inFlight_a * weight_b < inFlight_b * weight_a}, no division), counted by {@link ServerState#inFlight()}.
 *
 * <p>Ties are broken by smooth weighted round robin among the tied servers, with per-thread state. Under light,
 * sequential load every server is at zero and always tied, so a plain "first lowest" would send everything to the
 * first server; the round robin instead spreads such traffic evenly for equal weights and in proportion to weight
 * for unequal ones. This is nginx's {@code least_conn}. Like it, with only a few requests in flight a light server
 * that is idle ties with idle heavy ones, so it gets somewhat more than its weight share (weight 1 of 1:2:3 got 18.5%
 * instead of 16.7% with about 16 requests in flight, in BalancerTest); the shares converge as load grows.
 */
final class LeastConnections implements Balancer {
    private final PerThreadWeights current;

    LeastConnections(int size) {
        this.current = new PerThreadWeights(size);
    }

    @Override
    public ServerState pick(ServerState[] servers, long nowNanos, CharSequence hashKey, long excludeMask) {
        long bestLoad = 0;
        long bestWeight = 1;
        int best = -1;
        for (int i = 0; i < servers.length; i++) {
            ServerState s = servers[i];
            if (!s.eligible(nowNanos, excludeMask)) {
                continue;
            }
            long load = s.inFlight();
            long weight = s.server.weight();
            if (best < 0 || load * bestWeight < bestLoad * weight) {
                best = i;
                bestLoad = load;
                bestWeight = weight;
            }
        }
        if (best < 0) {
            return null;
        }
        // Second pass: smooth WRR among the servers at the lowest ratio. Counts move under us (other loops), so a
        // server counts as tied if it is at or below the ratio found; if none is any more, the first pass's wins.
        long[] cur = current.get();
        long total = 0;
        int chosen = -1;
        for (int i = 0; i < servers.length; i++) {
            ServerState s = servers[i];
            long weight = s.server.weight();
            if (s.inFlight() * bestWeight > bestLoad * weight || !s.eligible(nowNanos, excludeMask)) {
                continue;
            }
            cur[i] += weight;
            total += weight;
            if (chosen < 0 || cur[i] > cur[chosen]) {
                chosen = i;
            }
        }
        if (chosen < 0) {
            return servers[best];
        }
        cur[chosen] -= total;
        return servers[chosen];
    }
}
