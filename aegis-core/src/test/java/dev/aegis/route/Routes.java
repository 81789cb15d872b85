package dev.aegis.route;

import dev.aegis.config.RouteConfig;
import dev.aegis.config.RouteConfig.Match;
import dev.aegis.config.RouteConfig.PathMatch;
import dev.aegis.config.RouteConfig.PathMatch.Kind;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Test fixtures: route configs and requests, written the way the config loader would produce them. */
final class Routes {

    private Routes() {
    }

    static RouteConfig route(String name, int priority, String host, Kind kind, String path) {
        return route(name, priority, host, kind, path, Set.of(), Map.of());
    }

    static RouteConfig route(String name, int priority, String host, Kind kind, String path, Set<String> methods,
            Map<String, String> headers) {
        return new RouteConfig(name, priority, new Match(host, new PathMatch(kind, path), methods, headers),
                "app", null, null, null, 0);
    }

    static RouteConfig exact(String name, String path) {
        return route(name, 0, null, Kind.EXACT, path);
    }

    static RouteConfig prefix(String name, String path) {
        return route(name, 0, null, Kind.PREFIX, path);
    }

    static RouteConfig regex(String name, String path) {
        return route(name, 0, null, Kind.REGEX, path);
    }

    static Request get(String host, String path) {
        return new Request("GET", host, path, Map.of());
    }

    /** A request whose header lookup ignores the name's case, as the node's does. */
    record Request(String method, String host, String path, Map<String, String> headers)
            implements RoutableRequest {

        Request {
            TreeMap<String, String> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            byName.putAll(headers);
            headers = byName;
        }

        @Override
        public String header(String name) {
            return headers.get(name);
        }
    }
}
