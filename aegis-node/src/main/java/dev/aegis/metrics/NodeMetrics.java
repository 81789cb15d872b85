package dev.aegis.metrics;

import dev.aegis.pipeline.ProxyError;
import dev.aegis.pipeline.RequestRecord;
import dev.aegis.waf.WafMatch;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The node's Prometheus metrics: what {@code GET /metrics} on the admin port exposes. Request metrics are recorded
 * once per request from its {@link RequestRecord} ({@link #record}), on the event loop, without allocating: every
 * series a request touches is looked up in maps and arrays that were filled the first time that series was seen.
 * Gauges and totals that the node already keeps (upstream health, open connections, cache size, cluster peers)
 * are read when scraped, through {@link Sources}, so the request path pays nothing for them.
 */
public final class NodeMetrics {
    /** Request and upstream durations: proxying is sub-millisecond, so the buckets start at 100 µs. */
    static final double[] DURATION_BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
        0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    static final String[] METHOD_CLASSES = {"read", "write", "other"};
    static final String[] STATUS_CLASSES = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};
    static final String[] CACHE_RESULTS = {"hit", "miss", "stale", "bypass", "revalidated", "other"};
    /** The route label of requests that matched no route. */
    public static final String NO_ROUTE = "(none)";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter requests;
    private final DurationHistogram duration;
    private final DurationHistogram upstreamConnect;
    private final DurationHistogram upstreamHeader;
    private final Counter waf;
    private final Counter rateLimit;
    private final Counter cacheLookups;
    private final Counter adminUnauthorized;
    private final Counter wafBlocked;
    private final ConcurrentHashMap<String, CounterDataPoint> wafBlockedByFamily = new ConcurrentHashMap<>();
    private final CounterDataPoint unauthorized;
    private final CounterDataPoint[] cacheByResult = new CounterDataPoint[CACHE_RESULTS.length];
    private final ConcurrentHashMap<String, RouteSeries> routes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, UpstreamSeries>> upstreams =
            new ConcurrentHashMap<>();
    private final WafSeries wafSeries = new WafSeries();
    private final LongAdder upstreamConnections = new LongAdder();
    private final RecentWafDecisions recentWaf = new RecentWafDecisions(100);
    private final io.netty.channel.ChannelFutureListener upstreamClosed = f -> upstreamConnections.decrement();

    /** Where the scrape-time values come from: the running node. */
    public interface Sources {
        /** Open client connections. */
        long clientConnections();

        /** Each upstream server of the current config, once per address. */
        void upstreamServers(java.util.function.Consumer<UpstreamSample> visitor);

        /** Bytes and objects in the cache's memory tier, and its evictions so far. */
        long cacheBytes();

        long cacheObjects();

        long cacheEvictions();

        /** The peers this node has heard from (forgotten after 10 minutes of silence). */
        void clusterPeers(PeerVisitor visitor);

        long clusterMessagesSent();

        long clusterMessagesReceived();
    }

    /** One upstream server's state at scrape time. */
    public record UpstreamSample(String upstream, String server, boolean healthy, boolean ejected, int inFlight,
            long requests, long failures) {
    }

    private void upstreamGauge(Sources sources, String name, String help,
            java.util.function.ToDoubleFunction<UpstreamSample> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("upstream", "server")
                .callback(cb -> sources.upstreamServers(u -> cb.call(value.applyAsDouble(u), u.upstream(), u.server())))
                .register(registry);
    }

    private void upstreamCounter(Sources sources, String name, String help,
            java.util.function.ToDoubleFunction<UpstreamSample> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames("upstream", "server")
                .callback(cb -> sources.upstreamServers(u -> cb.call(value.applyAsDouble(u), u.upstream(), u.server())))
                .register(registry);
    }

    /** One cluster peer at scrape time; lag and time since the last sync mean something only once it synced. */
    @FunctionalInterface
    public interface PeerVisitor {
        void peer(String id, boolean alive, boolean synced, long lagMillis, long sinceLastSyncMillis);
    }

    public NodeMetrics(Sources sources) {
        requests = Counter.builder().name("aegis_requests_total")
                .help("Requests answered, by route, method class (read: GET/HEAD, write: POST/PUT/PATCH/DELETE, "
                        + "other) and status class (none: the client left before a status was sent)")
                .labelNames("route", "method", "status").withoutExemplars().register(registry);
        duration = new DurationHistogram("aegis_request_duration_seconds",
                "Time from a request's head to the end of its response, by route", DURATION_BUCKETS, "route");
        registry.register(duration);
        upstreamConnect = new DurationHistogram("aegis_upstream_connect_duration_seconds",
                "Time to open a new connection to an upstream server (pooled connections are not counted)",
                DURATION_BUCKETS, "upstream", "server");
        registry.register(upstreamConnect);
        upstreamHeader = new DurationHistogram("aegis_upstream_header_duration_seconds",
                "Time from sending a request to an upstream server to its response head", DURATION_BUCKETS,
                "upstream", "server");
        registry.register(upstreamHeader);
        waf = Counter.builder().name("aegis_waf_matches_total")
                .help("WAF rule matches, by what happened to the request (blocked, logged: detect mode or under "
                        + "the threshold), the rule's family and its id")
                .labelNames("action", "family", "rule").withoutExemplars().register(registry);
        wafBlocked = Counter.builder().name("aegis_waf_blocked_requests_total")
                .help("Requests the WAF blocked, by the family of their first match")
                .labelNames("family").withoutExemplars().register(registry);
        rateLimit = Counter.builder().name("aegis_ratelimit_decisions_total")
                .help("Rate-limit decisions, by route and decision (allowed, limited)")
                .labelNames("route", "decision").withoutExemplars().register(registry);
        cacheLookups = Counter.builder().name("aegis_cache_lookups_total")
                .help("Cache lookups on routes that cache, by result")
                .labelNames("result").withoutExemplars().register(registry);
        for (int i = 0; i < CACHE_RESULTS.length; i++) {
            cacheByResult[i] = cacheLookups.labelValues(CACHE_RESULTS[i]);
        }
        adminUnauthorized = Counter.builder().name("aegis_admin_unauthorized_total")
                .help("Admin requests refused for a missing or wrong token").withoutExemplars().register(registry);
        unauthorized = adminUnauthorized;

        GaugeWithCallback.builder().name("aegis_client_connections").help("Open client connections")
                .callback(cb -> cb.call(sources.clientConnections())).register(registry);
        GaugeWithCallback.builder().name("aegis_upstream_connections")
                .help("Open connections to upstream servers, in use or idle in the pools")
                .callback(cb -> cb.call(upstreamConnections.sum())).register(registry);
        upstreamGauge(sources, "aegis_upstream_healthy",
                "1 when the upstream server takes requests (active checks pass and not ejected), else 0",
                u -> u.healthy() && !u.ejected() ? 1 : 0);
        upstreamGauge(sources, "aegis_upstream_in_flight", "Requests in flight to the upstream server",
                UpstreamSample::inFlight);
        upstreamCounter(sources, "aegis_upstream_attempts_total",
                "Attempts sent to the upstream server (a retry is a second attempt)", UpstreamSample::requests);
        upstreamCounter(sources, "aegis_upstream_failures_total",
                "Failed attempts (connect error or timeout, broken connection, response timeout)",
                UpstreamSample::failures);
        GaugeWithCallback.builder().name("aegis_cache_stored_bytes")
                .help("Bytes held by the cache's memory tier").callback(cb -> cb.call(sources.cacheBytes()))
                .register(registry);
        GaugeWithCallback.builder().name("aegis_cache_objects")
                .help("Objects held by the cache's memory tier").callback(cb -> cb.call(sources.cacheObjects()))
                .register(registry);
        CounterWithCallback.builder().name("aegis_cache_evictions_total")
                .help("Objects evicted from the memory tier to stay within cache.memory")
                .callback(cb -> cb.call(sources.cacheEvictions())).register(registry);
        GaugeWithCallback.builder().name("aegis_cluster_peers")
                .help("Peers heard from within the last 3.5 s (0 when not clustered)")
                .callback(cb -> {
                    long[] alive = {0};
                    sources.clusterPeers((id, up, synced, lag, since) -> alive[0] += up ? 1 : 0);
                    cb.call(alive[0]);
                }).register(registry);
        GaugeWithCallback.builder().name("aegis_cluster_sync_lag_seconds")
                .help("How old a live peer's state was when it arrived (its clock at sending against ours at "
                        + "receipt)")
                .labelNames("peer")
                .callback(cb -> sources.clusterPeers((id, up, synced, lag, since) -> {
                    if (up && synced) {
                        cb.call(lag / 1000.0, id);
                    }
                }))
                .register(registry);
        GaugeWithCallback.builder().name("aegis_cluster_since_last_sync_seconds")
                .help("Time since a live peer's state was last merged").labelNames("peer")
                .callback(cb -> sources.clusterPeers((id, up, synced, lag, since) -> {
                    if (up && synced) {
                        cb.call(since / 1000.0, id);
                    }
                }))
                .register(registry);
        CounterWithCallback.builder().name("aegis_cluster_messages_total")
                .help("Cluster sync messages, by direction (sent, received)").labelNames("direction")
                .callback(cb -> {
                    cb.call(sources.clusterMessagesSent(), "sent");
                    cb.call(sources.clusterMessagesReceived(), "received");
                }).register(registry);
    }

    /**
     * The JVM's metrics, one set per process: the client keeps every registry it registered them with for good
     * (with this node's sources behind it), so a per-node registry would keep every node a JVM ever ran alive.
     */
    private static final class Jvm {
        static final PrometheusRegistry REGISTRY = new PrometheusRegistry();

        static {
            JvmMetrics.builder().register(REGISTRY);
        }
    }

    /** Writes every metric, the node's and the JVM's, in the Prometheus text format (version 0.0.4). */
    public void writeText(OutputStream out) throws IOException {
        MetricSnapshots.Builder all = MetricSnapshots.builder();
        for (MetricSnapshot s : registry.scrape()) {
            all.metricSnapshot(s);
        }
        for (MetricSnapshot s : Jvm.REGISTRY.scrape()) {
            all.metricSnapshot(s);
        }
        writer.write(out, all.build());
    }

    /** The text format's content type. */
    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    /** A route's counts so far: requests in all and by status class (as {@link #statusClasses()}). */
    public record RouteTotals(long requests, long[] byStatusClass, double durationSum, long rateLimited) {
    }

    /** The status class labels, in the order of {@link RouteTotals#byStatusClass()}. */
    public static java.util.List<String> statusClasses() {
        return java.util.List.of(STATUS_CLASSES);
    }

    /** Each route seen so far (by name) with its counts; for {@code /admin/routes}. */
    public java.util.Map<String, RouteTotals> routeTotals() {
        java.util.Map<String, RouteTotals> out = new java.util.TreeMap<>();
        routes.forEach((name, s) -> {
            long[] byStatus = new long[STATUS_CLASSES.length];
            long all = 0;
            for (int i = 0; i < s.requestCells.length; i++) {
                CounterDataPoint p = s.requestCells[i];
                if (p != null) {
                    long n = p.getLongValue();
                    byStatus[i % STATUS_CLASSES.length] += n;
                    all += n;
                }
            }
            out.put(name, new RouteTotals(all, byStatus, s.duration.sum(),
                    s.limited == null ? 0 : s.limited.getLongValue()));
        });
        return out;
    }

    /** The last WAF decisions with matches, newest first, for {@code /admin/waf/recent} and the dashboard. */
    public RecentWafDecisions recentWaf() {
        return recentWaf;
    }

    /** An admin request without the right token. */
    public void adminUnauthorized() {
        unauthorized.inc();
    }

    /** A connection to an upstream server was opened; {@link #upstreamClosed} counts it closed. */
    public void upstreamConnectionOpened() {
        upstreamConnections.increment();
    }

    /** A listener for an upstream connection's close future, made once so that connecting allocates none. */
    public io.netty.channel.ChannelFutureListener upstreamClosed() {
        return upstreamClosed;
    }

    /** Records a finished request. Event loop; allocates only the first time a series is seen. */
    public void record(RequestRecord r) {
        String routeName = r.route == null ? NO_ROUTE : r.route.name();
        RouteSeries route = routes.get(routeName);
        if (route == null) {
            route = routes.computeIfAbsent(routeName, RouteSeries::new);
        }
        int status = r.status;
        int statusClass = status < 100 || status > 599 ? 0 : status / 100;
        route.request(methodClass(r.method), statusClass).inc();
        route.duration.observe(r.totalNanos / 1e9);
        if (r.rateLimitKey != null) {
            route.rateLimit(r.rateLimited).inc();
        }
        if (r.cacheStatus != null) {
            cacheByResult[cacheResult(r.cacheStatus)].inc();
        }
        if (r.upstream != null && r.upstreamServer != null) {
            UpstreamSeries up = upstream(r.upstream, r.upstreamServer);
            if (r.upstreamConnectNanos > 0) {
                up.connect.observe(r.upstreamConnectNanos / 1e9);
            }
            if (r.upstreamHeaderNanos > 0) {
                up.header.observe(r.upstreamHeaderNanos / 1e9);
            }
        }
        if (!r.wafMatches.isEmpty()) {
            boolean blocked = r.error instanceof ProxyError.Blocked;
            for (int i = 0; i < r.wafMatches.size(); i++) {
                WafMatch m = r.wafMatches.get(i);
                wafSeries.get(m.ruleId(), m.family()).point(blocked).inc();
            }
            if (blocked) {
                String family = r.wafMatches.get(0).family();
                CounterDataPoint p = wafBlockedByFamily.get(family);
                if (p == null) {
                    p = wafBlockedByFamily.computeIfAbsent(family, f -> wafBlocked.labelValues(f));
                }
                p.inc();
            }
            recentWaf.add(r, blocked);
        }
    }

    private UpstreamSeries upstream(String group, String server) {
        ConcurrentHashMap<String, UpstreamSeries> servers = upstreams.get(group);
        if (servers == null) {
            servers = upstreams.computeIfAbsent(group, g -> new ConcurrentHashMap<>());
        }
        UpstreamSeries s = servers.get(server);
        if (s == null) {
            s = servers.computeIfAbsent(server, k -> new UpstreamSeries(group, k));
        }
        return s;
    }

    static int methodClass(String method) {
        if (method == null) {
            return 2;
        }
        return switch (method) {
            case "GET", "HEAD" -> 0;
            case "POST", "PUT", "PATCH", "DELETE" -> 1;
            default -> 2;
        };
    }

    static int cacheResult(String status) {
        return switch (status) {
            case "HIT" -> 0;
            case "MISS" -> 1;
            case "STALE" -> 2;
            case "BYPASS" -> 3;
            case "REVALIDATED" -> 4;
            default -> 5;
        };
    }

    /** A route's series; request counters are made on first use, one per method class and status class. */
    private final class RouteSeries {
        final String name;
        final CounterDataPoint[] requestCells = new CounterDataPoint[METHOD_CLASSES.length * STATUS_CLASSES.length];
        final DurationHistogram.Series duration;
        /** Made on the route's first rate-limited request, so routes without a limit have no such series. */
        CounterDataPoint allowed;
        CounterDataPoint limited;

        RouteSeries(String name) {
            this.name = name;
            this.duration = NodeMetrics.this.duration.series(name);
        }

        CounterDataPoint rateLimit(boolean wasLimited) {
            CounterDataPoint p = wasLimited ? limited : allowed;
            if (p == null) {
                allowed = rateLimit.labelValues(name, "allowed");
                limited = rateLimit.labelValues(name, "limited");
                p = wasLimited ? limited : allowed;
            }
            return p;
        }

        CounterDataPoint request(int methodClass, int statusClass) {
            int i = methodClass * STATUS_CLASSES.length + statusClass;
            CounterDataPoint p = requestCells[i];
            if (p == null) {
                // two event loops may both get here: labelValues returns the same series to both
                p = requests.labelValues(name, METHOD_CLASSES[methodClass], STATUS_CLASSES[statusClass]);
                requestCells[i] = p;
            }
            return p;
        }
    }

    private final class UpstreamSeries {
        final DurationHistogram.Series connect;
        final DurationHistogram.Series header;

        UpstreamSeries(String group, String server) {
            connect = upstreamConnect.series(group, server);
            header = upstreamHeader.series(group, server);
        }
    }

    /** WAF series by rule id: a sorted id array searched without boxing, replaced whole when a rule is first seen. */
    private final class WafSeries {
        private volatile int[] ids = new int[0];
        private volatile RuleSeries[] series = new RuleSeries[0];

        RuleSeries get(int ruleId, String family) {
            int[] known = ids;
            RuleSeries[] all = series;
            int i = Arrays.binarySearch(known, ruleId);
            if (i >= 0 && all.length == known.length) {
                return all[i];
            }
            return add(ruleId, family);
        }

        private synchronized RuleSeries add(int ruleId, String family) {
            // first match of a rule only: never on a clean request's path
            int i = Arrays.binarySearch(ids, ruleId);
            if (i >= 0) {
                return series[i];
            }
            int at = -i - 1;
            int[] nextIds = new int[ids.length + 1];
            RuleSeries[] next = new RuleSeries[ids.length + 1];
            System.arraycopy(ids, 0, nextIds, 0, at);
            System.arraycopy(series, 0, next, 0, at);
            System.arraycopy(ids, at, nextIds, at + 1, ids.length - at);
            System.arraycopy(series, at, next, at + 1, ids.length - at);
            nextIds[at] = ruleId;
            RuleSeries s = new RuleSeries(ruleId, family);
            next[at] = s;
            series = next; // written before ids: a reader that sees the new ids sees the new series too
            ids = nextIds;
            return s;
        }
    }

    private final class RuleSeries {
        final CounterDataPoint blocked;
        final CounterDataPoint logged;

        RuleSeries(int ruleId, String family) {
            String id = Integer.toString(ruleId);
            blocked = waf.labelValues("blocked", family, id);
            logged = waf.labelValues("logged", family, id);
        }

        CounterDataPoint point(boolean wasBlocked) {
            return wasBlocked ? blocked : logged;
        }
    }
}
