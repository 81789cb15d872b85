package dev.aegis.config;

import java.util.List;
import java.util.Map;

/**
 * The whole validated node configuration: one immutable value per YAML file (see DESIGN.md, "Configuration").
 *
 * <p>Routes are kept in file order; {@code upstreams} keeps file order too (a {@link java.util.LinkedHashMap}).
 * Every section is present (defaults filled in) except {@code cache.redis} and {@code cluster.nats},
 * which are null when absent.
 */
public record AegisConfig(
        NodeConfig node,
        AdminConfig admin,
        Map<String, UpstreamConfig> upstreams,
        List<RouteConfig> routes,
        WafConfig waf,
        CacheConfig cache,
        ClusterConfig cluster,
        ClientIpConfig clientIp,
        LimitsConfig limits) {

    public AegisConfig {
        upstreams = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(upstreams));
        routes = List.copyOf(routes);
    }
}
