package dev.aegis.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegis.cache.CacheKey;
import dev.aegis.cachetier.ResponseCache;
import dev.aegis.cluster.Cluster;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /admin/cache/purge} with {@code {"url":"http://shop.example.com/p/1"}} (one URL, every variant) or
 * {@code {"prefix":"http://shop.example.com/static/"}}: removed from this node's memory, from Redis, and (with a
 * cluster) from every node's memory at once.
 */
final class CacheEndpoints {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CacheEndpoints() {
    }

    static CompletableFuture<AdminResponse> purge(AdminEndpoints node, AdminRequest r) {
        ResponseCache cache = node.cache();
        Cluster cluster = node.cluster();
        if (cache == null || cluster == null) {
            return done(AdminResponse.error(503, "no cache on this node"));
        }
        String url = r.queryParam("url");
        String prefix = r.queryParam("prefix");
        if (r.body().length > 0) {
            try {
                JsonNode body = JSON.readTree(r.body());
                if (body == null || !body.isObject()) {
                    return done(AdminResponse.error(400, "the body must be a JSON object such as "
                            + "{\"url\":\"http://shop.example.com/p/1\"} or {\"prefix\":\"http://shop.example.com/static/\"}"));
                }
                url = body.hasNonNull("url") ? body.get("url").asText() : url;
                prefix = body.hasNonNull("prefix") ? body.get("prefix").asText() : prefix;
            } catch (java.io.IOException e) {
                return done(AdminResponse.error(400, "the body is not JSON"));
            }
        }
        if ((url == null) == (prefix == null)) {
            return done(AdminResponse.error(400, "give exactly one of url (one URL) or prefix (every URL under it), "
                    + "as absolute http URLs"));
        }
        boolean isPrefix = prefix != null;
        String text;
        try {
            text = normalised(isPrefix ? prefix : url);
        } catch (IllegalArgumentException e) {
            return done(AdminResponse.error(400, e.getMessage()));
        }
        // Redis first: a memory tier purged before it could read the object back from Redis in between.
        return cache.purgeShared(text, isPrefix).handle((shared, error) -> {
            int here = cluster.purge((isPrefix ? "^" : "=") + text);
            String redis = error == null ? Long.toString(shared)
                    : Json.quote("failed: " + (error.getCause() != null ? error.getCause() : error).getMessage());
            String body = "{\"purged\":" + Json.quote(text) + ",\"prefix\":" + isPrefix + ",\"memory\":" + here
                    + ",\"redis\":" + redis + ",\"cluster\":" + (!cluster.clustered() ? "\"none\""
                    : cluster.connected() ? "\"sent\"" : "\"not connected: purged here only\"") + "}";
            // 502: a tier could not be purged, the operator must know (and may retry)
            return AdminResponse.json(error == null ? 200 : 502, body);
        });
    }

    /** The cache's own spelling of an absolute URL ({@code GET http://host/path?sorted}). */
    static String normalised(String absolute) {
        URI u;
        try {
            u = URI.create(absolute.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("`" + absolute + "` is not a URL");
        }
        if (u.getScheme() == null || u.getRawAuthority() == null) {
            throw new IllegalArgumentException("`" + absolute + "` is not an absolute URL such as "
                    + "http://shop.example.com/p/1");
        }
        String target = (u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath())
                + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
        return CacheKey.text("GET", "http", u.getRawAuthority(), target, List.of());
    }

    private static CompletableFuture<AdminResponse> done(AdminResponse r) {
        return CompletableFuture.completedFuture(r);
    }
}
