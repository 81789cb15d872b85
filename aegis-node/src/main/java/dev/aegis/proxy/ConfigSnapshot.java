package dev.aegis.proxy;

import dev.aegis.config.AegisConfig;
import dev.aegis.config.UpstreamConfig;
import dev.aegis.pipeline.Phase;
import dev.aegis.route.RouteTable;
import dev.aegis.upstream.UpstreamGroup;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated config compiled for the request path: route table, upstream groups, the phase list. Built off the
 * event loops, then published with one reference swap; a request keeps the snapshot it started with.
 */
public final class ConfigSnapshot {
    private final AegisConfig config;
    private final RouteTable routes;
    private final Map<String, UpstreamGroup> upstreams;
    private final Phase[] phases;
    private final dev.aegis.waf.WafEngine waf;
    private final dev.aegis.ratelimit.WafAutoBan autoBan;
    private final dev.aegis.cluster.Cluster cluster;
    private final dev.aegis.cachetier.ResponseCache cache;

    private ConfigSnapshot(AegisConfig config, RouteTable routes, Map<String, UpstreamGroup> upstreams,
                           Phase[] phases, dev.aegis.waf.WafEngine waf, dev.aegis.ratelimit.WafAutoBan autoBan,
                           dev.aegis.cluster.Cluster cluster, dev.aegis.cachetier.ResponseCache cache) {
        this.cache = cache;
        this.waf = waf;
        this.autoBan = autoBan;
        this.cluster = cluster;
        this.config = config;
        this.routes = routes;
        this.upstreams = upstreams;
        this.phases = phases;
    }

    /**
     * Compiles {@code config} to replace {@code previous} (may be null): servers of groups that remain keep
     * their health and ejections, so a reload never sends traffic back to a server known to be down.
     */
    public static ConfigSnapshot compile(AegisConfig config, ConfigSnapshot previous,
                                         dev.aegis.cluster.Cluster cluster,
                                         dev.aegis.cachetier.ResponseCache cache) {
        RouteTable routes = RouteTable.compile(config.routes());
        Map<String, UpstreamGroup> groups = new HashMap<>();
        for (UpstreamConfig u : config.upstreams().values()) {
            UpstreamGroup old = previous == null ? null : previous.upstream(u.name());
            groups.put(u.name(), UpstreamGroup.of(u, old));
        }
        // The order of DESIGN.md's request diagram; the cache phase comes with the cache.
        dev.aegis.waf.WafEngine waf = dev.aegis.waf.WafEngine.compile(config.waf());
        Phase[] phases = {
            new ClientIpPhase(config.clientIp()),
            new dev.aegis.blocklist.BlocklistPhase(cluster.blocklist()),
            new RoutePhase(routes),
            new dev.aegis.ratelimit.RateLimitPhase(routes.routes(), cluster.counters(), cluster, cluster.wallClock()),
            new dev.aegis.waf.WafPhase(waf)};
        dev.aegis.ratelimit.WafAutoBan autoBan = config.waf().autoBan() == null ? null
                : new dev.aegis.ratelimit.WafAutoBan(config.waf().autoBan(), cluster.counters(), cluster.blocklist(),
                        cluster.wallClock());
        return new ConfigSnapshot(config, routes, Map.copyOf(groups), phases, waf, autoBan, cluster, cache);
    }

    public AegisConfig config() {
        return config;
    }

    public RouteTable routes() {
        return routes;
    }

    /** The group named {@code name}, or null. */
    public UpstreamGroup upstream(String name) {
        return upstreams.get(name);
    }

    /** The compiled WAF, for the body inspection that follows the phases. */
    public dev.aegis.waf.WafEngine waf() {
        return waf;
    }

    /** {@code waf.auto_ban}, or null when it is off. */
    public dev.aegis.ratelimit.WafAutoBan autoBan() {
        return autoBan;
    }

    /** The node's cluster state (counters, blocklist, sync), shared by every snapshot. */
    public dev.aegis.cluster.Cluster cluster() {
        return cluster;
    }

    /** The node's cache (shared by every snapshot), or null. */
    public dev.aegis.cachetier.ResponseCache cache() {
        return cache;
    }

    /** Every upstream group. */
    public java.util.Collection<UpstreamGroup> upstreams() {
        return upstreams.values();
    }

    List<Phase> phaseList() {
        return List.of(phases);
    }

    Phase[] phases() {
        return phases;
    }
}
