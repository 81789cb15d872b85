package dev.aegis.server;

import dev.aegis.config.AegisConfig;
import dev.aegis.config.ConfigLoader;
import dev.aegis.config.ConfigResult;
import dev.aegis.upstream.HealthChecker;
import dev.aegis.config.LimitsConfig;
import dev.aegis.proxy.ConfigSnapshot;
import dev.aegis.proxy.NodeRuntime;
import dev.aegis.proxy.ProxyHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running node's HTTP listener: binds {@code node.listen}, builds each connection's pipeline (strict decoder,
 * response encoder, proxy handler), enforces the connection limit, swaps config snapshots, and stops gracefully.
 */
public final class AegisServer implements NodeRuntime, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AegisServer.class);

    private final AtomicReference<ConfigSnapshot> snapshot;
    private final Transport transport;
    private final AccessLog accessLog;
    private final AccessLog auditLog;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final ChannelGroup connections = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final EventLoopGroup healthGroup;
    private final Channel listener;
    private volatile boolean draining;
    /** Guards reloads (admin API, SIGHUP, file watch may race); never taken on the request path. */
    private final Object reloadLock = new Object();
    private HealthChecker healthChecker;
    private final dev.aegis.cluster.Cluster cluster;
    private final dev.aegis.cachetier.ResponseCache cache;
    private final dev.aegis.metrics.NodeMetrics metrics;

    private AegisServer(AegisConfig config, AccessLog accessLog, AccessLog auditLog, java.util.function.LongSupplier
            wallMillis) throws InterruptedException {
        this.auditLog = auditLog;
        this.cluster = dev.aegis.cluster.Cluster.start(config.node().id(), config.cluster(), wallMillis);
        this.cache = new dev.aegis.cachetier.ResponseCache(config.cache());
        long heap = Runtime.getRuntime().maxMemory();
        if (config.cache().memoryBytes() > heap / 4 * 3) {
            // the heap also holds requests in flight, WAF work and the rate-limit counters: past three quarters
            // for the cache alone, a full cache would leave too little
            log.warn("cache.memory is {} MiB but the JVM heap is {} MiB: the memory tier lives on the heap and "
                    + "needs room beside it (raise -Xmx, for example AEGIS_JAVA_OPTS=-Xmx{}m)",
                    config.cache().memoryBytes() >> 20, heap >> 20, (config.cache().memoryBytes() >> 20) * 2 + 64);
        }
        cluster.onPurge(cache::purgeMemory);
        this.metrics = new dev.aegis.metrics.NodeMetrics(new MetricSources());
        this.snapshot = new AtomicReference<>(ConfigSnapshot.compile(config, null, cluster, cache));
        this.transport = Transport.best();
        this.accessLog = accessLog;
        this.bossGroup = transport.newGroup(1, "aegis-accept");
        this.workerGroup = transport.newGroup(config.node().workers(), "aegis-loop");
        // Active health checks run on a loop of their own, so a slow origin never delays a request.
        this.healthGroup = transport.newGroup(1, "aegis-health");
        this.healthChecker = HealthChecker.start(snapshot.get().upstreams(), healthGroup, transport);
        ServerBootstrap b = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // A client may shut its sending side once the request is out (RFC 9112 §9.6 allows it); the
                // response must still reach it, so input shutdown does not close the connection by itself.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 128 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        initConnection(ch);
                    }
                });
        InetSocketAddress address = new InetSocketAddress(config.node().listen().host(), config.node().listen().port());
        try {
            this.listener = b.bind(address).sync().channel();
        } catch (Exception e) {
            healthChecker.close();
            cluster.close();
            cache.close();
            bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            healthGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("cannot listen on " + config.node().listen() + ": " + e.getMessage(), e);
        }
        log.info("listening on {} ({} transport, {} event loops)", listener.localAddress(), transport,
                config.node().workers() > 0 ? config.node().workers() : Runtime.getRuntime().availableProcessors());
    }

    /** Binds and starts a node serving {@code config}; throws {@link IllegalStateException} if it cannot bind. */
    public static AegisServer start(AegisConfig config, AccessLog accessLog) {
        return start(config, accessLog, AccessLog.OFF);
    }

    /** Like {@link #start(AegisConfig, AccessLog)}, with a WAF audit log. */
    public static AegisServer start(AegisConfig config, AccessLog accessLog, AccessLog auditLog) {
        return start(config, accessLog, auditLog, System::currentTimeMillis);
    }

    /**
     * Like {@link #start(AegisConfig, AccessLog, AccessLog)}, with the wall clock rate-limit windows and bans
     * follow (tests hold it still or move it).
     */
    public static AegisServer start(AegisConfig config, AccessLog accessLog, AccessLog auditLog,
                                    java.util.function.LongSupplier wallMillis) {
        try {
            return new AegisServer(config, accessLog, auditLog, wallMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding", e);
        }
    }

    private void initConnection(SocketChannel ch) {
        ConfigSnapshot current = snapshot.get();
        LimitsConfig limits = current.config().limits();
        if (open.incrementAndGet() > limits.maxConnections() || draining) {
            open.decrementAndGet();
            if (refused.getAndIncrement() % 1000 == 0) {
                log.warn("refusing connections: {} open is the limit (limits.max_connections){}",
                        limits.maxConnections(), draining ? ", or draining" : "");
            }
            ch.close();
            return;
        }
        ch.closeFuture().addListener(f -> open.decrementAndGet());
        connections.add(ch);
        Http1RequestDecoder decoder = new Http1RequestDecoder((int) limits.maxUriBytes(),
                (int) limits.maxHeaderBytes(), limits.maxBodyBytes());
        ProxyHandler handler = new ProxyHandler(this, decoder, current.config().node().id());
        ch.pipeline().addLast("decoder", decoder);
        ch.pipeline().addLast("encoder", handler.encoder());
        ch.pipeline().addLast("proxy", handler);
    }

    /** What the metrics read when scraped: this node's connections, upstream servers, cache and cluster. */
    private final class MetricSources implements dev.aegis.metrics.NodeMetrics.Sources {
        @Override
        public long clientConnections() {
            return open.get();
        }

        @Override
        public void upstreamServers(java.util.function.Consumer<dev.aegis.metrics.NodeMetrics.UpstreamSample> visitor) {
            long now = System.nanoTime();
            for (dev.aegis.upstream.UpstreamGroup g : snapshot.get().upstreams()) {
                // A group may list one address twice (as nginx allows): one series per address, its entries
                // added up, since two samples with the same labels would make the whole scrape invalid.
                java.util.Map<String, long[]> byKey = new java.util.LinkedHashMap<>();
                for (dev.aegis.upstream.ServerState s : g.servers()) {
                    long[] a = byKey.computeIfAbsent(s.server.key(), k -> new long[] {0, 0, 0, 0, 0});
                    a[0] |= s.activeHealthy() ? 1 : 0;
                    a[1] |= s.activeHealthy() && !s.ejected(now) ? 1 : 0;
                    a[2] += s.inFlight();
                    a[3] += s.requestsTotal();
                    a[4] += s.failuresTotal();
                }
                byKey.forEach((key, a) -> visitor.accept(new dev.aegis.metrics.NodeMetrics.UpstreamSample(g.name(), key,
                        a[0] == 1, a[1] == 0, (int) a[2], a[3], a[4])));
            }
        }

        @Override
        public long cacheBytes() {
            return cache.memoryBytes();
        }

        @Override
        public long cacheObjects() {
            return cache.memoryObjects();
        }

        @Override
        public long cacheEvictions() {
            return cache.memoryEvictions();
        }

        @Override
        public void clusterPeers(dev.aegis.metrics.NodeMetrics.PeerVisitor visitor) {
            long now = System.currentTimeMillis();
            for (dev.aegis.cluster.PeerStatus p : cluster.peers()) {
                visitor.peer(p.id(), p.alive(), p.lastSyncMillis() > 0, p.lagMillis(),
                        p.lastSyncMillis() == 0 ? 0 : Math.max(0, now - p.lastSyncMillis()));
            }
        }

        @Override
        public long clusterMessagesSent() {
            return cluster.messagesSent();
        }

        @Override
        public long clusterMessagesReceived() {
            return cluster.messagesReceived();
        }
    }

    /** The port the node listens on. */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Client connections open now. */
    public int openConnections() {
        return open.get();
    }

    /**
     * Publishes a new config: requests that start from now on use it, those in flight finish on theirs, open
     * client connections stay open, and pooled upstream connections to servers that remain are reused.
     */
    public void apply(AegisConfig config) {
        synchronized (reloadLock) {
            ConfigSnapshot previous = snapshot.get();
            ConfigSnapshot next = ConfigSnapshot.compile(config, previous, cluster, cache);
            warnAboutRestartOnlySettings(previous.config(), config);
            HealthChecker oldChecker = healthChecker;
            healthChecker = HealthChecker.start(next.upstreams(), healthGroup, transport);
            snapshot.set(next);
            oldChecker.close();
        }
    }

    /**
     * Re-reads {@code file}; a valid config replaces the current one, an invalid one is refused with its errors
     * and the node keeps serving what it has (the last known good config).
     */
    public ReloadOutcome reload(java.nio.file.Path file) {
        ConfigResult result = ConfigLoader.load(file);
        if (result instanceof ConfigResult.Invalid invalid) {
            java.util.List<String> errors = invalid.errors().stream().map(Object::toString).toList();
            log.warn("reload of {} refused, still serving the previous config: {}", file, String.join("; ", errors));
            return new ReloadOutcome(false, errors);
        }
        try {
            apply(((ConfigResult.Valid) result).config());
        } catch (RuntimeException e) {
            // A valid file that cannot be compiled here (a server name that does not resolve, say).
            log.warn("reload of {} refused, still serving the previous config: {}", file, e.getMessage());
            return new ReloadOutcome(false, java.util.List.of(file + ": " + e.getMessage()));
        } catch (OutOfMemoryError e) {
            // The old and the new config (its WAF automata, route tables) live side by side while the new one is
            // compiled; what failed to fit was only the new one, which is garbage now.
            String why = "the new config did not fit in the heap beside the running one while it was compiled; "
                    + "raise the heap (AEGIS_JAVA_OPTS=-Xmx...)";
            log.error("reload of {} refused, still serving the previous config: {}", file, why);
            return new ReloadOutcome(false, java.util.List.of(file + ": " + why));
        }
        log.info("reloaded {}", file);
        return new ReloadOutcome(true, java.util.List.of());
    }

    /** What a reload did: applied, or refused with the reasons. */
    public record ReloadOutcome(boolean applied, java.util.List<String> errors) {
    }

    private static void warnAboutRestartOnlySettings(AegisConfig before, AegisConfig after) {
        if (!before.node().listen().equals(after.node().listen())
                || before.node().workers() != after.node().workers()
                || !before.node().drainTimeout().equals(after.node().drainTimeout())
                || !before.admin().equals(after.admin())
                || !before.cluster().equals(after.cluster())
                || !before.cache().equals(after.cache())
                || !before.node().id().equals(after.node().id())) {
            log.warn("node.id, node.listen, node.workers, node.drain_timeout, admin, cluster and cache take effect at "
                    + "the next restart; the rest is reloaded");
        }
    }

    /** Ready for traffic: bound, not stopping, caught up with its peers (in a cluster), past its first Redis try. */
    public boolean ready() {
        return listener.isActive() && !draining && cluster.ready() && cache.ready();
    }

    /** The node's HTTP cache. */
    public dev.aegis.cachetier.ResponseCache cache() {
        return cache;
    }

    /** The node's cluster state and sync. */
    public dev.aegis.cluster.Cluster cluster() {
        return cluster;
    }

    @Override
    public ConfigSnapshot snapshot() {
        return snapshot.get();
    }

    @Override
    public AccessLog accessLog() {
        return accessLog;
    }

    @Override
    public dev.aegis.metrics.NodeMetrics metrics() {
        return metrics;
    }

    @Override
    public AccessLog auditLog() {
        return auditLog;
    }

    @Override
    public boolean draining() {
        return draining;
    }

    @Override
    public Transport transport() {
        return transport;
    }

    /**
     * Graceful stop: stop accepting, close idle connections, let in-flight requests finish (their responses
     * close the connection) until {@code deadline}, then close what is left. Returns true if all finished.
     */
    public boolean shutdownGracefully(Duration deadline) {
        draining = true;
        listener.close().syncUninterruptibly();
        for (Channel ch : connections) {
            ch.eventLoop().execute(() -> {
                ProxyHandler h = ch.pipeline().get(ProxyHandler.class);
                if (h != null) {
                    h.drain();
                }
            });
        }
        long end = System.nanoTime() + deadline.toNanos();
        boolean clean = true;
        while (!connections.isEmpty()) {
            if (System.nanoTime() > end) {
                clean = false;
                log.warn("drain deadline reached with {} connections open; closing them", connections.size());
                connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
                break;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        closeGroups();
        return clean;
    }

    private void closeGroups() {
        healthChecker.close();
        cluster.close();
        cache.close();
        healthGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        accessLog.close();
        auditLog.close();
    }

    /** Stops at once: closes the listener and every connection. */
    @Override
    public void close() {
        draining = true;
        listener.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        closeGroups();
    }
}
