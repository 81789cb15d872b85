package dev.aegis.route;

import static dev.aegis.route.Routes.route;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import dev.aegis.config.RouteConfig;
import dev.aegis.config.RouteConfig.PathMatch.Kind;
import dev.aegis.route.Routes.Request;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Compares {@link RouteTable} with a naive reference written straight from its javadoc: sort by the
 * documented precedence, then scan every route in order with plain string operations. The table's indexes,
 * pruning and in-place host handling must never change the answer.
 */
class RouteTableCrossCheckTest {

    private static final String[] SEGMENTS = {"a", "b", "api", "v1", "img", "x.png"};
    private static final String[] REGEXES = {
        "/a/.*", "/api/v[0-9]+(/.*)?", ".*\\.png", "/[ab/]+", "/x(/.*)?", "/api(/.*)?", ".*", "/(a|b)/(a|b)"};
    private static final String[] ROUTE_HOSTS = {
        null, null, null, "example.com", "a.example.com", "*.example.com", "*.a.example.com", "other.org", "[::1]"};
    private static final String[] REQUEST_HOSTS = {
        null, "", "example.com", "EXAMPLE.com", "a.example.com:8080", "b.a.example.com", "A.Example.Com.",
        "other.org:443", "[::1]:8080", "[::1]", "example.com.", "x.other.org", "evil-example.com", "com",
        "c.b.a.example.com"};
    private static final List<Set<String>> ROUTE_METHODS = List.of(
        Set.of(), Set.of(), Set.of(), Set.of("GET"), Set.of("POST"), Set.of("GET", "POST"), Set.of("HEAD"),
        Set.of("PUT"));
    private static final String[] REQUEST_METHODS = {"GET", "GET", "HEAD", "POST", "PUT", "DELETE", "get"};
    private static final List<Map<String, String>> ROUTE_HEADERS = List.of(
        Map.of(), Map.of(), Map.of(), Map.of("X-Tenant", "acme"), Map.of("X-Tenant", "beta"),
        Map.of("X-Tenant", "acme", "X-Env", "prod"));
    private static final int[] PRIORITIES = {0, 0, 0, 10, 100};

    @Test
    void matchAgreesWithANaiveLinearScan() {
        Random random = new Random(20240607L);
        int requests = 0;
        int matched = 0;
        for (int tableNo = 0; tableNo < 100; tableNo++) {
            List<RouteConfig> configs = new ArrayList<>();
            int count = 1 + random.nextInt(40);
            for (int i = 0; i < count; i++) {
                configs.add(randomRoute(random, "r" + i));
            }
            RouteTable table = RouteTable.compile(configs);
            Reference reference = new Reference(configs);

            assertThat(table.routes()).extracting(Route::config).containsExactlyElementsOf(reference.ordered);
            for (int n = 0; n < 50; n++) {
                Request request = randomRequest(random);
                Route actual = table.match(request);
                RouteConfig expected = reference.match(request);
                assertThat(actual == null ? null : actual.config())
                        .as("table %d, %s, routes %s", tableNo, request, reference.ordered)
                        .isSameAs(expected);
                if (actual != null) {
                    assertThat(table.routes().get(actual.index())).isSameAs(actual);
                    matched++;
                }
                requests++;
            }
        }
        assertThat(requests).isEqualTo(5000);
        // The generator must produce both outcomes often, or the comparison proves little.
        assertThat(matched).isBetween(1000, 4000);
    }

    private static RouteConfig randomRoute(Random random, String name) {
        Kind kind = Kind.values()[random.nextInt(3)];
        String path = switch (kind) {
            case EXACT -> randomPath(random);
            case PREFIX -> {
                String p = randomPath(random);
                yield p.substring(0, 1 + random.nextInt(p.length()));
            }
            case REGEX -> pick(random, REGEXES);
        };
        return route(name, PRIORITIES[random.nextInt(PRIORITIES.length)], pick(random, ROUTE_HOSTS), kind, path,
                ROUTE_METHODS.get(random.nextInt(ROUTE_METHODS.size())),
                ROUTE_HEADERS.get(random.nextInt(ROUTE_HEADERS.size())));
    }

