package dev.aegis.cachetier;

import dev.aegis.cache.CacheKey;
import dev.aegis.cache.StoredResponse;
import dev.aegis.cache.StoredResponseCodec;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared tier in Redis (Lettuce, asynchronous: no event loop ever waits on it). Objects live under
 * {@code aegis:cache:<normalised URL>#<key>} with the object's useful life as expiry, so a purge by URL prefix is a
 * key scan. Redis down means memory-only: while disconnected, commands fail at once (not queued) and a lookup
 * that takes longer than {@link #LOOKUP_TIMEOUT} counts as a miss; Lettuce reconnects in the background.
 */
final class RedisTier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisTier.class);
    static final Duration LOOKUP_TIMEOUT = Duration.ofMillis(100);
    private static final String PREFIX = "aegis:cache:";
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final RedisClient client;
    private final RedisURI uri;
    private volatile StatefulRedisConnection<String, byte[]> connection;
    /** Set when the first connection attempt has ended either way, so readiness need not wait longer than that. */
    private volatile boolean settled;
    private volatile long lastWarning;
    private volatile boolean closed;

    private RedisTier(RedisClient client, RedisURI uri) {
        this.client = client;
        this.uri = uri;
    }

    static RedisTier start(String url) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(Duration.ofSeconds(2));
        RedisClient client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
        RedisTier tier = new RedisTier(client, uri);
        tier.connect();
        return tier;
    }

    /** Connects in the background, and again later while it fails: a node starts whether Redis is up or not. */
    private void connect() {
        if (closed) {
            return;
        }
        client.connectAsync(CODEC, uri).whenComplete((c, e) -> {
            if (e != null) {
                warn("Redis cache tier unreachable ({}); serving from memory only, retrying", e.getMessage());
                CompletableFuture.delayedExecutor(2, TimeUnit.SECONDS).execute(this::connect);
            } else {
                connection = c;
                log.info("Redis cache tier connected");
            }
            settled = true;
        });
    }

    /**
     * Whether the first connection attempt is over (connected, or failed within the 2 s connect timeout): until then
     * the node reports not ready, so a balancer does not send it traffic it would cache in memory only.
     */
    boolean settled() {
        return settled;
    }

    private void warn(String message, Object arg) {
        long now = System.currentTimeMillis();
        if (now - lastWarning > 30_000) {
            lastWarning = now;
            log.warn(message, arg);
        }
    }

    static String key(String url, CacheKey key) {
        return PREFIX + url + "#" + key.hex();
    }

    CompletableFuture<StoredResponse> get(CacheKey key, String url) {
        StatefulRedisConnection<String, byte[]> c = connection;
        if (c == null || !c.isOpen()) {
            return CompletableFuture.completedFuture(null);
        }
        try {
            return c.async().get(key(url, key)).toCompletableFuture()
                    .completeOnTimeout(null, LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .handle((bytes, e) -> {
                        if (e != null) {
                            warn("Redis lookup failed ({}); serving from memory only", e.getMessage());
                            return null;
                        }
                        return bytes == null ? null : StoredResponseCodec.decode(bytes);
                    });
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(null);
        }
    }

    void put(CacheKey key, StoredResponse value, long ttlMillis) {
        StatefulRedisConnection<String, byte[]> c = connection;
        if (c == null || !c.isOpen() || ttlMillis <= 0) {
            return;
        }
        try {
            c.async().set(key(value.url(), key), StoredResponseCodec.encode(value), SetArgs.Builder.px(ttlMillis))
                    .exceptionally(e -> {
                        warn("Redis store failed ({}); the object stays in memory", e.getMessage());
                        return null;
                    });
        } catch (RuntimeException e) {
            warn("Redis store failed ({}); the object stays in memory", e.getMessage());
        }
    }

    void delete(CacheKey key, String url) {
        StatefulRedisConnection<String, byte[]> c = connection;
        if (c == null || !c.isOpen()) {
            return;
        }
        try {
            c.async().del(key(url, key));
        } catch (RuntimeException e) {
            warn("Redis delete failed ({})", e.getMessage());
        }
    }

    /**
     * Deletes objects by exact normalised URL or URL prefix: a SCAN over the matching keys. Completes with the count,
     * or exceptionally when Redis is configured but could not be purged.
     */
    CompletableFuture<Long> purge(String urlOrPrefix, boolean prefix) {
        StatefulRedisConnection<String, byte[]> c = connection;
        if (c == null || !c.isOpen()) {
            return CompletableFuture.failedFuture(new IllegalStateException("Redis is not connected"));
        }
        String pattern = PREFIX + glob(urlOrPrefix) + (prefix ? "*" : "#*");
        return CompletableFuture.supplyAsync(() -> {
            long deleted = 0;
            var sync = c.sync();
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                var page = sync.scan(cursor, ScanArgs.Builder.matches(pattern).limit(500));
                if (!page.getKeys().isEmpty()) {
                    deleted += sync.del(page.getKeys().toArray(new String[0]));
                }
                cursor = page;
            } while (!cursor.isFinished());
            return deleted;
        });
    }

    /** Escapes Redis glob characters. */
    static String glob(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '*' || ch == '?' || ch == '[' || ch == ']' || ch == '\\') {
                b.append('\\');
            }
            b.append(ch);
        }
        return b.toString();
    }

    @Override
    public void close() {
        closed = true;
        StatefulRedisConnection<String, byte[]> c = connection;
        if (c != null) {
            c.closeAsync();
        }
        client.shutdownAsync(0, 2, TimeUnit.SECONDS);
    }
}
