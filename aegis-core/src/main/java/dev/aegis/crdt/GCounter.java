package dev.aegis.crdt;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A grow-only counter replicated across nodes: one count per node, the value is their sum, and a merge keeps the
 * larger count of each node, so merging is commutative, associative and idempotent.
 *
 * <p>This node's own count is a {@link LongAdder}: event-loop threads increment it without locks and without
 * contending on one cache line (striped per thread, summed on read). The other nodes' counts sit in an array
 * indexed by {@link NodeIndex}; merges (from the sync thread, off the request path) take this counter's
 * monitor, reads and increments never do.
 *
 * <p>For delta sync the counter carries a dirty mark: {@link #markDirty()} is true for the first local update
 * since {@link #clearDirty()}, which tells its owner to queue it for the next delta.
 */
public final class GCounter {
    private static final VarHandle DIRTY;

    static {
        try {
            DIRTY = MethodHandles.lookup().findVarHandle(GCounter.class, "dirty", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Shared by replicas that know no other node yet; never written (it has no slots). */
    private static final AtomicLongArray NO_SLOTS = new AtomicLongArray(0);
    private final int self;
    private final LongAdder local = new LongAdder();
    /** Other nodes' counts by node index; this node's slot stays 0 (the adder holds it). Replaced to grow. */
    private volatile AtomicLongArray remote;
    @SuppressWarnings("unused") // through DIRTY
    private volatile int dirty;

    /** A zero counter owned by the node whose index is {@code self}. */
    public GCounter(int self) {
        this.self = self;
        this.remote = NO_SLOTS;
    }

    /** Adds one to this node's count. Lock-free. */
    public void increment() {
        local.increment();
    }

    /** Adds {@code n >= 0} to this node's count. */
    public void add(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("a grow-only counter cannot add " + n);
        }
        local.add(n);
    }

    /** The sum over all nodes. */
    public long value() {
        long sum = local.sum();
        AtomicLongArray r = remote;
        for (int i = 0, n = r.length(); i < n; i++) {
            sum += r.get(i);
        }
        return sum;
    }

    /** The sum over the other nodes (read once, so it never mixes two readings of this node's count). */
    public long remoteValue() {
        long sum = 0;
        AtomicLongArray r = remote;
        for (int i = 0, n = r.length(); i < n; i++) {
            sum += r.get(i);
        }
        return sum;
    }

    /** This node's own count. */
    public long localValue() {
        return local.sum();
    }

    /** The count of the node at {@code index} as this replica knows it. */
    public long slot(int index) {
        if (index == self) {
            return local.sum();
        }
        AtomicLongArray r = remote;
        return index < r.length() ? r.get(index) : 0;
    }

    /** The node index of this replica's owner. */
    public int self() {
        return self;
    }

    /** How many slots (node indexes) this replica knows, its own included. */
    public int slots() {
        return Math.max(self + 1, remote.length());
    }

    /**
     * Merges what another replica says node {@code index} counted: the larger count wins. A count for this node
     * larger than its own (it restarted and lost it; a peer remembers) raises the local count to it, so the
     * node's further increments add on top instead of hiding beneath.
     *
     * @return whether this replica changed
     */
    public synchronized boolean mergeSlot(int index, long count) {
        return mergeLocked(index, count);
    }

    private boolean mergeLocked(int index, long count) {
        if (index == self) {
            long mine = local.sum();
            if (count > mine) {
                local.add(count - mine); // increments racing with this read are new ones, counted on top
                return true;
            }
            return false;
        }
        AtomicLongArray r = remote;
        if (index < r.length()) {
            if (count <= r.get(index)) {
                return false;
            }
            r.setRelease(index, count); // writers hold the monitor; readers' volatile get sees it
            return true;
        }
        if (count <= 0) {
            return false;
        }
        AtomicLongArray grown = new AtomicLongArray(Math.max(index + 1, r.length() * 2));
        for (int i = 0; i < r.length(); i++) {
            grown.setPlain(i, r.getPlain(i));
        }
        grown.setPlain(index, count);
        remote = grown; // volatile: publishes the copied slots too
        return true;
    }

    /** Merges every slot of {@code other} (which may be owned by any node of the same {@link NodeIndex}). */
    public synchronized boolean merge(GCounter other) {
        boolean changed = mergeLocked(other.self, other.local.sum());
        AtomicLongArray from = other.remote;
        int n = from.length();
        AtomicLongArray into = remote;
        if (into.length() < n) {
            AtomicLongArray grown = new AtomicLongArray(n);
            for (int i = 0; i < into.length(); i++) {
                grown.setPlain(i, into.getPlain(i));
            }
            remote = grown; // volatile: publishes the copied slots
            into = grown;
        }
        for (int i = 0, m = Math.min(n, into.length()); i < m; i++) {
            long c = from.get(i);
            if (c > into.getPlain(i) && i != self) {
                into.setRelease(i, c);
                changed = true;
            } else if (i == self && c > 0) {
                changed |= mergeLocked(i, c);
            }
        }
        return changed;
    }

    /** True for the first caller since the last {@link #clearDirty()}: that caller queues this counter. */
    public boolean markDirty() {
        return (int) DIRTY.getAcquire(this) == 0 && DIRTY.compareAndSet(this, 0, 1);
    }

    /** Clears the dirty mark; call before reading the count to publish, so later updates mark it again. */
    public void clearDirty() {
        DIRTY.setVolatile(this, 0);
    }

    @Override
    public String toString() {
        return "GCounter[value=" + value() + ", local=" + localValue() + "]";
    }
}
