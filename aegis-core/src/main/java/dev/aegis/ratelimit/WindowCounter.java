package dev.aegis.ratelimit;

import dev.aegis.crdt.GCounter;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The replicated count of one key in one fixed window of one limit, and what this node knows of its peers' pace.
 *
 * <p>Peers' counts arrive every sync interval, so between two syncs they are stale by up to an interval. Each
 * peer's recent rate (its count's growth between its last two updates) predicts what it admitted since, and the
 * limiter counts that prediction too: under a steady load the cluster stops within a few requests of its limit
 * rather than one interval's worth of every peer's traffic over it. A peer silent for two intervals is predicted
 * to add nothing.
 */
public final class WindowCounter {
    private final CounterStore.CounterKey key;
    private volatile String id;
    final long window;
    final GCounter counts;
    /** Serialises this node's admissions of the key, so one node never admits past its limit (a CAS, no lock). */
    final AtomicLong admitted = new AtomicLong();
    private final long horizonNanos;
    // per peer slot, written under this counter's monitor by merges, read racily (64-bit plain values) by requests
    private long[] updatedNanos = new long[0];
    private double[] perNano = new double[0];

    WindowCounter(CounterStore.CounterKey key, int self, long horizonNanos) {
        this.key = key;
        this.window = key.window();
        this.counts = new GCounter(self);
        this.horizonNanos = horizonNanos;
    }

    /** The id sync messages name this counter by (made once, when first needed). */
    String id() {
        String i = id;
        if (i == null) {
            i = key.id();
            id = i;
        }
        return i;
    }

    /** The count over all nodes as known here (no prediction). */
    public long value() {
        return counts.value();
    }

    /** This node's own count. */
    public long localValue() {
        return admitted.get();
    }

    /** The replicated counter. */
    public GCounter counter() {
        return counts;
    }

    /** The window index (epoch millis / window length). */
    public long window() {
        return window;
    }

    /** What peers most likely admitted since their last update reached this node. */
    long predictedUnseen(long nowNanos) {
        long[] at = updatedNanos;
        double[] rate = perNano;
        double sum = 0;
        for (int i = 0, n = Math.min(at.length, rate.length); i < n; i++) {
            long age = nowNanos - at[i];
            if (at[i] != 0 && age >= 0 && age < horizonNanos) {
                sum += rate[i] * age;
            }
        }
        return (long) sum;
    }

    /** Merges a peer's count and updates its pace. */
    synchronized boolean merge(int node, long count, long nowNanos) {
        long before = counts.slot(node);
        if (!counts.mergeSlot(node, count)) {
            return false;
        }
        if (node == counts.self()) {
            // peers remember more of this node than it has (it restarted): admissions continue from there
            admitted.accumulateAndGet(count, Math::max);
            return true;
        }
        if (node >= updatedNanos.length) {
            updatedNanos = java.util.Arrays.copyOf(updatedNanos, node + 1);
            perNano = java.util.Arrays.copyOf(perNano, node + 1);
        }
        long last = updatedNanos[node];
        long dt = nowNanos - last;
        perNano[node] = last != 0 && dt > 0 && dt < 4 * horizonNanos ? (double) (count - before) / dt : 0;
        updatedNanos[node] = nowNanos;
        return true;
    }
}
