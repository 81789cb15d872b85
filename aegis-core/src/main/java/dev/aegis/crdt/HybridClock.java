package dev.aegis.crdt;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A hybrid logical clock (Kulkarni et al., 2014): timestamps that follow wall-clock milliseconds but never go
 * backwards and always exceed every timestamp this node has seen from others. Two nodes whose clocks disagree by
 * seconds still order "removed after it was added" correctly once the remover has seen the add, which is what keeps
 * a removed blocklist entry from coming back.
 *
 * <p>A timestamp is one {@code long}: wall milliseconds in the high 48 bits, a logical counter in the low 16.
 * Ties between nodes are broken by node id ({@link Stamp}). Lock-free.
 */
public final class HybridClock {
    private static final int LOGICAL_BITS = 16;
    private final LongSupplier wallMillis;
    private final AtomicLong last = new AtomicLong();

    /** A clock reading {@code wallMillis} (injected so tests can skew and advance it). */
    public HybridClock(LongSupplier wallMillis) {
        this.wallMillis = wallMillis;
    }

    /** A timestamp later than every one this clock issued or observed. */
    public long now() {
        long physical = wallMillis.getAsLong() << LOGICAL_BITS;
        while (true) {
            long prev = last.get();
            long next = Math.max(prev + 1, physical);
            if (last.compareAndSet(prev, next)) {
                return next;
            }
        }
    }

    /** Takes note of a timestamp from another node, so this clock's next ones come after it. */
    public void observe(long remote) {
        while (true) {
            long prev = last.get();
            if (remote <= prev || last.compareAndSet(prev, remote)) {
                return;
            }
        }
    }

    /** The wall-clock milliseconds of timestamp {@code hlc}. */
    public static long millis(long hlc) {
        return hlc >>> LOGICAL_BITS;
    }

    /** The wall-clock milliseconds now, as this clock reads them. */
    public long wallMillis() {
        return wallMillis.getAsLong();
    }
}
