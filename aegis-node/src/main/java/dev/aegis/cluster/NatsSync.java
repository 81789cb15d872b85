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
 * its own subject {@code aegis.<cluster>.node.<id>}) plus its own full state. Merges are idempotent, so a delta
 * that arrives twice, late, or after the same counts came in a full state never counts twice.
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
    /** Slots per message: a full state of a million counters goes out in pieces well under NATS's 1 MiB. */
    private static final int MAX_SLOTS_PER_MESSAGE = 8192;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

    private final Cluster cluster;
    private final String self;
    private final String subject;
    private final String inbox;
    private final long intervalMillis;
    private final ScheduledExecutorService timer;
    private final ConcurrentHashMap<String, Peer> peers = new ConcurrentHashMap<>();
    private final AtomicBoolean publishQueued = new AtomicBoolean();
    private volatile Connection connection;
    private volatile Dispatcher dispatcher;
    private volatile boolean connected;
    private volatile boolean ready;
    private volatile boolean closed;
    /** The live count when sync was lost: local_share divides by the nodes last seen, not by those still heard. */
    private volatile int liveAtLoss = 1;
    private volatile long lastSyncMillis;
    private volatile long lastHeartbeatMillis;

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
        Options options = new Options.Builder()
                .server(cluster.config().natsUrl())
                .connectionName("aegis-" + self)
                .maxReconnects(-1)
                .connectionTimeout(Duration.ofSeconds(2))
                .pingInterval(Duration.ofSeconds(2))
                .maxPingsOut(2)
                // 100 ms, 200 ms, 400 ms ... up to 2 s between attempts: quick back after a blip, gentle on a dead bus
                .reconnectDelayHandler(round -> {
                    long ms = 100L << Math.min(5, Math.max(0, round - 1));
                    return Duration.ofMillis(Math.min(ms, MAX_BACKOFF.toMillis()));
                })
                .connectionListener(this::onConnectionEvent)
                .errorListener(new ErrorListener() {
                    @Override
                    public void errorOccurred(Connection conn, String error) {
                        log.warn("NATS: {}", error);
                    }

                    @Override
                    public void exceptionOccurred(Connection conn, Exception exp) {
                        log.debug("NATS connection: {}", exp.toString());
                    }
                })
                .build();
        try {
            Nats.connectAsynchronously(options, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timer.scheduleWithFixedDelay(this::tick, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        // Unreachable at start: serve alone rather than stay unready (the first connect will still merge).
        timer.schedule(() -> {
            if (!connected) {
                log.warn("NATS at {} is unreachable; serving on this node's own counts until it is",
                        cluster.config().natsUrl());
                ready = true;
            }
        }, 3, TimeUnit.SECONDS);
    }

    private void onConnectionEvent(Connection conn, ConnectionListener.Events event) {
        switch (event) {
            case CONNECTED, RECONNECTED -> {
                connection = conn;
                timer.execute(() -> joined(conn, event == ConnectionListener.Events.RECONNECTED));
            }
            case DISCONNECTED, CLOSED -> {
                if (connected) {
                    liveAtLoss = liveNodes();
                    connected = false;
                    log.warn("lost NATS; enforcing rate limits by their on_sync_loss policy ({} nodes last seen)",
                            liveAtLoss);
                }
            }
            default -> {
            }
        }
    }

    /** Connected (again): subscribe once, ask the others for their state, and send ours. */
    private void joined(Connection conn, boolean again) {
        if (closed) {
            return;
        }
        try {
            if (dispatcher == null) {
                Dispatcher d = conn.createDispatcher(this::onMessage);
                d.subscribe(subject);
                d.subscribe(inbox);
                dispatcher = d;
                conn.flush(Duration.ofSeconds(2)); // the subscriptions are in place before anyone answers
            }
            connected = true;
            log.info("{} NATS {} as {}", again ? "reconnected to" : "connected to", cluster.config().natsUrl(), self);
            publish(conn, Delta.empty(Delta.Kind.STATE_REQUEST, self, System.currentTimeMillis()), inbox);
            publishFull(conn, null);
            // Ready once peers had a moment to answer; their states merge as they arrive.
            timer.schedule(() -> ready = true, Math.max(300, 3 * intervalMillis), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.warn("NATS join failed ({}); retrying at the next interval", e.toString());
            timer.schedule(() -> joined(conn, again), intervalMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void onMessage(Message m) {
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
                cluster.counters().merge(d.slots());
                boolean bans = false;
                for (LwwExpiringSet.Entry e : d.entries()) {
                    bans |= cluster.blocklist().set().merge(e);
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

    /** Runs on the timer: this interval's delta, the heartbeat when due, pruning. */
    private void tick() {
        try {
            long now = System.currentTimeMillis();
            List<Delta.Slot> slots = cluster.counters().drainDelta();
            List<LwwExpiringSet.Entry> entries = cluster.blocklist().set().drainDelta();
            Connection c = connection;
            if (c == null || !connected) {
                return; // lost: the full state sent on reconnect carries these counts
            }
            if (!slots.isEmpty() || !entries.isEmpty()) {
                publishChunked(c, Delta.Kind.DELTA, slots, entries, null);
            }
            if (now - lastHeartbeatMillis >= HEARTBEAT_MILLIS) {
                lastHeartbeatMillis = now;
                publish(c, Delta.empty(Delta.Kind.HEARTBEAT, self, now), null);
                cluster.blocklist().set().prune(cluster.wallMillis(), Duration.ofMinutes(10).toMillis());
            }
        } catch (RuntimeException e) {
            log.warn("sync tick failed: {}", e.toString());
        }
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

    private void publishChunked(Connection c, Delta.Kind kind, List<Delta.Slot> slots,
                                List<LwwExpiringSet.Entry> entries, String to) {
        int from = 0;
        do {
            int end = Math.min(slots.size(), from + MAX_SLOTS_PER_MESSAGE);
            List<LwwExpiringSet.Entry> withThis = from == 0 ? entries : List.of();
            publish(c, new Delta(kind, self, System.currentTimeMillis(), new ArrayList<>(slots.subList(from, end)),
                    withThis), to);
            from = end;
        } while (from < slots.size());
    }

    private void publish(Connection c, Delta d, String replyTo) {
        byte[] bytes = DeltaCodec.encode(d);
        if (d.kind() == Delta.Kind.FULL_STATE && replyTo != null) {
            c.publish(replyTo, bytes);
        } else {
            c.publish(subject, replyTo, bytes);
        }
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
