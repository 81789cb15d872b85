package dev.aegis.cluster;

import dev.aegis.blocklist.Blocklist;
import dev.aegis.config.ClusterConfig;
import dev.aegis.crdt.HybridClock;
import dev.aegis.crdt.LwwExpiringSet;
import dev.aegis.crdt.NodeIndex;
import dev.aegis.ratelimit.CounterStore;
import dev.aegis.ratelimit.SyncStatus;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * This node's share of the cluster: the rate-limit counters and the blocklist (which outlive config reloads),
 * and their sync with peers when {@code cluster.nats} is set. Started with the node, closed with it.
 */
public final class Cluster implements SyncStatus, AutoCloseable {
    private final String nodeId;
    private final ClusterConfig config;
    private final LongSupplier wallMillis;
    private final CounterStore counters;
    private final Blocklist blocklist;
    private final NatsSync sync;
    /** A node alone still prunes its blocklist and drops the deltas nobody will read, so neither grows. */
    private final java.util.concurrent.ScheduledExecutorService housekeeping;

    private Cluster(String nodeId, ClusterConfig config, LongSupplier wallMillis) {
        this.nodeId = nodeId;
        this.config = config;
        this.wallMillis = wallMillis;
        HybridClock clock = new HybridClock(wallMillis);
        this.counters = new CounterStore(nodeId, new NodeIndex(), config.maxCounters(), config.syncInterval(),
                wallMillis, System::nanoTime);
        this.blocklist = new Blocklist(new LwwExpiringSet(nodeId, clock), clock);
        this.sync = config.natsUrl() == null ? null : new NatsSync(this);
        this.housekeeping = sync != null ? null : java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "aegis-cluster");
            t.setDaemon(true);
            return t;
        });
    }

    private void housekeep() {
        try {
            counters.drainDelta();
            blocklist.set().drainDelta();
            blocklist.set().prune(wallMillis.getAsLong(), BAN_RETENTION_MILLIS);
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(Cluster.class).warn("cluster housekeeping failed: {}", e.toString());
        }
    }

    /** How long a lifted or expired ban is remembered, so a late message cannot bring it back as new. */
    static final long BAN_RETENTION_MILLIS = 10 * 60_000L;

    /** Starts this node's cluster: alone without {@code cluster.nats}, else connecting in the background. */
    public static Cluster start(String nodeId, ClusterConfig config, LongSupplier wallMillis) {
        Cluster c = new Cluster(nodeId, config, wallMillis);
        if (c.sync != null) {
            c.sync.start();
        } else {
            long every = Math.max(10, config.syncInterval().toMillis());
            c.housekeeping.scheduleWithFixedDelay(c::housekeep, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        return c;
    }

    public String nodeId() {
        return nodeId;
    }

    public ClusterConfig config() {
        return config;
    }

    public CounterStore counters() {
        return counters;
    }

    public Blocklist blocklist() {
        return blocklist;
    }

    long wallMillis() {
        return wallMillis.getAsLong();
    }

    /** The wall clock this node's windows and bans follow. */
    public LongSupplier wallClock() {
        return wallMillis;
    }

    private volatile java.util.function.Function<java.util.function.Predicate<String>, Integer> purger = p -> 0;

    /** Where cache purges from peers (and this node's own) are applied: the node's memory tier. */
    public void onPurge(java.util.function.Function<java.util.function.Predicate<String>, Integer> purger) {
        this.purger = purger;
    }

    /** Applies a purge ({@code =URL} or {@code ^PREFIX}) here; how many objects went. */
    public int applyPurge(String purge) {
        if (purge.length() < 2) {
            return 0;
        }
        String text = purge.substring(1);
        return purge.charAt(0) == '^' ? purger.apply(url -> url.startsWith(text))
                : purge.charAt(0) == '=' ? purger.apply(url -> url.equals(text)) : 0;
    }

    /** Applies a purge here and sends it to every peer at once. */
    public int purge(String purge) {
        int n = applyPurge(purge);
        if (sync != null) {
            sync.publishPurge(purge);
        }
        return n;
    }

    /** Sends what changed at once rather than at the next interval (a new ban must travel fast). */
    public void publishSoon() {
        if (sync != null) {
            sync.publishSoon();
        }
    }

    @Override
    public boolean inSync() {
        return sync == null || sync.inSync();
    }

    @Override
    public int liveNodes() {
        return sync == null ? 1 : sync.liveNodes();
    }

    /** Whether the node may count itself ready: alone, or it has merged its peers' state once connected. */
    public boolean ready() {
        return sync == null || sync.ready();
    }

    /** Whether NATS is configured at all. */
    public boolean clustered() {
        return sync != null;
    }

    /** Whether the NATS connection is up now. */
    public boolean connected() {
        return sync != null && sync.connected();
    }

    /** The peers heard of, alive or not. */
    public List<PeerStatus> peers() {
        return sync == null ? List.of() : sync.peers();
    }

    /** Sync messages this node sent and received, heartbeats included. */
    public long messagesSent() {
        return sync == null ? 0 : sync.messagesSent();
    }

    public long messagesReceived() {
        return sync == null ? 0 : sync.messagesReceived();
    }

    /** When this node last merged a peer's state (wall millis), or 0. */
    public long lastSyncMillis() {
        return sync == null ? 0 : sync.lastSyncMillis();
    }

    @Override
    public void close() {
        if (sync != null) {
            sync.close();
        } else {
            housekeeping.shutdownNow();
        }
    }
}
