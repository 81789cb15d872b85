package dev.aegis.config;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.aegis.config.RateLimitPolicy.SyncLossPolicy;
import dev.aegis.config.RouteConfig.PathMatch;
import dev.aegis.config.UpstreamConfig.Balancer;
import dev.aegis.config.WafConfig.BodyOverLimit;
import dev.aegis.config.WafPolicy.WafMode;
import dev.aegis.waf.WafRuleCatalog;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Binds a composed YAML tree to {@link AegisConfig}: the schema (which keys exist where), the defaults and the
 * checks that need more than one value (references between routes and upstreams, duplicate names). Problems go to
 * the {@link ConfigReader}; the config returned when there were any is incomplete and must not be used.
 */
final class ConfigBinder {

    static final HostPort DEFAULT_LISTEN = new HostPort("0.0.0.0", 8080);
    static final HostPort DEFAULT_ADMIN_LISTEN = new HostPort("127.0.0.1", 9901);
    static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    static final List<String> DEFAULT_TRUSTED_PROXIES = List.of("127.0.0.1/32", "::1/128");
    static final String DEFAULT_CLIENT_IP_HEADER = "X-Forwarded-For";
    static final CachePolicy DEFAULT_ROUTE_CACHE = new CachePolicy(true, Duration.ZERO);

    private static final List<String> ROOT_KEYS =
            List.of("node", "admin", "upstreams", "routes", "waf", "cache", "cluster", "client_ip", "limits");
    private static final List<String> NODE_KEYS = List.of("id", "listen", "workers", "drain_timeout");
    private static final List<String> ADMIN_KEYS = List.of("listen", "token");
    private static final List<String> UPSTREAM_KEYS = List.of(
            "servers", "balancer", "hash_key", "health_check", "passive", "timeouts", "pool", "retries");
    private static final List<String> SERVER_KEYS = List.of("address", "weight");
    private static final List<String> HEALTH_CHECK_KEYS = List.of("path", "interval", "timeout", "healthy", "unhealthy");
    private static final List<String> PASSIVE_KEYS = List.of("failures", "cooldown");
    private static final List<String> TIMEOUTS_KEYS = List.of("connect", "response_header", "idle");
    private static final List<String> POOL_KEYS = List.of("max_idle_per_loop", "idle_timeout");
    private static final List<String> ROUTE_KEYS =
            List.of("name", "priority", "match", "upstream", "waf", "cache", "rate_limit");
    private static final List<String> MATCH_KEYS = List.of("host", "path", "methods", "headers");
    private static final List<String> PATH_KEYS = List.of("exact", "prefix", "regex");
    private static final List<String> ROUTE_WAF_KEYS = List.of("mode", "paranoia", "anomaly_threshold", "exclusions");
    private static final List<String> EXCLUSION_KEYS = List.of("rule", "target");
    private static final List<String> ROUTE_CACHE_KEYS = List.of("enabled", "default_ttl", "ignore_params", "heuristic",
            "store_set_cookie", "serve_stale_on_error");
    private static final List<String> RATE_LIMIT_KEYS = List.of("key", "limit", "window", "on_sync_loss");
    private static final List<String> WAF_KEYS =
            List.of("mode", "paranoia", "anomaly_threshold", "body_limit", "body_over_limit", "custom_rules",
                    "auto_ban");
    private static final List<String> AUTO_BAN_KEYS = List.of("after", "window", "ban");
    private static final List<String> CACHE_KEYS = List.of("memory", "max_object", "redis");
    private static final List<String> URL_KEYS = List.of("url");
    private static final List<String> CLUSTER_KEYS = List.of("name", "nats", "sync_interval", "max_counters");
    private static final List<String> CLIENT_IP_KEYS = List.of("trusted_proxies", "header");
    private static final List<String> LIMITS_KEYS = List.of(
            "max_header_bytes", "max_uri_bytes", "max_body_bytes", "header_read_timeout", "max_connections");

    private static final Map<String, Balancer> BALANCERS = spellings(Balancer.class);
    private static final Map<String, WafMode> WAF_MODES = spellings(WafMode.class);
    private static final Map<String, SyncLossPolicy> SYNC_LOSS_POLICIES = spellings(SyncLossPolicy.class);
    private static final Map<String, BodyOverLimit> BODY_OVER_LIMIT = spellings(BodyOverLimit.class);

