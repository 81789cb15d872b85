package dev.aegis.admin;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The admin API's route table: (method, exact path) to a handler, and which paths answer without the token.
 * New endpoints are one line in {@link #forNode}; the connection handler does the HTTP around them.
 */
final class AdminRoutes {
    /** What an endpoint does with a request. It may complete later, on any thread; it must not block. */
    @FunctionalInterface
    interface Handler {
        CompletableFuture<AdminResponse> handle(AdminRequest request);

        /** A handler that answers at once. */
        static Handler sync(Function<AdminRequest, AdminResponse> answer) {
            return request -> CompletableFuture.completedFuture(answer.apply(request));
        }
    }

    /** Who may call a route. */
    enum Access {
        /** Anyone: probes (load balancers, Kubernetes) cannot be given a secret. */
        PUBLIC,
        /** Only with {@code admin.token}, when one is configured. */
        TOKEN
    }

    /** One endpoint. */
    record Route(String method, String path, Access access, Handler handler) {
    }

    /** The outcome of looking a request up. */
    sealed interface Match {
    }

    /** A route answers the request. */
    record Found(Route route) implements Match {
    }

    /** The path exists, the method does not: 405 with {@code allow} (RFC 9110 §15.5.6). */
    record WrongMethod(String allow) implements Match {
    }

    /** Nothing here: 404. */
    record NotFound() implements Match {
    }

    private static final Match NOT_FOUND = new NotFound();

    private final Map<String, Map<String, Route>> byPath; // path -> method -> route
    private final Map<String, String> allow;              // path -> Allow field value
    private final Set<String> publicPaths;

    private AdminRoutes(List<Route> routes) {
        Map<String, Map<String, Route>> paths = new LinkedHashMap<>();
        Set<String> open = new HashSet<>();
        for (Route r : routes) {
            Route previous = paths.computeIfAbsent(r.path(), p -> new LinkedHashMap<>()).put(r.method(), r);
            if (previous != null) {
                throw new IllegalArgumentException("two admin routes for " + r.method() + " " + r.path());
            }
            if (r.access() == Access.PUBLIC) {
                open.add(r.path());
            }
        }
        Map<String, String> allowed = new LinkedHashMap<>();
        paths.forEach((path, methods) -> {
            List<String> names = new ArrayList<>(methods.keySet());
            if (methods.containsKey("GET") && !methods.containsKey("HEAD")) {
                names.add(names.indexOf("GET") + 1, "HEAD");
            }
            allowed.put(path, String.join(", ", names));
        });
        this.byPath = Map.copyOf(paths);
        this.allow = Map.copyOf(allowed);
        this.publicPaths = Set.copyOf(open);
    }

    /** A table of exactly {@code routes} (tests build small ones). */
    static AdminRoutes of(List<Route> routes) {
        return new AdminRoutes(routes);
    }

    /** The admin API of a running node. */
    static AdminRoutes forNode(AdminEndpoints node) {
        Objects.requireNonNull(node, "endpoints");
        return of(List.of(
                new Route("GET", "/healthz", Access.PUBLIC, Handler.sync(r -> AdminResponse.text(200, "ok"))),
                new Route("GET", "/readyz", Access.PUBLIC, Handler.sync(r -> node.ready()
                        ? AdminResponse.text(200, "ready") : AdminResponse.text(503, "not ready"))),
                new Route("POST", "/admin/reload", Access.TOKEN, r -> reload(node)),
                new Route("GET", "/admin/blocklist", Access.TOKEN, Handler.sync(r -> ClusterEndpoints.bans(node))),
                new Route("POST", "/admin/blocklist", Access.TOKEN, Handler.sync(r -> ClusterEndpoints.ban(node, r))),
                new Route("DELETE", "/admin/blocklist", Access.TOKEN,
                        Handler.sync(r -> ClusterEndpoints.unban(node, r))),
                new Route("GET", "/admin/cluster", Access.TOKEN, Handler.sync(r -> ClusterEndpoints.cluster(node))),
                new Route("POST", "/admin/cache/purge", Access.TOKEN, r -> CacheEndpoints.purge(node, r)),
                new Route("GET", "/admin/ratelimit", Access.TOKEN,
                        Handler.sync(r -> ClusterEndpoints.rateLimit(node, r))),
                new Route("GET", "/metrics", Access.TOKEN, Handler.sync(r -> InspectEndpoints.metrics(node))),
                new Route("GET", "/admin/config", Access.TOKEN, Handler.sync(r -> InspectEndpoints.config(node))),
                new Route("GET", "/admin/routes", Access.TOKEN, Handler.sync(r -> InspectEndpoints.routes(node))),
                new Route("GET", "/admin/upstreams", Access.TOKEN,
                        Handler.sync(r -> InspectEndpoints.upstreams(node))),
                new Route("GET", "/admin/waf/recent", Access.TOKEN,
                        Handler.sync(r -> InspectEndpoints.wafRecent(node, r))),
                // The dashboard's page, script and styles hold no data (every figure comes from the endpoints
                // above, with the token), so a browser can load them before it has been given the token.
                new Route("GET", "/", Access.PUBLIC, Handler.sync(r -> Dashboard.file("index.html"))),
                new Route("GET", "/dashboard.js", Access.PUBLIC, Handler.sync(r -> Dashboard.file("dashboard.js"))),
                new Route("GET", "/uplot.js", Access.PUBLIC, Handler.sync(r -> Dashboard.file("uplot.js"))),
                new Route("GET", "/uplot.css", Access.PUBLIC, Handler.sync(r -> Dashboard.file("uplot.css")))));
    }

    /**
     * Whether {@code path} answers without the token, whatever the method. Everything else needs it, a path that
     * does not exist included, so that without the token nothing can be learnt about what is there.
     */
    boolean isPublic(String path) {
        return path != null && publicPaths.contains(path);
    }

    /** The route for {@code method} on {@code path} (null: a target that is no path here). HEAD finds GET. */
    Match match(String method, String path) {
        Map<String, Route> methods = path == null ? null : byPath.get(path);
        if (methods == null) {
            return NOT_FOUND;
        }
        Route route = methods.get(method);
        if (route == null && method.equals("HEAD")) {
            route = methods.get("GET"); // RFC 9110 §9.3.2: HEAD is GET without the content
        }
        return route != null ? new Found(route) : new WrongMethod(allow.get(path));
    }

    private static CompletableFuture<AdminResponse> reload(AdminEndpoints node) {
        // The node logs the outcome of every reload, whoever asked for it.
        return node.reload().thenApply(result -> {
            if (result.applied()) {
                return AdminResponse.json(200, "{\"status\":\"reloaded\"}");
            }
            return AdminResponse.json(400,
                    "{\"status\":\"rejected\",\"errors\":" + Json.stringArray(result.errors()) + "}");
        });
    }
}
