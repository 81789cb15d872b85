package dev.aegis.upstream;

import io.netty.channel.Channel;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Idle keep-alive connections to origin servers, one pool per event loop: a request only ever uses
 * connections that live on its client's event loop, so there is no locking and no thread hop.
 *
 * <p>Connections are reused most-recently-used first (the warmest socket, and idle ones age out). A pooled
 * connection keeps a read pending, so an origin closing it is noticed and it leaves the pool at once.
 */
public final class ConnectionPool {
    private static final FastThreadLocal<ConnectionPool> POOLS = new FastThreadLocal<>() {
        @Override
        protected ConnectionPool initialValue() {
            return new ConnectionPool();
        }
    };

    private final Map<String, ArrayDeque<Idle>> idle = new HashMap<>();

    private record Idle(Channel channel, long sinceNanos) {
    }

    private ConnectionPool() {
    }

    /** The pool of the calling event loop. */
    public static ConnectionPool current() {
        return POOLS.get();
    }

    /** An idle open connection to {@code server} younger than {@code idleTimeoutNanos}, or null. */
    public Channel acquire(UpstreamServer server, long idleTimeoutNanos) {
        ArrayDeque<Idle> q = idle.get(server.key());
        if (q == null) {
            return null;
        }
        long now = System.nanoTime();
        Idle e;
        while ((e = q.pollLast()) != null) {
            if (e.channel.isActive() && now - e.sinceNanos < idleTimeoutNanos) {
                return e.channel;
            }
            e.channel.close();
        }
        return null;
    }

    /** Keeps {@code channel} for reuse, or closes it when the pool for that server is full. */
    public void release(UpstreamServer server, Channel channel, int maxIdle) {
        ArrayDeque<Idle> q = idle.computeIfAbsent(server.key(), k -> new ArrayDeque<>());
        // Drop the oldest entries beyond the limit, and anything already closed.
        while (!q.isEmpty() && (q.size() >= maxIdle || !q.peekFirst().channel.isActive())) {
            q.pollFirst().channel.close();
        }
        if (maxIdle <= 0 || !channel.isActive()) {
            channel.close();
            return;
        }
        q.addLast(new Idle(channel, System.nanoTime()));
        channel.read(); // notice a close by the origin while idle
    }

    /** Forgets {@code channel} (it was closed while idle). */
    public void remove(UpstreamServer server, Channel channel) {
        ArrayDeque<Idle> q = idle.get(server.key());
        if (q != null) {
            q.removeIf(e -> e.channel == channel);
        }
    }

    /** Number of idle connections to {@code server} in this loop's pool. */
    public int idleCount(UpstreamServer server) {
        ArrayDeque<Idle> q = idle.get(server.key());
        return q == null ? 0 : q.size();
    }
}
