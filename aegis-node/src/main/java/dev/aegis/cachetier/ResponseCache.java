package dev.aegis.cachetier;

import dev.aegis.cache.CacheKey;
import dev.aegis.cache.MemoryCache;
import dev.aegis.cache.StoredResponse;
import dev.aegis.config.CacheConfig;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's cache: one per node, shared by every event loop and config snapshot. Lookups read the memory tier,
 * then (asynchronously) Redis; stores go to both. Concurrent misses for one key are collapsed: the first becomes
 * the fill, the others wait for it ({@link #joinFill}) and then look again.
 */
public final class ResponseCache implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ResponseCache.class);
    private final CacheConfig config;
    private final MemoryCache memory;
    private final RedisTier redis;
    private final ConcurrentHashMap<CacheKey, Fill> fills = new ConcurrentHashMap<>();
    private final Set<CacheKey> refreshing = ConcurrentHashMap.newKeySet();
    /** Marks the node's own background refreshes (a header no client can guess). */
    private final String refreshToken;

    /** A fill in progress: whoever waits for it is called back once, with the key it stored under (or null). */
    public static final class Fill {
        private final List<Consumer<CacheKey>> waiters = new ArrayList<>();
        private boolean done;
        private CacheKey stored;

        /** Registers {@code waiter}; false when the fill is already over (then look again at once). */
        synchronized boolean await(Consumer<CacheKey> waiter) {
            if (done) {
                return false;
            }
            waiters.add(waiter);
            return true;
        }

        void complete(CacheKey storedUnder) {
            List<Consumer<CacheKey>> toCall;
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
                stored = storedUnder;
                toCall = List.copyOf(waiters);
                waiters.clear();
            }
            for (Consumer<CacheKey> w : toCall) {
                try {
                    w.accept(stored);
                } catch (RuntimeException e) {
                    log.warn("cache waiter failed: {}", e.toString());
                }
            }
        }
    }

    public ResponseCache(CacheConfig config) {
        this.config = config;
        this.memory = new MemoryCache(config.memoryBytes());
        this.redis = config.redisUrl() == null ? null : RedisTier.start(config.redisUrl());
        byte[] token = new byte[16];
        new SecureRandom().nextBytes(token);
        this.refreshToken = HexFormat.of().formatHex(token);
    }

    public CacheConfig config() {
        return config;
    }

    /** The memory tier's bytes, objects and evictions, for the metrics. */
    public long memoryBytes() {
        return memory.bytes();
    }

    public long memoryObjects() {
        return memory.size();
    }

    public long memoryEvictions() {
        return memory.evictions();
    }

    /** The memory tier's object under {@code key}, or null. */
    public StoredResponse memory(CacheKey key) {
        return memory.get(key);
    }

    /** Whether a shared tier is configured. */
    public boolean shared() {
        return redis != null;
    }

    /** Whether the cache can take traffic: no shared tier, or its first connection attempt is over. */
    public boolean ready() {
        return redis == null || redis.settled();
    }

    /** The shared tier's object (completes with null on a miss, an error, or when Redis is down). */
    public CompletableFuture<StoredResponse> shared(CacheKey key, String url) {
        if (redis == null) {
            return CompletableFuture.completedFuture(null);
        }
        return redis.get(key, url).thenApply(found -> {
            if (found != null) {
                memory.put(key, found); // the next request on this node is a memory hit
            }
            return found;
        });
    }

    /** Stores {@code value} under {@code key} in every tier. */
    public void store(CacheKey key, StoredResponse value, long ttlMillis) {
        memory.put(key, value);
        if (redis != null) {
            redis.put(key, value, ttlMillis);
        }
    }

    /**
     * Joins the fill of {@code key}: null when the caller is the first and must fetch (and later call {@link
     * #endFill}); else the running fill, which calls {@code waiter} back when it ends (on the filling thread).
     */
    public Fill joinFill(CacheKey key, Consumer<CacheKey> waiter) {
        while (true) {
            Fill mine = new Fill();
            Fill running = fills.putIfAbsent(key, mine);
            if (running == null) {
                return null;
            }
            if (running.await(waiter)) {
                return running;
            }
            fills.remove(key, running); // over but not yet removed: try again
        }
    }

    /** Ends the caller's fill of {@code key}: waiters are called back with the key it stored under, or null. */
    public void endFill(CacheKey key, CacheKey storedUnder) {
        Fill f = fills.remove(key);
        if (f != null) {
            f.complete(storedUnder);
        }
    }

    /**
     * Counts {@code bytes} of an in-progress copy against the budget for them (as large as the memory tier): false
     * when it is spent, and the response then streams through uncached. Many concurrent fills of large objects can
     * not take the heap.
     */
    public boolean reserveCopyBudget(long bytes) {
        while (true) {
            long used = copying.get();
            if (used + bytes > config.memoryBytes()) {
                return false;
            }
            if (copying.compareAndSet(used, used + bytes)) {
                return true;
            }
        }
    }

    public void releaseCopyBudget(long bytes) {
        copying.addAndGet(-bytes);
    }

    private final java.util.concurrent.atomic.AtomicLong copying = new java.util.concurrent.atomic.AtomicLong();

    /** Drops the object of a URL (its primary key: variants become unreachable with their marker), in every tier. */
    public void invalidate(CacheKey primary, String url) {
        memory.remove(primary);
        if (redis != null) {
            redis.delete(primary, url);
        }
    }

    /** Whether a background refresh of {@code key} may start (one at a time per key). */
    public boolean startRefresh(CacheKey key) {
        return refreshing.add(key);
    }

    public void endRefresh(CacheKey key) {
        refreshing.remove(key);
    }

    /** The header value that marks the node's own refresh requests. */
    public String refreshToken() {
        return refreshToken;
    }

    /** Purges objects whose normalised URL passes {@code url} from the memory tier; how many. */
    public int purgeMemory(Predicate<String> url) {
        return memory.purge(url);
    }

    /** Purges from the shared tier: an exact normalised URL, or every URL starting with a prefix. */
    public CompletableFuture<Long> purgeShared(String urlOrPrefix, boolean prefix) {
        return redis == null ? CompletableFuture.completedFuture(0L) : redis.purge(urlOrPrefix, prefix);
    }

    @Override
    public void close() {
        if (redis != null) {
            redis.close();
        }
    }
}