    private static Request randomRequest(Random random) {
        Map<String, String> headers = new HashMap<>();
        if (random.nextBoolean()) {
            headers.put(pick(random, new String[] {"X-Tenant", "x-tenant", "X-TENANT"}),
                    pick(random, new String[] {"acme", "beta", "ACME"}));
        }
        if (random.nextBoolean()) {
            headers.put(pick(random, new String[] {"X-Env", "x-env"}), pick(random, new String[] {"prod", "dev"}));
        }
        return new Request(pick(random, REQUEST_METHODS), pick(random, REQUEST_HOSTS), randomPath(random), headers);
    }

    private static String randomPath(Random random) {
        StringBuilder path = new StringBuilder("/");
        int segments = random.nextInt(5);
        for (int i = 0; i < segments; i++) {
            if (i > 0) {
                path.append('/');
            }
            path.append(pick(random, SEGMENTS));
        }
        if (segments > 0 && random.nextInt(4) == 0) {
            path.append('/');
        }
        return path.toString();
    }

    private static <T> T pick(Random random, T[] values) {
        return values[random.nextInt(values.length)];
    }

    /** The documented semantics, as plainly as they can be written. */
    private static final class Reference {
        final List<RouteConfig> ordered;

        Reference(List<RouteConfig> configs) {
            List<RouteConfig> sorted = new ArrayList<>(configs);
            Comparator<RouteConfig> precedence = Comparator
                    .comparing((RouteConfig r) -> r.priority(), Comparator.reverseOrder())
                    .thenComparing(r -> hostRank(r.match().host()), Comparator.reverseOrder())
                    .thenComparing(r -> r.match().path().kind())
                    .thenComparing(r -> r.match().path().kind() == Kind.PREFIX ? r.match().path().value().length() : 0,
                            Comparator.reverseOrder())
                    .thenComparing(r -> (r.match().methods().isEmpty() ? 0 : 1) + r.match().headers().size(),
                            Comparator.reverseOrder())
                    .thenComparing(configs::indexOf);
            sorted.sort(precedence);
            ordered = List.copyOf(sorted);
        }

        /** Exact host above every wildcard; a longer wildcard suffix above a shorter one; no host last. */
        private static int hostRank(String host) {
            if (host == null) {
                return 0;
            }
            return host.startsWith("*.") ? host.length() : 10_000;
        }

        RouteConfig match(Request request) {
            for (RouteConfig route : ordered) {
                if (hostMatches(route.match().host(), request.host())
                        && pathMatches(route.match().path(), request.path())
                        && methodMatches(route.match().methods(), request.method())
                        && headersMatch(route.match().headers(), request)) {
                    return route;
                }
            }
            return null;
        }

        private static boolean hostMatches(String routeHost, String requestHost) {
            if (routeHost == null) {
                return true;
            }
            if (requestHost == null) {
                return false;
            }
            String host = requestHost;
            if (host.startsWith("[")) {
                host = host.substring(0, host.indexOf(']') + 1);
            } else if (host.indexOf(':') >= 0 && host.indexOf(':') == host.lastIndexOf(':')) {
                host = host.substring(0, host.indexOf(':'));
            }
            host = host.toLowerCase(Locale.ROOT);
            if (host.endsWith(".")) {
                host = host.substring(0, host.length() - 1);
            }
            if (routeHost.startsWith("*.")) {
                String dotSuffix = routeHost.substring(1);
                return host.endsWith(dotSuffix) && host.length() > dotSuffix.length()
                        && !host.startsWith(".");
            }
            return host.equals(routeHost);
        }

        private static boolean pathMatches(RouteConfig.PathMatch match, String path) {
            return switch (match.kind()) {
                case EXACT -> path.equals(match.value());
                case PREFIX -> path.startsWith(match.value());
                case REGEX -> Pattern.compile(match.value()).matcher(path).matches();
            };
        }

        private static boolean methodMatches(Set<String> methods, String method) {
            return methods.isEmpty() || methods.contains(method)
                    || (method.equals("HEAD") && methods.contains("GET"));
        }

        private static boolean headersMatch(Map<String, String> headers, Request request) {
            return headers.entrySet().stream().allMatch(h -> h.getValue().equals(request.header(h.getKey())));
        }
    }
}
