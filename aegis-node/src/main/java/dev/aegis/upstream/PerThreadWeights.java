package dev.aegis.upstream;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One {@code long[]} of smooth-WRR current weights per thread for one balancer, so each event loop runs its own
 * round robin with no shared mutable state and no lock.
 *
 * <p>Why not one {@link FastThreadLocal} per balancer: Netty never recycles a FastThreadLocal's index, and a thread
 * keeps every value it set, so each config reload would grow every event loop's table and pin the old balancers'
 * arrays for the life of the thread. Instead one process-wide FastThreadLocal gives each thread a small slot number,
 * and each balancer keeps its arrays in a table indexed by slot, which is garbage with the balancer. The table is
 * copied only when a thread uses the balancer for the first time; after that a lookup is two array reads.
 */
final class PerThreadWeights {
    private static final AtomicInteger NEXT_SLOT = new AtomicInteger();
    private static final FastThreadLocal<Integer> SLOT = new FastThreadLocal<>() {
        @Override
        protected Integer initialValue() {
            return NEXT_SLOT.getAndIncrement();
        }
    };

    private final int length;
    private final AtomicReference<long[][]> bySlot = new AtomicReference<>(new long[0][]);

    PerThreadWeights(int length) {
        this.length = length;
    }

    /** The calling thread's array (zeros at first); only this thread ever reads or writes it. */
    long[] get() {
        int slot = SLOT.get();
        long[][] table = bySlot.get();
        if (slot < table.length) {
            long[] mine = table[slot];
            if (mine != null) {
                return mine;
            }
        }
        return create(slot);
    }

    private long[] create(int slot) {
        long[] mine = new long[length];
        for (;;) {
            long[][] table = bySlot.get();
            long[][] next = Arrays.copyOf(table, Math.max(table.length, slot + 1));
            next[slot] = mine;
            // Only this thread writes its own slot, so a lost race just retries with the other thread's new table.
            if (bySlot.compareAndSet(table, next)) {
                return mine;
            }
        }
    }
}
