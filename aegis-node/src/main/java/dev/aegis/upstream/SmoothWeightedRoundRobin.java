package dev.aegis.upstream;

/**
 * nginx's smooth weighted round robin: every eligible server's current weight grows by its weight, the largest is
 * picked and loses the total. Weights 1:2:3 come out interleaved ({@code c b a c b c}) rather than in runs, and every
 * run of {@code total weight} picks gives each server exactly its weight.
 *
 * <p>Each thread (event loop) keeps its own current weights, so loops never contend; each loop's sequence is smooth
 * and exact on its own, so the sum over loops is too. Unavailable and excluded servers are skipped and left out of
 * the total, so the rest share their traffic by weight.
 */
final class SmoothWeightedRoundRobin implements Balancer {
    private final PerThreadWeights current;

    SmoothWeightedRoundRobin(int size) {
        this.current = new PerThreadWeights(size);
    }

    @Override
    public ServerState pick(ServerState[] servers, long nowNanos, CharSequence hashKey, long excludeMask) {
        long[] cur = current.get();
        long total = 0;
        int best = -1;
        for (int i = 0; i < servers.length; i++) {
            ServerState s = servers[i];
            if (!s.eligible(nowNanos, excludeMask)) {
                continue;
            }
            int weight = s.server.weight();
            cur[i] += weight;
            total += weight;
            if (best < 0 || cur[i] > cur[best]) {
                best = i;
            }
        }
        if (best < 0) {
            return null;
        }
        cur[best] -= total;
        return servers[best];
    }
}
