package dev.aegis.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.aegis.crdt.Delta;
import dev.aegis.crdt.NodeIndex;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * This node's replicas of every rate-limit counter: one {@link WindowCounter} per (limit, key, fixed window),
 * created on first use, merged with what peers publish, and queued for this node's next delta when it counts.
 *
 * <p>Memory stays bounded whatever the traffic: a counter expires when its window can no longer weigh in a decision
 * (the end of the window after it), and past {@code maxCounters} the least useful are evicted (Caffeine's
 * frequency-aware policy) and counted, so an attacker rotating addresses costs a bounded heap and shows in the
 * eviction count. A counter evicted with counts not yet published still goes out in the next delta.
 */
public final class CounterStore {
    private final String self;
    private final NodeIndex nodes;
    private final int selfIndex;
    private final LongSupplier nanoTime;
    private final long horizonNanos;
    private final Cache<CounterKey, WindowCounter> counters;
    private final ConcurrentLinkedQueue<WindowCounter> dirty = new ConcurrentLinkedQueue<>();
    private final LongAdder evictions = new LongAdder();

    /**
     * @param self this node's id
     * @param maxCounters at most this many counters are kept (two per active key: this window and the last)
     * @param syncInterval how often peers publish; their pace predicts for two intervals at most
     * @param wallMillis the wall clock windows are cut from (the same on every node, so windows line up)
     * @param nanoTime a monotonic clock for peers' pace
     */
    public CounterStore(String self, NodeIndex nodes, long maxCounters, Duration syncInterval,
                        LongSupplier wallMillis, LongSupplier nanoTime) {
        this.self = self;
        this.nodes = nodes;
        this.selfIndex = nodes.of(self);
        this.nanoTime = nanoTime;
        this.horizonNanos = 2 * Math.max(1, syncInterval.toNanos());
        this.counters = Caffeine.newBuilder()
                .maximumSize(maxCounters)
                .expireAfter(new Expiry<CounterKey, WindowCounter>() {
                    @Override
                    public long expireAfterCreate(CounterKey key, WindowCounter c, long now) {
                        return untilUseless(key);
                    }

                    @Override
                    public long expireAfterUpdate(CounterKey key, WindowCounter c, long now, long current) {
                        return untilUseless(key);
                    }

                    @Override
                    public long expireAfterRead(CounterKey key, WindowCounter c, long now, long current) {
                        return current;
                    }

                    private long untilUseless(CounterKey k) {
                        long end = (k.window() + 2) * k.windowMillis(); // the next window still weighs this one in
                        return Math.max(0, end - wallMillis.getAsLong()) * 1_000_000L;
                    }
                })
                .removalListener((CounterKey key, WindowCounter c, RemovalCause cause) -> {
                    if (cause == RemovalCause.SIZE) {
                        evictions.increment();
                    }
                })
                .executor(Runnable::run) // maintenance on the writer: bounded, amortised, no pool to starve
                .build();
    }

    /** This node's id. */
    public String self() {
        return self;
    }

    /**
     * What a counter is looked up by on the request path: a small record, so a lookup allocates one object rather
     * than building the text id that sync messages carry ({@link WindowCounter#id()}, made when first sent).
     */
    record CounterKey(String limit, long windowMillis, long window, String key) {
        /** The id a counter is known by on every node: the limit's name, its window length, the window, the key. */
        String id() {
            return limit + '\n' + windowMillis + '\n' + window + '\n' + key;
        }

        /** The key of a sync message's counter id, or null when it is not one this version writes. */
        static CounterKey parse(String id) {
            int a = id.indexOf('\n');
            int b = a < 0 ? -1 : id.indexOf('\n', a + 1);
            int c = b < 0 ? -1 : id.indexOf('\n', b + 1);
            if (c < 0) {
                return null;
            }
            try {
                long length = Long.parseLong(id, a + 1, b, 10);
                long window = Long.parseLong(id, b + 1, c, 10);
                return length > 0 ? new CounterKey(id.substring(0, a), length, window, id.substring(c + 1)) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    /** The id a counter is known by on every node (tests build ids of other nodes' counters with it). */
    static String id(String limit, long windowMillis, long window, String key) {
        return new CounterKey(limit, windowMillis, window, key).id();
    }

    /** The counter, created when absent. */
    WindowCounter counter(String limit, long windowMillis, long window, String key) {
        return counters.get(new CounterKey(limit, windowMillis, window, key), this::create);
    }

    private WindowCounter create(CounterKey k) {
        return new WindowCounter(k, selfIndex, horizonNanos);
    }

    /** The counter, or null when this node knows nothing of it. */
    WindowCounter peek(String limit, long windowMillis, long window, String key) {
        return counters.getIfPresent(new CounterKey(limit, windowMillis, window, key));
    }

    /** Records one local admission in {@code c}, queueing it for the next delta. */
    void counted(WindowCounter c) {
        c.counts.increment();
        if (c.counts.markDirty()) {
            dirty.add(c);
        }
    }

    long nanoTime() {
        return nanoTime.getAsLong();
    }

    /** This node's counts changed since the last call: the counter slots of the next delta. */
    public List<Delta.Slot> drainDelta() {
        List<Delta.Slot> out = new ArrayList<>();
        for (WindowCounter c; (c = dirty.poll()) != null; ) {
            c.counts.clearDirty(); // before reading: an increment after this marks it again
            out.add(new Delta.Slot(c.id(), self, c.counts.localValue()));
        }
        return out;
    }

    /** Every slot of every counter this node holds: the full state a joining node asks for. */
    public List<Delta.Slot> fullState() {
        List<Delta.Slot> out = new ArrayList<>();
        for (WindowCounter c : counters.asMap().values()) {
            for (int i = 0, n = c.counts.slots(); i < n && i < nodes.size(); i++) {
                long v = c.counts.slot(i);
                if (v > 0) {
                    out.add(new Delta.Slot(c.id(), nodes.id(i), v));
                }
            }
        }
        return out;
    }

    /** Merges slots a peer published; counters for windows already over are ignored. */
    public void merge(List<Delta.Slot> slots) {
        long now = nanoTime.getAsLong();
        for (Delta.Slot s : slots) {
            CounterKey k = CounterKey.parse(s.counter());
            if (k == null) {
                continue; // not a counter id this version writes
            }
            WindowCounter c = counters.get(k, this::create);
            if (c != null) {
                c.merge(nodes.of(s.node()), s.count(), now);
            }
        }
    }

    /** Counters held now. */
    public long size() {
        counters.cleanUp();
        return counters.estimatedSize();
    }

    /** Counters evicted because the store was full (not those that expired with their window). */
    public long evictions() {
        return evictions.sum();
    }

    /** This node's own count in one key's counter in one window, or 0. */
    public long local(String limit, Duration window, long windowIndex, String key) {
        WindowCounter c = peek(limit, window.toMillis(), windowIndex, key);
        return c == null ? 0 : c.localValue();
    }

    /** The total (all nodes, as known here) of one key's counter in one window, or 0. */
    public long total(String limit, Duration window, long windowIndex, String key) {
        WindowCounter c = peek(limit, window.toMillis(), windowIndex, key);
        return c == null ? 0 : c.value();
    }
}
