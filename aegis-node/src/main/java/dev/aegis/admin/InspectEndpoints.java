package dev.aegis.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegis.config.AegisConfig;
import dev.aegis.config.Cidr;
import dev.aegis.config.HostPort;
import dev.aegis.config.UrlCredentials;
import dev.aegis.metrics.NodeMetrics;
import dev.aegis.metrics.RecentWafDecisions;
import dev.aegis.route.Route;
import dev.aegis.upstream.ServerState;
import dev.aegis.upstream.UpstreamGroup;
import dev.aegis.waf.WafMatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The admin API's read-only views of the running node: {@code /metrics} (Prometheus text), {@code /admin/config}
 * (the effective config, secrets redacted), {@code /admin/routes} (the compiled table in precedence order, with
 * each route's request counts), {@code /admin/upstreams} (servers, health, in flight) and
 * {@code /admin/waf/recent} (the last requests the WAF matched on).
 */
final class InspectEndpoints {
    static final String REDACTED = UrlCredentials.REDACTED;
    /**
     * Config records as JSON: the loaded records' fields in snake_case (close to the file's keys, not identical:
     * {@code cache.redis_url} for {@code cache.redis.url}, sizes in bytes as {@code memory_bytes}), durations as
     * {@code 10s}, enums as their names.
     */
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .registerModule(new SimpleModule("aegis-config")
                    .addSerializer(Duration.class, new ToText<>(InspectEndpoints::duration))
                    .addSerializer(HostPort.class, new ToText<>(HostPort::toString))
                    .addSerializer(Cidr.class, new ToText<>(Cidr::toString))
                    .addSerializer(com.google.re2j.Pattern.class, new ToText<>(com.google.re2j.Pattern::pattern)));

    private InspectEndpoints() {
    }

    static AdminResponse metrics(AdminEndpoints node) {
        NodeMetrics m = node.metrics();
        if (m == null) {
            return AdminResponse.error(503, "no metrics on this node");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 * 1024);
        try {
            m.writeText(out);
        } catch (IOException | RuntimeException e) {
            // the client learns that it failed, the log how
            org.slf4j.LoggerFactory.getLogger(InspectEndpoints.class).warn("/metrics could not be written", e);
            return AdminResponse.error(500, "metrics could not be written");
        }
        return new AdminResponse(200, NodeMetrics.contentType(), out.toByteArray());
    }

    static AdminResponse config(AdminEndpoints node) {
        AegisConfig config = node.config();
        if (config == null) {
            return AdminResponse.error(503, "no config on this node");
        }
        ObjectNode tree = JSON.valueToTree(config);
        redact(tree);
        return json(tree);
    }

    /**
     * Removes what must not leave the node: the admin token, passwords in the Redis and NATS URLs, the values of
     * routes' header matches and of custom rules that inspect headers or cookies (either can be a shared secret,
     * such as an internal key a route is matched on or an allow rule on {@code Authorization}). Names and
     * structure stay, so the operator still sees what the node does.
     */
    static void redact(ObjectNode tree) {
        JsonNode admin = tree.path("admin");
        if (admin instanceof ObjectNode a && a.hasNonNull("token") && !a.get("token").asText().isEmpty()) {
            a.put("token", REDACTED);
        }
        if (tree.path("cache") instanceof ObjectNode c && c.hasNonNull("redis_url")) {
            c.put("redis_url", UrlCredentials.redact(c.get("redis_url").asText()));
        }
        if (tree.path("cluster") instanceof ObjectNode c && c.hasNonNull("nats_url")) {
            c.put("nats_url", UrlCredentials.redact(c.get("nats_url").asText()));
        }
        for (JsonNode route : tree.path("routes")) {
            redactHeaderValues(route.path("match"));
        }
        for (JsonNode rule : tree.path("waf").path("custom_rules")) {
            boolean readsHeaders = false;
            for (JsonNode target : rule.path("targets")) {
                String collection = target.path("collection").asText("");
                readsHeaders |= collection.contains("HEADERS") || collection.contains("COOKIES");
            }
            if (readsHeaders && rule instanceof ObjectNode r && r.hasNonNull("operand")) {
                r.put("operand", REDACTED);
            }
        }
    }

    private static void redactHeaderValues(JsonNode match) {
        if (match.path("headers") instanceof ObjectNode headers) {
            headers.fieldNames().forEachRemaining(name -> headers.put(name, REDACTED));
        }
    }

    static AdminResponse routes(AdminEndpoints node) {
        java.util.List<Route> table = node.routeTable();
        NodeMetrics m = node.metrics();
        Map<String, NodeMetrics.RouteTotals> totals = m == null ? Map.of() : m.routeTotals();
        ArrayNode out = JSON.createArrayNode();
        int order = 0;
        for (Route r : table) {
            ObjectNode o = out.addObject();
            o.put("order", order++);
            o.put("name", r.name());
            o.put("priority", r.priority());
            JsonNode match = JSON.valueToTree(r.config().match());
            redactHeaderValues(match);
            o.set("match", match);
            o.put("upstream", r.config().upstream());
            o.set("waf", JSON.valueToTree(r.config().waf()));
            o.set("cache", JSON.valueToTree(r.config().cache()));
            o.set("rate_limit", JSON.valueToTree(r.config().rateLimit()));
            NodeMetrics.RouteTotals t = totals.get(r.name());
            ObjectNode counters = o.putObject("counters");
            counters.put("requests", t == null ? 0 : t.requests());
            ObjectNode byStatus = counters.putObject("by_status");
            for (int i = 0; i < NodeMetrics.statusClasses().size(); i++) {
                byStatus.put(NodeMetrics.statusClasses().get(i), t == null ? 0 : t.byStatusClass()[i]);
            }
            counters.put("mean_duration_seconds", t == null || t.requests() == 0 ? 0 : t.durationSum() / t.requests());
            counters.put("rate_limited", t == null ? 0 : t.rateLimited());
        }
        ObjectNode root = JSON.createObjectNode();
        root.set("routes", out);
        return json(root);
    }

    static AdminResponse upstreams(AdminEndpoints node) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode groups = root.putObject("upstreams");
        long now = System.nanoTime();
        for (UpstreamGroup g : node.upstreamGroups()) {
            ObjectNode group = groups.putObject(g.name());
            group.put("balancer", String.valueOf(g.config().balancer()).toLowerCase(java.util.Locale.ROOT));
            ArrayNode servers = group.putArray("servers");
            for (ServerState s : g.servers()) {
                ObjectNode o = servers.addObject();
                o.put("server", s.server.key());
                o.put("weight", s.server.weight());
                boolean ejected = s.ejected(now);
                o.put("health", !s.activeHealthy() ? "unhealthy" : ejected ? "ejected" : "healthy");
                o.put("active_check", s.activeHealthy() ? "passing" : "failing");
                o.put("ejected", ejected);
                o.put("in_flight", s.inFlight());
                o.put("requests", s.requestsTotal());
                o.put("failures", s.failuresTotal());
                o.put("ejections", s.ejectionsTotal());
            }
        }
        return json(root);
    }

    static AdminResponse wafRecent(AdminEndpoints node, AdminRequest r) {
        NodeMetrics m = node.metrics();
        if (m == null) {
            return AdminResponse.error(503, "no WAF decisions on this node");
        }
        int limit = 50;
        String asked = r.queryParam("limit");
        if (asked != null) {
            try {
                limit = Integer.parseInt(asked);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > 100) {
                return AdminResponse.error(400, "limit must be a number from 1 to 100, got " + asked);
            }
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("total", m.recentWaf().total());
        ArrayNode list = root.putArray("decisions");
        for (RecentWafDecisions.Decision d : m.recentWaf().newest(limit)) {
            ObjectNode o = list.addObject();
            o.put("time", Instant.ofEpochMilli(d.epochMillis()).toString());
            o.put("request_id", d.requestId());
            o.put("client_ip", d.clientIp());
            o.put("method", d.method());
            o.put("uri", d.uri());
            o.put("route", d.route());
            o.put("score", d.score());
            o.put("action", d.blocked() ? "blocked" : "logged");
            ArrayNode matches = o.putArray("matches");
            for (WafMatch w : d.matches()) {
                ObjectNode mo = matches.addObject();
                mo.put("rule", w.ruleId());
                mo.put("family", w.family());
                mo.put("target", w.target());
                mo.put("fragment", w.fragment());
                mo.put("severity", w.severity());
            }
        }
        return json(root);
    }

    private static AdminResponse json(JsonNode tree) {
        try {
            return new AdminResponse(200, AdminResponse.JSON, JSON.writeValueAsBytes(tree));
        } catch (JsonProcessingException e) {
            return AdminResponse.error(500, "could not render: " + e.getOriginalMessage());
        }
    }

    /** {@code 10s}, {@code 250ms}, {@code 5m}: as a duration is written in the config file. */
    static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms != 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms != 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    private static final class ToText<T> extends JsonSerializer<T> {
        private final java.util.function.Function<T, String> text;

        ToText(java.util.function.Function<T, String> text) {
            this.text = text;
        }

        @Override
        public void serialize(T value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(text.apply(value));
        }
    }
}