    private final ConfigReader reader;
    private final CustomRuleBinder customRules;
    /** The rules exclusions may name; built when the first exclusion is checked. */
    private WafRuleCatalog catalog;

    ConfigBinder(ConfigReader reader) {
        this.reader = reader;
        this.customRules = new CustomRuleBinder(reader);
    }

    AegisConfig bind(Node root) {
        if (!ConfigReader.isNull(root) && !(root instanceof MappingNode)) {
            reader.error(root, "", "the top level of a config file must be a mapping of "
                    + Suggestions.list(ROOT_KEYS) + ", got " + ConfigReader.describe(root));
            root = null;
        }
        Section top = reader.section(root, "", ROOT_KEYS);
        NodeConfig node = node(top.section("node", NODE_KEYS));
        AdminConfig admin = admin(top.section("admin", ADMIN_KEYS));
        Map<String, UpstreamConfig> upstreams = upstreams(top);
        WafConfig waf = waf(top.section("waf", WAF_KEYS));
        List<RouteConfig> routes = routes(top, upstreams, waf);
        CacheConfig cache = cache(top.section("cache", CACHE_KEYS));
        ClusterConfig cluster = cluster(top.section("cluster", CLUSTER_KEYS));
        ClientIpConfig clientIp = clientIp(top.section("client_ip", CLIENT_IP_KEYS));
        LimitsConfig limits = limits(top.section("limits", LIMITS_KEYS));
        return new AegisConfig(node, admin, upstreams, routes, waf, cache, cluster, clientIp, limits);
    }

    private static NodeConfig node(Section s) {
        String id = s.has("id") ? s.requiredString("id") : null;
        if (id != null && !isNodeId(id)) {
            s.error("id", "must be 1 to 64 letters, digits, '.', '_' or '-' (it is sent in the Via header), got "
                    + ConfigValues.quote(id));
            id = null;
        }
        return new NodeConfig(
                id != null ? id : LocalHostName.VALUE,
                s.parsed("listen", DEFAULT_LISTEN, "an address", ConfigValues::parseListen),
                (int) s.integer("workers", 0, 0, 4096),
                s.duration("drain_timeout", DEFAULT_DRAIN_TIMEOUT, false));
    }

