package dev.aegis.crdt;

/**
 * A counter replicated across nodes that can go down as well as up: two {@link GCounter}s, one of increments
 * and one of decrements, merged each on its own. Its value is their difference.
 */
public final class PNCounter {
    private final GCounter up;
    private final GCounter down;

    /** A zero counter owned by the node whose index is {@code self}. */
    public PNCounter(int self) {
        this.up = new GCounter(self);
        this.down = new GCounter(self);
    }

    public void increment() {
        up.increment();
    }

    public void decrement() {
        down.increment();
    }

    /** Adds {@code n}, which may be negative. */
    public void add(long n) {
        if (n >= 0) {
            up.add(n);
        } else {
            down.add(-n);
        }
    }

    public long value() {
        return up.value() - down.value();
    }

    /** The increments half, for delta encoding. */
    public GCounter increments() {
        return up;
    }

    /** The decrements half, for delta encoding. */
    public GCounter decrements() {
        return down;
    }

    /** Merges both halves of {@code other}. */
    public boolean merge(PNCounter other) {
        boolean a = up.merge(other.up);
        boolean b = down.merge(other.down);
        return a | b;
    }
}
