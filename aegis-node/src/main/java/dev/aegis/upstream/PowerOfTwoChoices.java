package dev.aegis.upstream;

import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Power of two random choices: draw two distinct eligible servers at random, each with probability proportional to
 * its weight, and take the one with fewer attempts in flight per unit of weight. Nearly as even as least connections
 * but compares only two in-flight counters, and loops picking at the same moment rarely pile onto the same "least"
 * server.
 * On a tie the first draw wins, which keeps sequential (all idle) traffic proportional to weight.
 */
final class PowerOfTwoChoices implements Balancer {
    /** Null in production (each thread uses its ThreadLocalRandom); a seeded generator in single-threaded tests. */
    private final RandomGenerator seeded;

    PowerOfTwoChoices() {
        this(null);
    }

    PowerOfTwoChoices(RandomGenerator seeded) {
        this.seeded = seeded;
    }

    @Override
    public ServerState pick(ServerState[] servers, long nowNanos, CharSequence hashKey, long excludeMask) {
        long total = 0;
        int eligible = 0;
        ServerState only = null;
        for (ServerState s : servers) {
            if (s.eligible(nowNanos, excludeMask)) {
                total += s.server.weight();
                eligible++;
                only = s;
            }
        }
        if (eligible <= 1) {
            return only;
        }
        RandomGenerator random = seeded != null ? seeded : ThreadLocalRandom.current();
        ServerState a = draw(servers, nowNanos, excludeMask, random.nextLong(total), null);
        if (a == null) {
            return only; // eligibility changed under us; any server still eligible will do
        }
        long rest = total - a.server.weight();
        ServerState b = rest <= 0 ? null : draw(servers, nowNanos, excludeMask, random.nextLong(rest), a);
        if (b == null) {
            return a;
        }
        long loadA = (long) a.inFlight() * b.server.weight();
        long loadB = (long) b.inFlight() * a.server.weight();
        return loadB < loadA ? b : a;
    }

    /** The eligible server (other than {@code skip}) that {@code r} in [0, total weight) falls on. */
    private static ServerState draw(ServerState[] servers, long nowNanos, long excludeMask, long r, ServerState skip) {
        ServerState last = null;
        for (ServerState s : servers) {
            if (s == skip || !s.eligible(nowNanos, excludeMask)) {
                continue;
            }
            r -= s.server.weight();
            if (r < 0) {
                return s;
            }
            last = s;
        }
        return last; // a server became ineligible between the passes, shrinking the total
    }
}