    private static boolean isNodeId(String id) {
        if (id.isEmpty() || id.length() > 64) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static AdminConfig admin(Section s) {
        return new AdminConfig(
                s.parsed("listen", DEFAULT_ADMIN_LISTEN, "an address", ConfigValues::parseListen),
                s.string("token", ""));
    }

    // ---- upstreams

    private Map<String, UpstreamConfig> upstreams(Section top) {
        Map<String, UpstreamConfig> upstreams = new LinkedHashMap<>();
        for (Map.Entry<String, NodeTuple> entry : reader.entries(top.value("upstreams"), top.path("upstreams")).entrySet()) {
            String name = entry.getKey();
            String path = ConfigReader.join(top.path("upstreams"), name);
            checkName(entry.getValue().getKeyNode(), path, name, "an upstream");
            Section s = reader.section(entry.getValue().getValueNode(), path, UPSTREAM_KEYS);
            if (ConfigReader.isNull(entry.getValue().getValueNode())) {
                reader.error(entry.getValue().getKeyNode(), ConfigReader.join(path, "servers"),
                        "missing required key `servers`");
            }
            upstreams.put(name, upstream(name, s));
        }
        return upstreams;
    }

    private UpstreamConfig upstream(String name, Section s) {
        List<UpstreamConfig.ServerConfig> servers = new ArrayList<>();
        if (s.node() != null && !s.has("servers")) {
            s.missing("servers");
        } else if (s.has("servers")) {
            List<Node> items = s.items("servers");
            if (items.isEmpty() && s.value("servers") instanceof SequenceNode) {
                s.error("servers", "an upstream group needs at least one server");
            }
            for (int i = 0; i < items.size(); i++) {
                UpstreamConfig.ServerConfig server = server(items.get(i), s.path("servers") + "[" + i + "]");
                if (server != null) {
                    servers.add(server);
                }
            }
        }
        Balancer balancer = s.choice("balancer", Balancer.ROUND_ROBIN, BALANCERS);
        String hashKey = s.parsed("hash_key", null, "a hash key", text -> requestKey(text, "path"));
        if (balancer == Balancer.HASH && hashKey == null) {
            hashKey = "client_ip";
        } else if (balancer != Balancer.HASH) {
            // Accepted and checked but unused: switching the balancer to hash should not need another edit.
            hashKey = null;
        }
        UpstreamConfig.HealthCheckConfig healthCheck = null;
        if (s.has("health_check")) {
            Section h = s.section("health_check", HEALTH_CHECK_KEYS);
            healthCheck = new UpstreamConfig.HealthCheckConfig(
                    h.parsed("path", "/health", "a path", ConfigBinder::absolutePath),
                    h.duration("interval", Duration.ofSeconds(2), true),
                    h.duration("timeout", Duration.ofSeconds(1), true),
                    (int) h.integer("healthy", 2, 1, Integer.MAX_VALUE),
                    (int) h.integer("unhealthy", 3, 1, Integer.MAX_VALUE));
        }
        Section p = s.section("passive", PASSIVE_KEYS);
        Section t = s.section("timeouts", TIMEOUTS_KEYS);
        Section pool = s.section("pool", POOL_KEYS);
        return new UpstreamConfig(name, servers, balancer, hashKey, healthCheck,
                new UpstreamConfig.PassiveConfig(
                        (int) p.integer("failures", 5, 1, Integer.MAX_VALUE),
                        p.duration("cooldown", Duration.ofSeconds(10), false)),
                new UpstreamConfig.TimeoutsConfig(
                        t.duration("connect", Duration.ofSeconds(1), true),
                        t.duration("response_header", Duration.ofSeconds(15), true),
                        t.duration("idle", Duration.ofSeconds(60), true)),
                new UpstreamConfig.PoolConfig(
                        (int) pool.integer("max_idle_per_loop", 64, 0, Integer.MAX_VALUE),
                        pool.duration("idle_timeout", Duration.ofSeconds(60), true)),
                (int) s.integer("retries", 1, 0, 100));
    }

    /** A server: {@code { address: host:port, weight: n }}, or just the address as a shorthand for weight 1. */
    private UpstreamConfig.ServerConfig server(Node item, String path) {
        if (item instanceof ScalarNode && !ConfigReader.isNull(item)) {
            String text = reader.text(item, path, "an address");
            HostPort address = text == null ? null : reader.parse(item, path, text, ConfigValues::parseServerAddress);
            return address == null ? null : new UpstreamConfig.ServerConfig(address, 1);
        }
        Section s = reader.section(item, path, SERVER_KEYS);
        if (s.node() == null) {
            if (ConfigReader.isNull(item)) {
                reader.error(item, path, "expected a server such as `{ address: 127.0.0.1:9000 }`, got nothing");
            }
            return null;
        }
        if (!s.has("address")) {
            s.missing("address");
        }
        HostPort address = s.parsed("address", null, "an address", ConfigValues::parseServerAddress);
        int weight = (int) s.integer("weight", 1, 1, 1_000_000);
        return address == null ? null : new UpstreamConfig.ServerConfig(address, weight);
    }

    // ---- routes

    private List<RouteConfig> routes(Section top, Map<String, UpstreamConfig> upstreams, WafConfig waf) {
        List<RouteConfig> routes = new ArrayList<>();
        Map<String, Integer> firstLineOfName = new HashMap<>();
        List<Node> items = top.items("routes");
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            String path = top.path("routes") + "[" + i + "]";
            Section s = reader.section(item, path, ROUTE_KEYS);
            if (s.node() == null) {
                if (ConfigReader.isNull(item)) {
                    reader.error(item, path, "expected a route (a mapping with name, match and upstream), got nothing");
                }
                continue;
            }
            int line = item.getStartMark().getLine() + 1;
            String name = s.requiredString("name");
            if (name != null) {
                checkName(s.value("name"), s.path("name"), name, "a route");
                Integer first = firstLineOfName.putIfAbsent(name, line);
                if (first != null) {
                    s.error("name", "duplicate route name " + ConfigValues.quote(name)
                            + " (first used by the route at line " + first + ")");
                }
            }
            int priority = (int) s.integer("priority", 0, Integer.MIN_VALUE, Integer.MAX_VALUE);
            RouteConfig.Match match = null;
            if (s.has("match")) {
                match = match(s.section("match", MATCH_KEYS));
            } else {
                s.missing("match");
            }
            String upstream = s.requiredString("upstream");
            if (upstream != null && !upstreams.containsKey(upstream)) {
                String suggestion = Suggestions.closest(upstream, upstreams.keySet());
                s.error("upstream", "unknown upstream " + ConfigValues.quote(upstream)
                        + (suggestion != null ? " (did you mean `" + suggestion + "`?)"
                        : upstreams.isEmpty() ? "; no upstreams are defined"
                        : "; defined upstreams: " + Suggestions.list(upstreams.keySet())));
            }
            WafPolicy wafPolicy = routeWaf(s, waf);
            CachePolicy cache = DEFAULT_ROUTE_CACHE;
            if (s.has("cache")) {
                Section c = s.section("cache", ROUTE_CACHE_KEYS);
                List<String> ignore = new ArrayList<>();
                if (c.value("ignore_params") != null) {
                    List<Node> params = c.items("ignore_params");
                    for (int p = 0; p < params.size(); p++) {
                        String text = reader.text(params.get(p), c.path("ignore_params") + "[" + p + "]",
                                "a query parameter name such as utm_source, or a prefix such as utm_*");
                        if (text != null) {
                            ignore.add(text);
                        }
                    }
                }
                cache = new CachePolicy(
                        c.bool("enabled", DEFAULT_ROUTE_CACHE.enabled()),
                        c.duration("default_ttl", DEFAULT_ROUTE_CACHE.defaultTtl(), false),
                        ignore,
                        c.bool("heuristic", false),
                        c.bool("store_set_cookie", false),
                        c.duration("serve_stale_on_error", Duration.ZERO, false));
            }
            RateLimitPolicy rateLimit = s.has("rate_limit") ? rateLimit(s.section("rate_limit", RATE_LIMIT_KEYS)) : null;
            if (name != null && match != null && upstream != null) {
                routes.add(new RouteConfig(name, priority, match, upstream, wafPolicy, cache, rateLimit, line));
            }
        }
        return routes;
    }

