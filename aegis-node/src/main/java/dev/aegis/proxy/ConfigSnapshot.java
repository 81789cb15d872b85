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

    private ConfigSnapshot(AegisConfig config, RouteTable routes, Map<String, UpstreamGroup> upstreams,
                           Phase[] phases) {
        this.config = config;
        this.routes = routes;
        this.upstreams = upstreams;
        this.phases = phases;
    }

    /** Compiles {@code config} (regexes, CIDRs, server addresses are resolved here, once). */
    public static ConfigSnapshot compile(AegisConfig config) {
        RouteTable routes = RouteTable.compile(config.routes());
        Map<String, UpstreamGroup> groups = new HashMap<>();
        for (UpstreamConfig u : config.upstreams().values()) {
            groups.put(u.name(), UpstreamGroup.of(u));
        }
        // The order of DESIGN.md's request diagram; later issues insert blocklist, rate limit, WAF and cache.
        Phase[] phases = {new ClientIpPhase(config.clientIp()), new RoutePhase(routes)};
        return new ConfigSnapshot(config, routes, Map.copyOf(groups), phases);
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

    List<Phase> phaseList() {
        return List.of(phases);
    }

    Phase[] phases() {
        return phases;
    }
}
