package dev.aegis.cluster;

import dev.aegis.crdt.Delta;
import dev.aegis.crdt.DeltaCodec;
import dev.aegis.crdt.LwwExpiringSet;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sync over NATS (jnats). Every node publishes on {@code aegis.<cluster>.sync}: its deltas every
 * {@code sync_interval} (only counters and bans that changed), a heartbeat every second (so every node knows how
 * many peers are alive), and, when it connects or reconnects, a request for the others' full state (answered on
 * its own subject {@code aegis.<cluster>.node.<id>}, in messages of at most about 256 KiB) plus its own full state.
 * Before that request a node sends itself one message on {@code aegis.<cluster>.echo.<id>} and waits for it. Merges
 * are idempotent, so a delta that arrives twice, late, or after the same counts came in a full state never counts
 * twice.
 *
 * <p>Membership, heartbeats and lag follow this machine's real clock; counters' windows and bans follow the
 * cluster's (injectable) wall clock.
 *
 * <p>NATS is never on the request path: requests read local replicas. When NATS is unreachable the node keeps
 * serving (rate limits fall back to their {@code on_sync_loss} policy), jnats reconnects with a growing delay,
 * and on reconnect the full-state exchange repairs whatever deltas were lost meanwhile.
 */
final class NatsSync implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NatsSync.class);
    static final long HEARTBEAT_MILLIS = 1000;
    /** A peer not heard for this long is no longer counted alive. */
    static final long ALIVE_MILLIS = 3500;
    /** Bytes per message, about: a full state of a million counters goes out in pieces well under NATS's 1 MiB. */
    private static final int MAX_MESSAGE_BYTES = 256 << 10;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
    /** Failed joins (each waits up to 2 s for its echo) before the connection is dropped and made again. */
    private static final int JOIN_FAILURES_BEFORE_RECONNECT = 3;
    /** A peer not heard for this long is forgotten (its id may have been a pod that is gone for good). */
    private static final long FORGET_MILLIS = 10 * 60_000L;

    private final Cluster cluster;
    private final String self;
    private final String subject;
    private final String inbox;
    /** Where a joining node sends a message to itself, to see that its subscriptions carry messages. */
    private final String echo;
    /** The echo the join in progress waits for (its payload is the join's number), or null. */
    private volatile CompletableFuture<Void> pendingEcho;
    private volatile long pendingEchoToken;
    private long echoTokens;
    private final long intervalMillis;
    private final ScheduledExecutorService timer;
    private final ConcurrentHashMap<String, Peer> peers = new ConcurrentHashMap<>();
    private final AtomicBoolean publishQueued = new AtomicBoolean();
    private volatile Connection connection;
    private volatile Dispatcher dispatcher;
    private volatile Dispatcher echoDispatcher;
    /** Sync messages sent and received (heartbeats included), for the metrics. */
    private final java.util.concurrent.atomic.LongAdder sent = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder received = new java.util.concurrent.atomic.LongAdder();
    private volatile boolean connected;
    private volatile boolean ready;
    private volatile boolean closed;
    /** The live count when sync was lost: local_share divides by the nodes last seen, not by those still heard. */
    private volatile int liveAtLoss = 1;
    private volatile long lastSyncMillis;
    private volatile long lastHeartbeatMillis;
    private volatile long lastRepairRequest;
    private Options options;
    private int connectAttempts;
    /** Which (re)connection the join in progress is for: a newer one ends the retries of an older one (timer thread). */
    private int joinGeneration;
    /** Joins in a row that failed on the current connection (timer thread). */
    private int joinFailures;
    /** The last error jnats reported on the connection, for the log when a join fails. */
    private volatile String lastConnectionError = "none";

    private static final class Peer {
        final String id;
        volatile long lastSeen;
        volatile long lastSync;
        volatile long lag;

        Peer(String id) {
            this.id = id;
        }
    }

    NatsSync(Cluster cluster) {
        this.cluster = cluster;
        this.self = cluster.nodeId();
        String name = token(cluster.config().name());
        this.subject = "aegis." + name + ".sync";
        this.inbox = "aegis." + name + ".node." + token(self);
        this.echo = "aegis." + name + ".echo." + token(self);
        this.intervalMillis = Math.max(1, cluster.config().syncInterval().toMillis());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "aegis-sync");
            t.setDaemon(true);
            return t;
        });
    }

    /** A subject token: NATS separates tokens with dots and forbids spaces and wildcards. */
    static String token(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '_') ? c : '_');
        }
        return b.isEmpty() ? "_" : b.toString();
    }

    void start() {
        options = new Options.Builder()
                .server(cluster.config().natsUrl())
                .connectionName("aegis-" + self)
                .maxReconnects(-1)
                .connectionTimeout(Duration.ofSeconds(2))
                .pingInterval(Duration.ofSeconds(2))
                .maxPingsOut(2)
                // 100 ms, 200 ms, 400 ms ... up to 2 s between attempts: quick back after a blip, gentle on a dead bus
                .reconnectDelayHandler(NatsSync::backoff)
                .connectionListener(this::onConnectionEvent)
                .errorListener(new ErrorListener() {
                    @Override
                    public void errorOccurred(Connection conn, String error) {
                        log.warn("NATS: {}", error);
                    }

                    @Override
                    public void exceptionOccurred(Connection conn, Exception exp) {
                        lastConnectionError = exp.toString();
                        log.debug("NATS connection: {}", exp.toString()); // refused reconnects: noisy, expected
                    }

                    @Override
                    public void slowConsumerDetected(Connection conn, io.nats.client.Consumer consumer) {
                        // messages were dropped: ask the peers for their state again (at most every few seconds)
                        log.warn("NATS dropped sync messages for this slow node; asking peers for their state");
                        requestRepair();
                    }
                })
                .build();
        timer.execute(this::connect);
        timer.scheduleWithFixedDelay(this::tick, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        // Unreachable at start: serve alone rather than stay unready (the first connect will still merge).
        timer.schedule(() -> {
            if (!connected && !ready) { // (ready: it did connect, and is merely rejoining now)
                log.warn("NATS at {} is unreachable; serving on this node's own counts until it is",
                        cluster.config().natsUrl());
                ready = true;
            }
        }, 3, TimeUnit.SECONDS);
    }

    static Duration backoff(long round) {
        long ms = 100L << Math.min(5, Math.max(0, round - 1));
        return Duration.ofMillis(Math.min(ms, MAX_BACKOFF.toMillis()));
    }

    /**
     * The first connection, tried on this node's timer until it succeeds (jnats reconnects by itself after that).
     * Done here rather than by jnats in the background so that closing the node also stops the attempts.
     */
    private void connect() {
        if (closed) {
            return;
        }
        try {
            Connection c = Nats.connect(options);
            if (closed) {
                c.close();
                return;
            }
            connection = c;
            joined(c, false, ++joinGeneration);
        } catch (java.io.IOException | RuntimeException e) {
            if (connectAttempts++ % 10 == 0) {
                log.warn("cannot reach NATS at {} ({}); retrying",
                        dev.aegis.config.UrlCredentials.redact(cluster.config().natsUrl()), e.getMessage());
            }
            timer.schedule(this::connect, backoff(connectAttempts).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing
        }
    }

    private void onConnectionEvent(Connection conn, ConnectionListener.Events event) {
        switch (event) {
            case RECONNECTED -> {
                connection = conn;
                timer.execute(() -> {
                    joinFailures = 0;
                    joined(conn, true, ++joinGeneration);
                });
            }
            case DISCONNECTED, CLOSED -> {
                if (connected) {
                    liveAtLoss = liveNodes();
                    log.warn("lost NATS; enforcing rate limits by their on_sync_loss policy ({} nodes last seen)",
                            liveAtLoss);
                }
                connected = false;
            }
            default -> {
            }
        }
    }

    /** Connected (again): subscribe once, ask the others for their state, and send ours. Runs on the timer. */
    private void joined(Connection conn, boolean again, int generation) {
        if (closed || generation != joinGeneration) {
            return; // closing, or a newer (re)connection has its own join
        }
        try {
            if (dispatcher == null) {
                Dispatcher d = conn.createDispatcher(this::onMessage);
                dispatcher = d; // before anything can fail: a retry must not add a second one
                d.subscribe(subject);
                d.subscribe(inbox);
            }
            if (echoDispatcher == null) {
                // The echo has a dispatcher of its own: behind a backlog of merges it would time out on a busy
                // node, or be dropped with them by a slow consumer.
                Dispatcher e = conn.createDispatcher(this::onEcho);
                echoDispatcher = e;
                e.subscribe(echo);
            }
            // A message to ourselves, through NATS: when it is back, our subscriptions are in place before anyone
            // answers the state request, and messages flow both ways. A PING (jnats's flush) would prove less, and
            // jnats pairs each PONG with the oldest PING it waits for, so after one lost PING every flush on that
            // connection times out although the connection works.
            awaitEcho(conn);
            if (conn.getStatus() != Connection.Status.CONNECTED) {
                return; // lost again meanwhile: the next RECONNECTED joins
            }
            if (closed) {
                return;
            }
            connected = true;
            joinFailures = 0;
            log.info("{} NATS {} as {}", again ? "reconnected to" : "connected to",
                    dev.aegis.config.UrlCredentials.redact(cluster.config().natsUrl()), self);
            publish(conn, Delta.empty(Delta.Kind.STATE_REQUEST, self, System.currentTimeMillis()), inbox);
            publishFull(conn, null);
            // Ready once peers had a moment to answer; their states merge as they arrive.
            timer.schedule(() -> ready = true, Math.max(300, 3 * intervalMillis), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            if (closed) {
                return; // the node is stopping: its timer interrupted the wait
            }
            joinFailures++;
            log.warn("NATS join failed ({}; connection {}, its last error: {}); retrying at the next interval",
                    e.toString(), conn.getStatus(), lastConnectionError);
            if (joinFailures % JOIN_FAILURES_BEFORE_RECONNECT == 0 && conn.getStatus() == Connection.Status.CONNECTED) {
                forceReconnect(conn);
            }
            timer.schedule(() -> joined(conn, again, generation), intervalMillis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A connection jnats calls connected that does not carry this node's messages back to it would leave the node out
     * of sync for as long as it lasts, and jnats's keep-alive does not notice while the peers' messages arrive. It is
     * dropped and made again, on a thread of its own because jnats reconnects in the caller's thread.
     */
    private void forceReconnect(Connection conn) {
        log.warn("NATS connection at {} did not echo this node's message in {} joins; reconnecting",
                dev.aegis.config.UrlCredentials.redact(cluster.config().natsUrl()), joinFailures);
        Thread.ofPlatform().daemon().name("aegis-sync-reconnect").start(() -> {
            try {
                if (closed || conn.getStatus() != Connection.Status.CONNECTED) {
                    return; // stopping, or jnats is reconnecting already
                }
                conn.forceReconnect();
            } catch (java.io.IOException | RuntimeException e) {
                log.warn("NATS reconnect failed ({}); jnats keeps trying", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Sends a message to this node's echo subject and waits up to 2 s for it to come back. */
    private void awaitEcho(Connection conn) throws Exception {
        CompletableFuture<Void> back = new CompletableFuture<>();
        long token = ++echoTokens;
        pendingEchoToken = token;
        pendingEcho = back;
        try {
            conn.publish(echo, java.nio.ByteBuffer.allocate(Long.BYTES).putLong(token).array());
            back.get(2, TimeUnit.SECONDS);
        } finally {
            pendingEcho = null;
        }
    }

    private void onEcho(Message m) {
        byte[] data = m.getData();
        CompletableFuture<Void> back = pendingEcho;
        // an echo of an earlier, timed-out join does not count for this one
        if (back != null && data != null && data.length == Long.BYTES
                && java.nio.ByteBuffer.wrap(data).getLong() == pendingEchoToken) {
            back.complete(null);
        }
    }

    private void onMessage(Message m) {
        received.increment();
        try {
            receive(m);
        } catch (RuntimeException e) {
            log.warn("sync message on {} failed to merge: {}", m.getSubject(), e.toString());
        }
    }

    private void receive(Message m) {
        Delta d;
        try {
            d = DeltaCodec.decode(m.getData());
        } catch (IllegalArgumentException e) {
            log.warn("ignoring a sync message on {}: {}", m.getSubject(), e.getMessage());
            return;
        }
        if (d.origin().equals(self)) {
            return;
        }
        long now = System.currentTimeMillis();
        Peer p = peers.computeIfAbsent(d.origin(), Peer::new);
        p.lastSeen = now;
        switch (d.kind()) {
            case HEARTBEAT -> {
            }
            case STATE_REQUEST -> {
                String replyTo = m.getReplyTo();
                Connection c = connection;
                if (replyTo != null && c != null) {
                    timer.execute(() -> publishFull(c, replyTo));
                }
            }
            case DELTA, FULL_STATE -> {
                for (String purge : d.purges()) {
                    cluster.applyPurge(purge);
                }
                cluster.counters().merge(d.slots());
                boolean bans = false;
                for (LwwExpiringSet.Entry e : d.entries()) {
                    bans |= cluster.blocklist().merge(e);
                }
                p.lastSync = now;
                p.lag = Math.max(0, now - d.sentMillis());
                lastSyncMillis = now;
                if (bans) {
                    log.info("blocklist updated from {}", d.origin());
                }
            }
        }
    }

    /** Runs on the timer: this interval's delta, the heartbeat when due, pruning. Never throws. */
    private void tick() {
        long now = System.currentTimeMillis();
        List<Delta.Slot> slots = List.of();
        List<LwwExpiringSet.Entry> entries = List.of();
        try {
            slots = cluster.counters().drainDelta();
            entries = cluster.blocklist().set().drainDelta();
            if (now - lastHeartbeatMillis >= HEARTBEAT_MILLIS) {
                cluster.blocklist().set().prune(cluster.wallMillis(), Cluster.BAN_RETENTION_MILLIS);
                peers.values().removeIf(p -> now - p.lastSeen > FORGET_MILLIS);
            }
        } catch (RuntimeException e) {
            log.warn("sync housekeeping failed: {}", e.toString());
        }
        Connection c = connection;
        if (connected && (c == null || c.getStatus() != Connection.Status.CONNECTED)) {
            onConnectionEvent(c, ConnectionListener.Events.DISCONNECTED); // a missed event: not in sync after all
        }
        if (c == null || !connected) {
            return; // lost: the full state sent on reconnect carries these counts
        }
        try {
            if (now - lastHeartbeatMillis >= HEARTBEAT_MILLIS) {
                lastHeartbeatMillis = now;
                publish(c, Delta.empty(Delta.Kind.HEARTBEAT, self, now), null);
            }
            if (!slots.isEmpty() || !entries.isEmpty()) {
                publishChunked(c, Delta.Kind.DELTA, slots, entries, null);
            }
        } catch (RuntimeException e) {
            // Counts drained above are not lost for good: the full state sent on the next (re)join carries them.
            log.warn("sync publish failed: {}", e.toString());
        }
    }

    private void requestRepair() {
        long now = System.currentTimeMillis();
        if (now - lastRepairRequest < 5_000) {
            return;
        }
        lastRepairRequest = now;
        timer.execute(() -> {
            Connection c = connection;
            if (c != null && connected) {
                try {
                    publish(c, Delta.empty(Delta.Kind.STATE_REQUEST, self, System.currentTimeMillis()), inbox);
                } catch (RuntimeException e) {
                    log.warn("could not ask peers for their state: {}", e.toString());
                }
            }
        });
    }

    /** Sends a cache purge to every peer now (a purge that waits for the interval would serve stale objects). */
    void publishPurge(String purge) {
        timer.execute(() -> {
            Connection c = connection;
            if (c == null || !connected) {
                log.warn("cache purge {} applied here only: NATS is not connected", purge);
                return;
            }
            try {
                publish(c, new Delta(Delta.Kind.DELTA, self, System.currentTimeMillis(), List.of(), List.of(),
                        List.of(purge)), null);
            } catch (RuntimeException e) {
                log.warn("cache purge {} applied here only: {}", purge, e.toString());
            }
        });
    }

    void publishSoon() {
        if (publishQueued.compareAndSet(false, true)) {
            timer.execute(() -> {
                publishQueued.set(false);
                tick();
            });
        }
    }

    private void publishFull(Connection c, String replyTo) {
        try {
            publishChunked(c, Delta.Kind.FULL_STATE, cluster.counters().fullState(), cluster.blocklist().set().all(),
                    replyTo);
        } catch (RuntimeException e) {
            log.warn("could not send full state: {}", e.toString());
        }
    }

    /** Publishes slots and entries in messages of about {@link #MAX_MESSAGE_BYTES} at most. */
    private void publishChunked(Connection c, Delta.Kind kind, List<Delta.Slot> slots,
                                List<LwwExpiringSet.Entry> entries, String to) {
        List<Delta.Slot> partSlots = new ArrayList<>();
        List<LwwExpiringSet.Entry> partEntries = new ArrayList<>();
        int bytes = 0;
        for (Delta.Slot s : slots) {
            int size = s.counter().length() * 3 + s.node().length() * 3 + 12; // UTF-8 at worst, before the table
            if (bytes + size > MAX_MESSAGE_BYTES && bytes > 0) {
                publish(c, new Delta(kind, self, System.currentTimeMillis(), partSlots, partEntries), to);
                partSlots = new ArrayList<>();
                partEntries = new ArrayList<>();
                bytes = 0;
            }
            partSlots.add(s);
            bytes += size;
        }
        for (LwwExpiringSet.Entry e : entries) {
            int size = e.element().length() * 3 + 100;
            if (bytes + size > MAX_MESSAGE_BYTES && bytes > 0) {
                publish(c, new Delta(kind, self, System.currentTimeMillis(), partSlots, partEntries), to);
                partSlots = new ArrayList<>();
                partEntries = new ArrayList<>();
                bytes = 0;
            }
            partEntries.add(e);
            bytes += size;
        }
        if (bytes > 0 || kind == Delta.Kind.FULL_STATE) {
            publish(c, new Delta(kind, self, System.currentTimeMillis(), partSlots, partEntries), to);
        }
    }

    private void publish(Connection c, Delta d, String replyTo) {
        byte[] bytes = DeltaCodec.encode(d);
        sent.increment();
        if (d.kind() == Delta.Kind.FULL_STATE && replyTo != null) {
            c.publish(replyTo, bytes);
        } else {
            c.publish(subject, replyTo, bytes);
        }
    }

    long messagesSent() {
        return sent.sum();
    }

    long messagesReceived() {
        return received.sum();
    }

    boolean inSync() {
        return connected;
    }

    boolean connected() {
        return connected && connection != null && connection.getStatus() == Connection.Status.CONNECTED;
    }

    boolean ready() {
        return ready;
    }

    int liveNodes() {
        if (!connected) {
            return liveAtLoss;
        }
        long now = System.currentTimeMillis();
        int n = 1;
        for (Peer p : peers.values()) {
            if (now - p.lastSeen < ALIVE_MILLIS) {
                n++;
            }
        }
        return n;
    }

    long lastSyncMillis() {
        return lastSyncMillis;
    }

    List<PeerStatus> peers() {
        long now = System.currentTimeMillis();
        List<PeerStatus> out = new ArrayList<>();
        for (Peer p : peers.values()) {
            out.add(new PeerStatus(p.id, p.lastSeen, p.lastSync, p.lag, connected && now - p.lastSeen < ALIVE_MILLIS));
        }
        out.sort(java.util.Comparator.comparing(PeerStatus::id));
        return out;
    }

    @Override
    public void close() {
        closed = true;
        connected = false;
        timer.shutdownNow();
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
