package dev.aegis.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.function.Predicate;

/**
 * The in-memory tier: objects by key, bounded by their bytes ({@code cache.memory}); past it, the least valuable
 * are evicted (Caffeine's frequency-aware policy, which keeps a hot object over a one-hit wonder). Lock-free reads.
 */
public final class MemoryCache {
    private final Cache<CacheKey, StoredResponse> objects;
    private final java.util.concurrent.atomic.LongAdder evictions = new java.util.concurrent.atomic.LongAdder();

    public MemoryCache(long maxBytes) {
        this.objects = Caffeine.newBuilder()
                .maximumWeight(Math.max(0, maxBytes))
                .weigher((CacheKey k, StoredResponse v) -> v.weight())
                .executor(Runnable::run)
                .evictionListener((CacheKey k, StoredResponse v, com.github.benmanes.caffeine.cache.RemovalCause c) -> {
                    if (c.wasEvicted()) {
                        evictions.increment();
                    }
                })
                .build();
    }

    /** The object under {@code key}, or null. */
    public StoredResponse get(CacheKey key) {
        return objects.getIfPresent(key);
    }

    public void put(CacheKey key, StoredResponse value) {
        objects.put(key, value);
    }

    public void remove(CacheKey key) {
        objects.invalidate(key);
    }

    /** Removes every object whose normalised URL passes {@code url}; how many went. */
    public int purge(Predicate<String> url) {
        int[] n = {0};
        objects.asMap().entrySet().removeIf(e -> {
            boolean gone = url.test(e.getValue().url());
            n[0] += gone ? 1 : 0;
            return gone;
        });
        return n[0];
    }

    /** Objects evicted to stay within the byte bound, since start. */
    public long evictions() {
        return evictions.sum();
    }

    /** Bytes held now (the objects' weights). */
    public long bytes() {
        return objects.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
    }

    /** Objects held now. */
    public long size() {
        objects.cleanUp();
        return objects.estimatedSize();
    }
}