    private RouteConfig.Match match(Section s) {
        if (s.node() == null) {
            return null;
        }
        String host = s.parsed("host", null, "a host", ConfigBinder::routeHost);
        PathMatch path = null;
        if (!s.has("path")) {
            s.missing("path");
        } else {
            path = pathMatch(s.section("path", PATH_KEYS));
        }
        Set<String> methods = new LinkedHashSet<>();
        List<Node> methodItems = s.items("methods");
        for (int i = 0; i < methodItems.size(); i++) {
            String itemPath = s.path("methods") + "[" + i + "]";
            String text = reader.text(methodItems.get(i), itemPath, "an HTTP method");
            if (text == null) {
                continue;
            }
            String method = text.strip().toUpperCase(Locale.ROOT);
            if (!ConfigValues.isToken(method)) {
                reader.error(methodItems.get(i), itemPath, ConfigValues.quote(text) + " is not an HTTP method");
            } else {
                methods.add(method);
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<String, NodeTuple> entry : reader.entries(s.value("headers"), s.path("headers")).entrySet()) {
            String headerName = entry.getKey();
            String headerPath = ConfigReader.join(s.path("headers"), headerName);
            if (!ConfigValues.isToken(headerName)) {
                reader.error(entry.getValue().getKeyNode(), headerPath,
                        ConfigValues.quote(headerName) + " is not a valid header name");
                continue;
            }
            Node valueNode = entry.getValue().getValueNode();
            if (ConfigReader.isNull(valueNode)) {
                reader.error(valueNode, headerPath, "expected the exact header value, got nothing");
                continue;
            }
            String value = reader.text(valueNode, headerPath, "a header value");
            if (value != null) {
                headers.put(headerName, value);
            }
        }
        return path == null ? null : new RouteConfig.Match(host, path, methods, headers);
    }

    private PathMatch pathMatch(Section s) {
        if (s.node() == null) {
            return null;
        }
        int set = (s.has("exact") ? 1 : 0) + (s.has("prefix") ? 1 : 0) + (s.has("regex") ? 1 : 0);
        if (set != 1) {
            reader.error(s.node(), s.path(), "exactly one of exact, prefix or regex");
            return null;
        }
        if (s.has("regex")) {
            String regex = s.parsed("regex", null, "a regular expression", text -> {
                try {
                    Pattern.compile(text);
                    return text;
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("invalid regex: " + e.getMessage());
                }
            });
            return regex == null ? null : new PathMatch(PathMatch.Kind.REGEX, regex);
        }
        PathMatch.Kind kind = s.has("exact") ? PathMatch.Kind.EXACT : PathMatch.Kind.PREFIX;
        String key = kind == PathMatch.Kind.EXACT ? "exact" : "prefix";
        String value = s.parsed(key, null, "a path", ConfigBinder::absolutePath);
        return value == null ? null : new PathMatch(kind, value);
    }

    private WafPolicy routeWaf(Section route, WafConfig global) {
        if (!route.has("waf")) {
            return new WafPolicy(global.mode(), global.paranoia(), global.anomalyThreshold(), List.of());
        }
        Section s = route.section("waf", ROUTE_WAF_KEYS);
        List<WafPolicy.Exclusion> exclusions = new ArrayList<>();
        List<Node> items = s.items("exclusions");
        for (int i = 0; i < items.size(); i++) {
            Section e = reader.section(items.get(i), s.path("exclusions") + "[" + i + "]", EXCLUSION_KEYS);
            if (e.node() == null) {
                if (ConfigReader.isNull(items.get(i))) {
                    reader.error(items.get(i), e.path(), "expected `{ rule: ID, target: TARGET }`, got nothing");
                }
                continue;
            }
            Long rule = e.requiredInteger("rule", 1, Integer.MAX_VALUE);
            String target = e.requiredString("target");
            if (rule != null && target != null) {
                checkExclusion(e, rule.intValue(), target, global);
                exclusions.add(new WafPolicy.Exclusion(rule.intValue(), target,
                        items.get(i).getStartMark().getLine() + 1));
            }
        }
        return new WafPolicy(
                s.choice("mode", global.mode(), WAF_MODES),
                (int) s.integer("paranoia", global.paranoia(), 1, 4),
                (int) s.integer("anomaly_threshold", global.anomalyThreshold(), 1, Integer.MAX_VALUE),
                exclusions);
    }

    /**
     * An exclusion must name a rule that exists and a target that rule inspects: one that names neither would
     * silently exclude nothing, and the false positive it was written for would go on blocking.
     */
    private void checkExclusion(Section e, int rule, String target, WafConfig global) {
        if (customRules.refused(rule)) {
            return; // the rule itself was reported; "unknown rule" here would only repeat it
        }
        if (catalog == null) {
            catalog = WafRuleCatalog.of(global.customRules());
        }
        if (!catalog.contains(rule)) {
            String suggestion = closestRuleId(rule, catalog.ruleIds());
            e.error("rule", "unknown WAF rule " + rule + (suggestion != null ? " (did you mean " + suggestion + "?)"
                    : "; it is neither a built-in rule nor one of waf.custom_rules"));
        } else if (!catalog.inspects(rule, target)) {
            e.error("target", "rule " + rule + " never inspects " + target + "; it inspects "
                    + catalog.describeTargets(rule));
        }
    }

    /**
     * A typo (at most two digits off), the one sharing the longest start with what was written when several are;
     * else the nearest id of the same family (the same first three digits).
     */
    private static String closestRuleId(int rule, Set<Integer> ids) {
        String typed = Integer.toString(rule);
        String typo = null;
        int bestDistance = 3;
        int bestPrefix = -1;
        for (int id : ids) {
            String candidate = Integer.toString(id);
            int distance = Suggestions.distance(typed, candidate);
            if (distance > 2) {
                continue;
            }
            int prefix = 0;
            while (prefix < Math.min(typed.length(), candidate.length())
                    && typed.charAt(prefix) == candidate.charAt(prefix)) {
                prefix++;
            }
            if (distance < bestDistance || distance == bestDistance && prefix > bestPrefix) {
                typo = candidate;
                bestDistance = distance;
                bestPrefix = prefix;
            }
        }
        if (typo != null && bestDistance < typed.length()) {
            return typo;
        }
        Integer nearest = null;
        for (int id : ids) {
            if (id / 1000 == rule / 1000 && id >= 100_000
                    && (nearest == null || Math.abs((long) id - rule) < Math.abs((long) nearest - rule))) {
                nearest = id;
            }
        }
        return nearest == null ? null : nearest.toString();
    }

    private static RateLimitPolicy rateLimit(Section s) {
        String key = s.parsed("key", "client_ip", "a rate-limit key", text -> requestKey(text, "route"));
        Long limit = s.requiredInteger("limit", 1, Long.MAX_VALUE);
        return new RateLimitPolicy(
                key,
                limit == null ? 1 : limit,
                s.duration("window", Duration.ofSeconds(1), true),
                s.choice("on_sync_loss", SyncLossPolicy.LOCAL_SHARE, SYNC_LOSS_POLICIES));
    }

    // ---- global sections

    private WafConfig waf(Section s) {
        return new WafConfig(
                s.choice("mode", WafMode.BLOCK, WAF_MODES),
                (int) s.integer("paranoia", 1, 1, 4),
                (int) s.integer("anomaly_threshold", 5, 1, Integer.MAX_VALUE),
                s.size("body_limit", 128L << 10, 0),
                customRules.bind(s),
                s.choice("body_over_limit", BodyOverLimit.INSPECT_PARTIAL, BODY_OVER_LIMIT),
                s.has("auto_ban") ? autoBan(s.section("auto_ban", AUTO_BAN_KEYS)) : null);
    }

    private static WafConfig.AutoBan autoBan(Section s) {
        Long after = s.requiredInteger("after", 1, Integer.MAX_VALUE);
        return new WafConfig.AutoBan(after == null ? 1 : after,
                s.duration("window", Duration.ofMinutes(1), true),
                s.duration("ban", Duration.ofMinutes(10), true));
    }

    private static CacheConfig cache(Section s) {
        return new CacheConfig(
                s.size("memory", 64L << 20, 0),
                s.size("max_object", 8L << 20, 0),
                s.has("redis") ? url(s.section("redis", URL_KEYS), "redis://127.0.0.1:6379") : null);
    }

    private static ClusterConfig cluster(Section s) {
        String name = s.has("name") ? s.requiredString("name") : null;
        return new ClusterConfig(
                name != null ? name : "default",
                s.has("nats") ? url(s.section("nats", URL_KEYS), "nats://127.0.0.1:4222") : null,
                s.duration("sync_interval", Duration.ofMillis(100), true),
                s.integer("max_counters", ClusterConfig.DEFAULT_MAX_COUNTERS, 1000, Integer.MAX_VALUE));
    }

    /** A URL for a client library (Lettuce, jnats) that checks the rest itself; only the scheme is checked here. */
    private static String url(Section s, String example) {
        if (s.node() == null) {
            return null;
        }
        if (!s.has("url")) {
            s.missing("url");
            return null;
        }
        return s.parsed("url", null, "a URL", text -> {
            int scheme = text.indexOf("://");
            if (scheme <= 0 || scheme + 3 >= text.length() || text.strip().length() != text.length()) {
                throw new IllegalArgumentException(ConfigValues.quote(text) + " is not a URL; write for example "
                        + example);
            }
            return text;
        });
    }

    private ClientIpConfig clientIp(Section s) {
        List<String> trusted = DEFAULT_TRUSTED_PROXIES;
        if (s.value("trusted_proxies") != null) {
            trusted = new ArrayList<>();
            List<Node> items = s.items("trusted_proxies");
            for (int i = 0; i < items.size(); i++) {
                String path = s.path("trusted_proxies") + "[" + i + "]";
                String text = reader.text(items.get(i), path, "a CIDR such as 10.0.0.0/8");
                if (text == null) {
                    continue;
                }
                try {
                    Cidr.parse(text.strip());
                    trusted.add(text.strip());
                } catch (IllegalArgumentException e) {
                    reader.error(items.get(i), path, e.getMessage());
                }
            }
        }
        return new ClientIpConfig(trusted, s.parsed("header", DEFAULT_CLIENT_IP_HEADER, "a header name",
                ConfigBinder::headerName));
    }

    private static LimitsConfig limits(Section s) {
        return new LimitsConfig(
                // Bounded so a head always fits one in-memory buffer; nginx's large_client_header_buffers
                // and HAProxy's tune.bufsize are far smaller.
                s.size("max_header_bytes", 32L << 10, 1, 1L << 20),
                s.size("max_uri_bytes", 8L << 10, 1, 1L << 20),
                s.size("max_body_bytes", 100L << 20, 0),
                s.duration("header_read_timeout", Duration.ofSeconds(10), true),
                (int) s.integer("max_connections", 100_000, 1, Integer.MAX_VALUE));
    }

    // ---- value checks shared by several keys

    /**
     * {@code client_ip}, {@code header:NAME} or {@code other} (the third kind differs: {@code path} for hash keys,
     * {@code route} for rate-limit keys).
     */
    private static String requestKey(String text, String other) {
        if (text.equals("client_ip") || text.equals(other)) {
            return text;
        }
        if (text.startsWith("header:")) {
            headerName(text.substring("header:".length()));
            return text;
        }
        String suggestion = Suggestions.closest(text, List.of("client_ip", other, "header:"));
        throw new IllegalArgumentException(ConfigValues.quote(text) + " is not one of `client_ip`, `header:NAME` or `"
                + other + "`" + (suggestion != null ? " (did you mean `" + suggestion + "`?)" : ""));
    }

    private static String headerName(String name) {
        if (!ConfigValues.isToken(name)) {
            throw new IllegalArgumentException(ConfigValues.quote(name) + " is not a valid header name");
        }
        return name;
    }

    private static String absolutePath(String text) {
        if (!text.startsWith("/")) {
            throw new IllegalArgumentException("a path must start with `/`, got " + ConfigValues.quote(text));
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= ' ' || c == 0x7F) {
                throw new IllegalArgumentException("a path can not contain spaces or control characters, got "
                        + ConfigValues.quote(text));
            }
        }
        return text;
    }

