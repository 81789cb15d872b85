package dev.aegis.crdt;

/**
 * When and by whom an element of an {@link LwwExpiringSet} was last written: a {@link HybridClock} timestamp, the
 * writing node's id to break ties, and (for an add) the wall-clock millisecond it expires at.
 */
public record Stamp(long hlc, String node, long expiresAtMillis) implements Comparable<Stamp> {

    public Stamp {
        java.util.Objects.requireNonNull(node, "node");
    }

    @Override
    public int compareTo(Stamp o) {
        int c = Long.compare(hlc, o.hlc);
        if (c != 0) {
            return c;
        }
        c = node.compareTo(o.node);
        // Same clock and node: the same write (or a re-send); the longer expiry wins so merges stay idempotent.
        return c != 0 ? c : Long.compare(expiresAtMillis, o.expiresAtMillis);
    }

    /** The later of two stamps (null counts as never). */
    public static Stamp later(Stamp a, Stamp b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.compareTo(b) >= 0 ? a : b;
    }
}
