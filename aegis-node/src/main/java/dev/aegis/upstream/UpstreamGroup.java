package dev.aegis.upstream;

import dev.aegis.config.UpstreamConfig;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A named group of origin servers with its timeouts and pool settings, and the choice of the next server.
 * This is plain round robin; weights, health and the other balancers come with the upstream issue.
 */
public final class UpstreamGroup {
    private final UpstreamConfig config;
    private final UpstreamServer[] servers;
    private final AtomicInteger next = new AtomicInteger();

    private UpstreamGroup(UpstreamConfig config, UpstreamServer[] servers) {
        this.config = config;
        this.servers = servers;
    }

    /** Builds the group of {@code config}, resolving every server address now. */
    public static UpstreamGroup of(UpstreamConfig config) {
        UpstreamServer[] servers = config.servers().stream()
                .map(s -> UpstreamServer.of(s.address(), s.weight()))
                .toArray(UpstreamServer[]::new);
        return new UpstreamGroup(config, servers);
    }

    public String name() {
        return config.name();
    }

    public UpstreamConfig config() {
        return config;
    }

    public List<UpstreamServer> servers() {
        return List.of(servers);
    }

    /** The server for the next attempt; {@code exclude} (may be null) is skipped when another exists. */
    public UpstreamServer pick(UpstreamServer exclude) {
        int n = servers.length;
        if (n == 0) {
            return null;
        }
        UpstreamServer s = servers[Math.floorMod(next.getAndIncrement(), n)];
        if (s == exclude && n > 1) {
            s = servers[Math.floorMod(next.getAndIncrement(), n)];
        }
        return s;
    }
}
