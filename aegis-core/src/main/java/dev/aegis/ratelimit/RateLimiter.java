package dev.aegis.ratelimit;

import dev.aegis.config.RateLimitPolicy;
import java.util.function.LongSupplier;

/**
 * One route's rate limit: a sliding window over two fixed windows, counted cluster-wide in a
 * {@link CounterStore}. The estimate is the previous window's count weighted by how much of it the sliding window
 * still covers, plus the current window's count (all nodes, with peers' likely unseen admissions predicted).
 *
 * <p>While this node is out of sync the route's {@code on_sync_loss} policy applies, on this node's own counts:
 * {@code local_share} admits the limit divided by the nodes last seen alive (the cluster as a whole stays near
 * its limit), {@code local_full} the whole limit, {@code deny} nothing.
 */
public final class RateLimiter {
    private final String name;
    private final RateLimitPolicy policy;
    private final long windowMillis;
    private final CounterStore store;
    private final SyncStatus sync;
    private final LongSupplier wallMillis;

    public RateLimiter(String name, RateLimitPolicy policy, CounterStore store, SyncStatus sync,
                       LongSupplier wallMillis) {
        this.name = name;
        this.policy = policy;
        this.windowMillis = Math.max(1, policy.window().toMillis());
        this.store = store;
        this.sync = sync;
        this.wallMillis = wallMillis;
    }

    public RateLimitPolicy policy() {
        return policy;
    }

    /** Decides on one request of {@code key}, counting it when admitted. Lock-free. */
    public RateDecision acquire(String key) {
        long now = wallMillis.getAsLong();
        long window = Math.floorDiv(now, windowMillis);
        long elapsed = now - window * windowMillis;
        long reset = Math.max(1, (windowMillis - elapsed + 999) / 1000);
        double prevWeight = (double) (windowMillis - elapsed) / windowMillis;
        WindowCounter cur = store.counter(name, windowMillis, window, key);
        WindowCounter prev = store.peek(name, windowMillis, window - 1, key);
        long limit = policy.limit();
        boolean inSync = sync.inSync();
        double base;
        if (inSync) {
            long peersNow = cur.counts.remoteValue() + cur.predictedUnseen(store.nanoTime());
            base = (prev == null ? 0 : prev.value() * prevWeight) + peersNow;
        } else {
            switch (policy.onSyncLoss()) {
                case DENY -> {
                    return new RateDecision(false, limit, 0, reset, "sync-loss-deny");
                }
                case LOCAL_SHARE -> limit = Math.max(1, limit / Math.max(1, sync.liveNodes()));
                case LOCAL_FULL -> {
                }
            }
            base = prev == null ? 0 : prev.localValue() * prevWeight;
        }
        // This node's own admissions go through one CAS, so concurrent event loops never pass the limit together.
        while (true) {
            long mine = cur.admitted.get();
            double estimate = base + mine;
            if (estimate + 1 > limit) {
                return new RateDecision(false, limit, 0, reset, "limit");
            }
            if (cur.admitted.compareAndSet(mine, mine + 1)) {
                store.counted(cur);
                return new RateDecision(true, limit, Math.max(0, (long) (limit - estimate - 1)), reset, null);
            }
        }
    }
}
