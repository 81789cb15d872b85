package dev.aegis.crdt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A last-writer-wins element set whose adds expire (the shared blocklist). Each element remembers its latest add
 * and its latest removal ({@link Stamp}s); it is present while the add is later than the removal and not yet
 * expired. A merge keeps the later of each, so it is commutative, associative and idempotent, and a removal is
 * never undone by an older add that arrives late.
 *
 * <p>Elements whose add has expired, and removals older than the retention, are dropped by {@link #prune}; a
 * delayed message re-adding such an element brings back only an expired add, which is not present.
 */
public final class LwwExpiringSet {
    /** The latest add and removal of one element. */
    public record Entry(String element, Stamp added, Stamp removed) {
        /** Present at {@code nowMillis}: added, not removed later, not expired. */
        public boolean presentAt(long nowMillis) {
            return added != null && (removed == null || added.compareTo(removed) > 0)
                    && nowMillis < added.expiresAtMillis();
        }
    }

    private final String node;
    private final HybridClock clock;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    /** Elements changed since the last {@link #drainDelta}: what the next sync message carries. */
    private final ConcurrentLinkedQueue<String> changed = new ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicLong version = new java.util.concurrent.atomic.AtomicLong();

    /** A set whose local writes are stamped by {@code clock} as node {@code node}. */
    public LwwExpiringSet(String node, HybridClock clock) {
        this.node = node;
        this.clock = clock;
    }

    /** Adds {@code element} until {@code expiresAtMillis} (wall clock). */
    public Entry add(String element, long expiresAtMillis) {
        Entry merged = apply(new Entry(element, new Stamp(clock.now(), node, expiresAtMillis), null));
        changed.add(element);
        return merged;
    }

    /** Removes {@code element}; false when it was not present. */
    public boolean remove(String element) {
        Entry before = entries.get(element);
        boolean was = before != null && before.presentAt(clock.wallMillis());
        apply(new Entry(element, null, new Stamp(clock.now(), node, 0)));
        changed.add(element);
        return was;
    }

    /**
     * Merges an entry from another replica (or a delta); true when this replica changed. A merged entry is not
     * queued for this node's next delta: its author publishes it, and a joining node gets it in a full state, so
     * entries never bounce between nodes.
     */
    public boolean merge(Entry remote) {
        if (remote.added() != null) {
            clock.observe(remote.added().hlc());
        }
        if (remote.removed() != null) {
            clock.observe(remote.removed().hlc());
        }
        Entry before = entries.get(remote.element());
        Entry after = apply(remote);
        return !after.equals(before);
    }

    private Entry apply(Entry e) {
        Entry[] before = new Entry[1];
        Entry merged = entries.merge(e.element(), e, (a, b) -> {
            before[0] = a;
            return new Entry(a.element(), Stamp.later(a.added(), b.added()), Stamp.later(a.removed(), b.removed()));
        });
        if (!merged.equals(before[0])) {
            version.incrementAndGet(); // readers rebuild their lookups only after a real change
        }
        return merged;
    }

    /** The element's entry, or null. */
    public Entry get(String element) {
        return entries.get(element);
    }

    /** Whether {@code element} is present now. */
    public boolean contains(String element) {
        Entry e = entries.get(element);
        return e != null && e.presentAt(clock.wallMillis());
    }

    /** The entries present at {@code nowMillis}. */
    public List<Entry> present(long nowMillis) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.presentAt(nowMillis)) {
                out.add(e);
            }
        }
        return out;
    }

    /** Every entry, removals included: a full state for a node that joins. */
    public List<Entry> all() {
        return List.copyOf(entries.values());
    }

    /** The entries changed since the last call (each once), for the next delta. */
    public List<Entry> drainDelta() {
        List<Entry> out = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String el; (el = changed.poll()) != null; ) {
            Entry e = entries.get(el);
            if (e != null && seen.add(el)) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * Drops entries that can no longer matter at {@code nowMillis}: expired adds and removals, both older than
     * {@code retentionMillis}.
     */
    public void prune(long nowMillis, long retentionMillis) {
        for (Map.Entry<String, Entry> me : entries.entrySet()) {
            Entry e = me.getValue();
            long addEnd = e.added() == null ? Long.MIN_VALUE : e.added().expiresAtMillis();
            long removedAt = e.removed() == null ? Long.MIN_VALUE : HybridClock.millis(e.removed().hlc());
            if (Math.max(addEnd, removedAt) + retentionMillis < nowMillis && entries.remove(me.getKey(), e)) {
                version.incrementAndGet();
            }
        }
    }

    /** Changes with every local write or merge that touched an entry: lets readers rebuild lookups lazily. */
    public long version() {
        return version.get();
    }

    public int size() {
        return entries.size();
    }
}