    /** An exact host or {@code *.suffix}, lower-cased because host names compare case-insensitively (RFC 9110 4.2.3). */
    private static String routeHost(String text) {
        String host = text.strip().toLowerCase(Locale.ROOT);
        String name = host.startsWith("*.") ? host.substring(2) : host;
        if (!ConfigValues.isHostName(name)) {
            throw new IllegalArgumentException(ConfigValues.quote(text)
                    + " is not a host; write an exact name (api.example.com) or a wildcard (*.example.com)");
        }
        return host;
    }

    /**
     * Route and upstream names end up in metric labels, logs and admin URLs, so they stay simple: letters, digits,
     * {@code _}, {@code -} and {@code .}.
     */
    private void checkName(Node at, String path, String name, String what) {
        boolean ok = !name.isEmpty() && name.length() <= 128;
        for (int i = 0; i < name.length() && ok; i++) {
            char c = name.charAt(i);
            ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '-' || c == '.';
        }
        if (!ok) {
            reader.error(at, path, ConfigValues.quote(name) + " is not a valid name for " + what
                    + "; use letters, digits, `_`, `-` and `.` (at most 128)");
        }
    }

    /** The file spelling of each constant ({@code ROUND_ROBIN} is written {@code round_robin}), in declaration order. */
    static <E extends Enum<E>> Map<String, E> spellings(Class<E> type) {
        Map<String, E> map = new LinkedHashMap<>();
        for (E constant : type.getEnumConstants()) {
            map.put(constant.name().toLowerCase(Locale.ROOT), constant);
        }
        return Collections.unmodifiableMap(map);
    }

    /** The default node id; looked up once, and only when a config leaves {@code node.id} out. */
    private static final class LocalHostName {
        static final String VALUE = lookup();

        private static String lookup() {
            try {
                String name = InetAddress.getLocalHost().getHostName();
                return name == null || name.isBlank() ? "aegis" : name;
            } catch (Exception e) {
                return "aegis";
            }
        }
    }
}
