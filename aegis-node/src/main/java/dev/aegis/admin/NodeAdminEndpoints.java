package dev.aegis.admin;

import dev.aegis.server.AegisServer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What the running node offers its admin API: readiness, and reloading the file it was started with. */
public final class NodeAdminEndpoints implements AdminEndpoints {
    private final AegisServer server;
    private final Path configFile;

    public NodeAdminEndpoints(AegisServer server, Path configFile) {
        this.server = server;
        this.configFile = configFile;
    }

    @Override
    public boolean ready() {
        return server.ready();
    }

    @Override
    public dev.aegis.cachetier.ResponseCache cache() {
        return server.cache();
    }

    @Override
    public dev.aegis.metrics.NodeMetrics metrics() {
        return server.metrics();
    }

    @Override
    public dev.aegis.config.AegisConfig config() {
        return server.snapshot().config();
    }

    @Override
    public java.util.List<dev.aegis.route.Route> routeTable() {
        return server.snapshot().routes().routes();
    }

    @Override
    public java.util.Collection<dev.aegis.upstream.UpstreamGroup> upstreamGroups() {
        return server.snapshot().upstreams();
    }

    @Override
    public dev.aegis.cluster.Cluster cluster() {
        return server.cluster();
    }

    @Override
    public java.util.Map<String, dev.aegis.config.RateLimitPolicy> rateLimits() {
        java.util.Map<String, dev.aegis.config.RateLimitPolicy> out = new java.util.LinkedHashMap<>();
        for (dev.aegis.config.RouteConfig r : server.snapshot().config().routes()) {
            if (r.rateLimit() != null) {
                out.put(r.name(), r.rateLimit());
            }
        }
        return out;
    }

    @Override
    public CompletableFuture<ReloadResult> reload() {
        if (configFile == null) {
            return CompletableFuture.completedFuture(new ReloadResult(false,
                    List.of("the node runs the embedded default config; start it with --config FILE to reload")));
        }
        // Loading and compiling a config is work for a thread of its own: not the admin event loop, and not the
        // common pool, which application code may keep busy (on 2 cores it has a single worker).
        CompletableFuture<ReloadResult> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("aegis-reload").start(() -> {
            try {
                AegisServer.ReloadOutcome outcome = server.reload(configFile);
                result.complete(new ReloadResult(outcome.applied(), outcome.errors()));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }
}
