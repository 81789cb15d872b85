package dev.aegis.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegis.blocklist.Blocklist;
import dev.aegis.cluster.Cluster;
import dev.aegis.cluster.PeerStatus;
import dev.aegis.config.ConfigValues;
import dev.aegis.config.RateLimitPolicy;
import java.time.Duration;
import java.time.Instant;

/**
 * The admin API's cluster endpoints: the shared blocklist ({@code GET}, {@code POST}, {@code DELETE
 * /admin/blocklist}), the node's view of its peers ({@code GET /admin/cluster}) and one rate-limit counter as this
 * node knows it ({@code GET /admin/ratelimit?route=NAME&key=KEY}).
 */
final class ClusterEndpoints {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClusterEndpoints() {
    }

    static AdminResponse bans(AdminEndpoints node) {
        Cluster c = node.cluster();
        if (c == null) {
            return AdminResponse.error(503, "no cluster state on this node");
        }
        StringBuilder b = new StringBuilder("{\"bans\":[");
        boolean first = true;
        for (Blocklist.Ban ban : c.blocklist().bans()) {
            b.append(first ? "" : ",").append("{\"network\":").append(Json.quote(ban.network()))
                    .append(",\"expires_at\":").append(Json.quote(Instant.ofEpochMilli(ban.expiresAtMillis()).toString()))
                    .append(",\"by\":").append(Json.quote(ban.by())).append('}');
            first = false;
        }
        return AdminResponse.json(200, b.append("]}").toString());
    }

    /**
     * Bans an address or network: {@code {"address":"203.0.113.7","ttl":"10m"}} as a JSON body, or the same as
     * query parameters. The ban reaches every node at once (not at the next sync interval).
     */
    static AdminResponse ban(AdminEndpoints node, AdminRequest r) {
        Cluster c = node.cluster();
        if (c == null) {
            return AdminResponse.error(503, "no cluster state on this node");
        }
        String address = r.queryParam("address");
        String ttl = r.queryParam("ttl");
        if (r.body().length > 0) {
            try {
                JsonNode body = JSON.readTree(r.body());
                if (body == null || !body.isObject()) {
                    return AdminResponse.error(400, "the body must be a JSON object such as "
                            + "{\"address\":\"203.0.113.7\",\"ttl\":\"10m\"}");
                }
                if (body.hasNonNull("address")) {
                    address = body.get("address").asText();
                }
                if (body.hasNonNull("ttl")) {
                    ttl = body.get("ttl").asText();
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return AdminResponse.error(400, "the body is not JSON: " + e.getOriginalMessage());
            } catch (java.io.IOException e) {
                return AdminResponse.error(400, "the body could not be read");
            }
        }
        if (address == null || address.isBlank()) {
            return AdminResponse.error(400, "address is required: an IPv4 or IPv6 address or a CIDR");
        }
        Duration duration;
        try {
            duration = ttl == null ? Duration.ofHours(1) : ConfigValues.parseDuration(ttl);
        } catch (IllegalArgumentException e) {
            return AdminResponse.error(400, "ttl: " + e.getMessage());
        }
        String network;
        try {
            network = c.blocklist().add(address, duration);
        } catch (IllegalArgumentException e) {
            return AdminResponse.error(400, e.getMessage());
        }
        c.publishSoon();
        long until = c.wallClock().getAsLong() + duration.toMillis();
        return AdminResponse.json(201, "{\"network\":" + Json.quote(network) + ",\"expires_at\":"
                + Json.quote(Instant.ofEpochMilli(until).toString()) + "}");
    }

    static AdminResponse unban(AdminEndpoints node, AdminRequest r) {
        Cluster c = node.cluster();
        if (c == null) {
            return AdminResponse.error(503, "no cluster state on this node");
        }
        String address = r.queryParam("address");
        if (address == null || address.isBlank()) {
            return AdminResponse.error(400, "address is required: DELETE /admin/blocklist?address=203.0.113.7");
        }
        boolean removed;
        try {
            removed = c.blocklist().remove(address);
        } catch (IllegalArgumentException e) {
            return AdminResponse.error(400, e.getMessage());
        }
        c.publishSoon();
        return removed ? AdminResponse.json(200, "{\"removed\":true}")
                : AdminResponse.error(404, "no ban on " + address);
    }

    static AdminResponse cluster(AdminEndpoints node) {
        Cluster c = node.cluster();
        if (c == null) {
            return AdminResponse.error(503, "no cluster state on this node");
        }
        StringBuilder b = new StringBuilder("{\"node\":").append(Json.quote(c.nodeId()))
                .append(",\"clustered\":").append(c.clustered())
                .append(",\"connected\":").append(c.connected())
                .append(",\"in_sync\":").append(c.inSync())
                .append(",\"live_nodes\":").append(c.liveNodes())
                .append(",\"last_sync\":").append(time(c.lastSyncMillis()))
                .append(",\"sync_lag_ms\":").append(c.peers().stream().filter(PeerStatus::alive)
                        .mapToLong(PeerStatus::lagMillis).max().orElse(0))
                .append(",\"counters\":").append(c.counters().size())
                .append(",\"counter_evictions\":").append(c.counters().evictions())
                .append(",\"peers\":[");
        boolean first = true;
        for (PeerStatus p : c.peers()) {
            b.append(first ? "" : ",").append("{\"id\":").append(Json.quote(p.id()))
                    .append(",\"alive\":").append(p.alive())
                    .append(",\"last_seen\":").append(time(p.lastSeenMillis()))
                    .append(",\"last_sync\":").append(time(p.lastSyncMillis()))
                    .append(",\"lag_ms\":").append(p.lagMillis()).append('}');
            first = false;
        }
        return AdminResponse.json(200, b.append("]}").toString());
    }

    /** One key's counter in the current window: {@code total} over all nodes, {@code local} this node's part. */
    static AdminResponse rateLimit(AdminEndpoints node, AdminRequest r) {
        Cluster c = node.cluster();
        if (c == null) {
            return AdminResponse.error(503, "no cluster state on this node");
        }
        String route = r.queryParam("route");
        String key = r.queryParam("key");
        RateLimitPolicy policy = route == null ? null : node.rateLimits().get(route);
        if (policy == null) {
            return AdminResponse.error(404, "no route with a rate_limit named " + (route == null ? "(none)" : route)
                    + "; routes with one: " + node.rateLimits().keySet());
        }
        if (key == null) {
            key = "";
        }
        long windowMillis = Math.max(1, policy.window().toMillis());
        long window = Math.floorDiv(c.wallClock().getAsLong(), windowMillis);
        long total = c.counters().total("route:" + route, policy.window(), window, key);
        long local = c.counters().local("route:" + route, policy.window(), window, key);
        return AdminResponse.json(200, "{\"route\":" + Json.quote(route) + ",\"key\":" + Json.quote(key)
                + ",\"limit\":" + policy.limit() + ",\"window\":" + window + ",\"total\":" + total
                + ",\"local\":" + local + "}");
    }

    private static String time(long millis) {
        return millis == 0 ? "null" : Json.quote(Instant.ofEpochMilli(millis).toString());
    }
}
