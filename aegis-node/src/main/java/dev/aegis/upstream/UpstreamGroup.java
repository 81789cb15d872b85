package dev.aegis.upstream;

import dev.aegis.config.UpstreamConfig;
import java.util.List;
import java.util.Map;

/**
 * A named group of origin servers: their live health and load ({@link ServerState}), the balancer that picks one
 * for each attempt, and the group's timeouts, pool and retry settings. Built per config snapshot; a reload that
 * keeps a group's servers carries their health over, so an ejected server stays ejected.
 */
public final class UpstreamGroup {
    private final UpstreamConfig config;
    private final ServerState[] servers;
    private final Balancer balancer;
    private final HashKey hashKey;
    private final long cooldownNanos;

    /** Where the consistent-hash key of a request comes from. */
    public enum HashKeySource { CLIENT_IP, HEADER, PATH }

    /** The hash key setting: its source, and the header name for {@link HashKeySource#HEADER}. */
    public record HashKey(HashKeySource source, String header) {
        static HashKey parse(String text) {
            if (text == null || text.equals("client_ip")) {
                return new HashKey(HashKeySource.CLIENT_IP, null);
            }
            if (text.equals("path")) {
                return new HashKey(HashKeySource.PATH, null);
            }
            return new HashKey(HashKeySource.HEADER, text.substring("header:".length()));
        }
    }

    private UpstreamGroup(UpstreamConfig config, ServerState[] servers) {
        this.config = config;
        this.servers = servers;
        this.balancer = Balancer.of(config.balancer(), servers);
        this.hashKey = HashKey.parse(config.hashKey());
        this.cooldownNanos = config.passive().cooldown().toNanos();
    }

    /**
     * Builds the group of {@code config}, resolving every server address now. Servers that were in
     * {@code previous} (the same group of the config being replaced) keep their health.
     */
    public static UpstreamGroup of(UpstreamConfig config, UpstreamGroup previous) {
        List<UpstreamConfig.ServerConfig> list = config.servers();
        ServerState[] servers = new ServerState[list.size()];
        for (int i = 0; i < servers.length; i++) {
            UpstreamServer server = UpstreamServer.of(list.get(i).address(), list.get(i).weight());
            servers[i] = new ServerState(server, i);
            if (previous != null) {
                ServerState old = previous.find(server.key());
                if (old != null) {
                    servers[i].copyHealthFrom(old);
                    if (config.healthCheck() == null && !servers[i].activeHealthy()) {
                        // Nothing would ever check it again: without active checks a server counts as up.
                        servers[i].activeResult(true, 1, 1);
                    }
                }
            }
        }
        return new UpstreamGroup(config, servers);
    }

    /** Builds a group with no history. */
    public static UpstreamGroup of(UpstreamConfig config) {
        return of(config, null);
    }

    private ServerState find(String key) {
        for (ServerState s : servers) {
            if (s.server.key().equals(key)) {
                return s;
            }
        }
        return null;
    }

    public String name() {
        return config.name();
    }

    public UpstreamConfig config() {
        return config;
    }

    /** The servers in config order; their index is their position here. */
    public List<ServerState> servers() {
        return List.of(servers);
    }

    public int size() {
        return servers.length;
    }

    public HashKey hashKey() {
        return hashKey;
    }

    /**
     * The server for the next attempt, never one whose index bit is set in {@code excludeMask} (the servers
     * already tried), or null when no server is available.
     */
    public ServerState pick(long nowNanos, CharSequence hashValue, long excludeMask) {
        return balancer.pick(servers, nowNanos, hashValue, excludeMask);
    }

    /** A failed attempt (connect, reset, timeout) on {@code server}: passive health may eject it. */
    public boolean recordFailure(ServerState server, long nowNanos) {
        return server.recordFailure(nowNanos, config.passive().failures(), cooldownNanos);
    }

    /** Health of every server, by key, for logs and the admin API. */
    public Map<String, String> healthSummary(long nowNanos) {
        java.util.LinkedHashMap<String, String> out = new java.util.LinkedHashMap<>();
        for (ServerState s : servers) {
            out.put(s.server.key(), !s.activeHealthy() ? "down" : s.ejected(nowNanos) ? "ejected" : "up");
        }
        return out;
    }
}
