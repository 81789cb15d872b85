package dev.aegis.admin;

import java.util.concurrent.CompletableFuture;

/**
 * What the running node offers its admin API ({@link AdminServer}): the node implements it, so the admin listener
 * knows nothing of the proxy's internals and tests can stand in a fake.
 */
public interface AdminEndpoints {

    /** Whether the node can take traffic now: {@code GET /readyz} answers 200 when true, 503 when false. */
    boolean ready();

    /**
     * Loads, validates and applies the config again ({@code POST /admin/reload}). Called on the admin event loop,
     * so the work belongs on another thread: complete the future from there. A future that fails is answered
     * with a 500 whose body says nothing of the exception (it is logged).
     */
    CompletableFuture<ReloadResult> reload();

    /** The node's cluster state (blocklist, counters, peers); null where there is none (test fakes). */
    default dev.aegis.cluster.Cluster cluster() {
        return null;
    }

    /** The node's HTTP cache; null where there is none (test fakes). */
    default dev.aegis.cachetier.ResponseCache cache() {
        return null;
    }

    /** The node's metrics (and its recent WAF decisions); null where there are none (test fakes). */
    default dev.aegis.metrics.NodeMetrics metrics() {
        return null;
    }

    /** The effective config, as loaded (secrets are redacted by the endpoint); null where there is none. */
    default dev.aegis.config.AegisConfig config() {
        return null;
    }

    /** The compiled route table, in precedence order. */
    default java.util.List<dev.aegis.route.Route> routeTable() {
        return java.util.List.of();
    }

    /** The upstream groups of the current config, with their servers' state. */
    default java.util.Collection<dev.aegis.upstream.UpstreamGroup> upstreamGroups() {
        return java.util.List.of();
    }

    /** The current config's route names, for checking {@code GET /admin/ratelimit?route=}. */
    default java.util.Map<String, dev.aegis.config.RateLimitPolicy> rateLimits() {
        return java.util.Map.of();
    }
}
