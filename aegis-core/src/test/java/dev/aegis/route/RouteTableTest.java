package dev.aegis.route;

import static dev.aegis.route.Routes.exact;
import static dev.aegis.route.Routes.get;
import static dev.aegis.route.Routes.prefix;
import static dev.aegis.route.Routes.regex;
import static dev.aegis.route.Routes.route;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.config.RouteConfig;
import dev.aegis.config.RouteConfig.PathMatch.Kind;
import dev.aegis.route.Routes.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RouteTableTest {

    private static String match(RouteTable table, RoutableRequest request) {
        Route route = table.match(request);
        return route == null ? null : route.name();
    }

    private static String match(RouteTable table, String host, String path) {
        return match(table, get(host, path));
    }

    private static RouteTable table(RouteConfig... routes) {
        return RouteTable.compile(List.of(routes));
    }

    @Nested
    class Paths {

        @Test
        void exactBeatsPrefixBeatsRegexAtEqualPriority() {
            // Listed worst-first so file order cannot be what decides.
            RouteTable t = table(regex("re", "/a/.*"), prefix("pre", "/a/"), exact("ex", "/a/b"));

            assertThat(match(t, null, "/a/b")).isEqualTo("ex");
            assertThat(match(t, null, "/a/c")).isEqualTo("pre");
            assertThat(t.routes()).extracting(Route::name).containsExactly("ex", "pre", "re");
        }

        @Test
        void evenTheRootPrefixBeatsARegexOfEqualPriority() {
            RouteTable t = table(regex("re", "/img/.*\\.png"), prefix("root", "/"));

            assertThat(match(t, null, "/img/a.png")).isEqualTo("root");
        }

        @Test
        void longestPrefixWins() {
            RouteTable t = table(prefix("root", "/"), prefix("api", "/api/"), prefix("v1", "/api/v1/"),
                    prefix("v1x", "/api/v1/x"));

            assertThat(match(t, null, "/")).isEqualTo("root");
            assertThat(match(t, null, "/static/x.css")).isEqualTo("root");
            assertThat(match(t, null, "/api")).isEqualTo("root");
            assertThat(match(t, null, "/api/")).isEqualTo("api");
            assertThat(match(t, null, "/api/v2/users")).isEqualTo("api");
            assertThat(match(t, null, "/api/v1/users")).isEqualTo("v1");
            assertThat(match(t, null, "/api/v1/xyz")).isEqualTo("v1x");
        }

        @Test
        void prefixComparesCharactersNotSegments() {
            RouteTable t = table(prefix("api", "/api"));

            assertThat(match(t, null, "/api")).isEqualTo("api");
            assertThat(match(t, null, "/apis/1")).isEqualTo("api");
            assertThat(match(t, null, "/ap")).isNull();
        }

        @Test
        void exactMatchesTheWholePathOnly() {
            RouteTable t = table(exact("login", "/login"));

            assertThat(match(t, null, "/login")).isEqualTo("login");
            assertThat(match(t, null, "/login/")).isNull();
            assertThat(match(t, null, "/Login")).isNull();
        }

        @Test
        void exactRouteWhoseConditionsFailFallsBackToAPrefix() {
            RouteTable t = table(prefix("pre", "/a"),
                    route("ex-post", 0, null, Kind.EXACT, "/a/b", Set.of("POST"), Map.of()));

            assertThat(match(t, null, "/a/b")).isEqualTo("pre");
            assertThat(match(t, new Request("POST", null, "/a/b", Map.of()))).isEqualTo("ex-post");
        }

        @Test
        void regexMustMatchTheWholePath() {
            RouteTable t = table(regex("png", "/img/.*\\.png"));

            assertThat(match(t, null, "/img/a/b.png")).isEqualTo("png");
            assertThat(match(t, null, "/x/img/a.png")).isNull();
            assertThat(match(t, null, "/img/a.png.bak")).isNull();
        }

        @Test
        void firstRegexInPrecedenceOrderWins() {
            RouteTable t = table(regex("any", ".*"), regex("png", ".*\\.png"),
                    route("hi", 5, null, Kind.REGEX, "/hi/.*"));

            assertThat(match(t, null, "/hi/a.png")).isEqualTo("hi");
            assertThat(match(t, null, "/a.png")).isEqualTo("any");
        }

        @Test
        void pathlessRequestMatchesNothing() {
            RouteTable t = table(prefix("root", "/"), regex("any", ".*"));

            assertThat(match(t, null, null)).isNull();
        }

        @Test
        void catastrophicBacktrackingPatternRunsInLinearTime() {
            // A backtracking engine needs about 2^100000 steps to reject this; RE2J is linear in the input.
            RouteTable t = table(regex("evil", "/(a+)+$"));
            String as = "a".repeat(100_000);

            assertThat(match(t, null, "/" + as + "!")).isNull();
            assertThat(match(t, null, "/" + as)).isEqualTo("evil");
        }
    }

    @Nested
    class Priority {

        @Test
        void higherPriorityBeatsAMoreSpecificPath() {
            RouteTable t = table(exact("ex", "/a/b"), prefix("pre", "/a/"),
                    route("re", 10, null, Kind.REGEX, "/a/.*"));

            assertThat(match(t, null, "/a/b")).isEqualTo("re");
        }

        @Test
        void higherPriorityBeatsAMoreSpecificHost() {
            RouteTable t = table(route("host", 0, "example.com", Kind.EXACT, "/a"),
                    route("any", 1, null, Kind.PREFIX, "/"));

            assertThat(match(t, "example.com", "/a")).isEqualTo("any");
        }

        @Test
        void extremePrioritiesOrderCorrectly() {
            RouteTable t = table(route("min", Integer.MIN_VALUE, null, Kind.EXACT, "/"), prefix("zero", "/"),
                    route("max", Integer.MAX_VALUE, null, Kind.REGEX, "/.*"));

            assertThat(t.routes()).extracting(Route::name).containsExactly("max", "zero", "min");
        }

        @Test
        void hostSpecificityComesBeforePathSpecificity() {
            RouteTable t = table(exact("any-exact", "/a"), route("host-root", 0, "example.com", Kind.PREFIX, "/"));

            assertThat(match(t, "example.com", "/a")).isEqualTo("host-root");
            assertThat(match(t, "other.com", "/a")).isEqualTo("any-exact");
        }

        @Test
        void moreConditionsWinThenFileOrder() {
            RouteTable t = table(prefix("first", "/"), prefix("second", "/"),
                    route("get", 0, null, Kind.PREFIX, "/", Set.of("GET"), Map.of()),
                    route("get-tenant", 0, null, Kind.PREFIX, "/", Set.of("GET"), Map.of("X-Tenant", "acme")));

            assertThat(t.routes()).extracting(Route::name).containsExactly("get-tenant", "get", "first", "second");
            assertThat(match(t, new Request("GET", null, "/", Map.of("X-Tenant", "acme")))).isEqualTo("get-tenant");
            assertThat(match(t, get(null, "/"))).isEqualTo("get");
            assertThat(match(t, new Request("POST", null, "/", Map.of()))).isEqualTo("first");
        }

        @Test
        void routesListsPrecedenceOrderAndIndexIsThePosition() {
            RouteTable t = table(regex("re", "/.*"), exact("ex", "/"), route("hi", 3, null, Kind.PREFIX, "/"));

            assertThat(t.size()).isEqualTo(3);
            assertThat(t.routes()).extracting(Route::name).containsExactly("hi", "ex", "re");
            for (int i = 0; i < t.size(); i++) {
                assertThat(t.routes().get(i).index()).isEqualTo(i);
            }
            Route hi = t.match(get(null, "/x"));
            assertThat(hi.priority()).isEqualTo(3);
            assertThat(hi.config().upstream()).isEqualTo("app");
        }
    }

    @Nested
    class Hosts {

        private final RouteTable t = table(
                route("exact", 0, "example.com", Kind.PREFIX, "/"),
                route("wild", 0, "*.example.com", Kind.PREFIX, "/"),
                route("deep-wild", 0, "*.a.example.com", Kind.PREFIX, "/"),
                route("b", 0, "b.example.com", Kind.PREFIX, "/"),
                route("v6", 0, "[::1]", Kind.PREFIX, "/"),
                route("ip", 0, "10.0.0.1", Kind.PREFIX, "/"),
                route("any", 0, null, Kind.EXACT, "/fallback"));

        @Test
        void exactHost() {
            assertThat(match(t, "example.com", "/")).isEqualTo("exact");
            assertThat(match(t, "b.example.com", "/")).isEqualTo("b");
            assertThat(match(t, "10.0.0.1", "/")).isEqualTo("ip");
        }

        @Test
        void hostIsCaseInsensitive() {
            assertThat(match(t, "EXAMPLE.com", "/")).isEqualTo("exact");
            assertThat(match(t, "X.Example.COM", "/")).isEqualTo("wild");
        }

        @Test
        void portAndTrailingDotAreIgnored() {
            assertThat(match(t, "example.com:8080", "/")).isEqualTo("exact");
            assertThat(match(t, "example.com.", "/")).isEqualTo("exact");
            assertThat(match(t, "Example.Com.:443", "/")).isEqualTo("exact");
            assertThat(match(t, "b.example.com:1", "/")).isEqualTo("b");
            assertThat(match(t, "10.0.0.1:80", "/")).isEqualTo("ip");
        }

        @Test
        void ipv6LiteralKeepsItsBracketsAndLosesItsPort() {
            assertThat(match(t, "[::1]:8080", "/")).isEqualTo("v6");
            assertThat(match(t, "[::1]", "/")).isEqualTo("v6");
            assertThat(match(t, "[::2]:8080", "/")).isNull();
            assertThat(match(t, "::1", "/")).isNull();
        }

        @Test
        void wildcardMatchesAnyDepthButNotTheApex() {
            RouteTable wildOnly = table(route("wild", 0, "*.example.com", Kind.PREFIX, "/"));

            assertThat(match(wildOnly, "a.example.com", "/")).isEqualTo("wild");
            assertThat(match(wildOnly, "a.b.example.com", "/")).isEqualTo("wild");
            assertThat(match(wildOnly, "a.example.com:8443", "/")).isEqualTo("wild");
            assertThat(match(wildOnly, "example.com", "/")).isNull();
            assertThat(match(wildOnly, ".example.com", "/")).isNull();
            assertThat(match(wildOnly, "badexample.com", "/")).isNull();
            assertThat(match(wildOnly, "example.com.evil.org", "/")).isNull();
        }

        @Test
        void exactHostBeatsLongerWildcardBeatsShorterWildcard() {
            assertThat(match(t, "b.example.com", "/")).isEqualTo("b");
            assertThat(match(t, "x.a.example.com", "/")).isEqualTo("deep-wild");
            assertThat(match(t, "a.example.com", "/")).isEqualTo("wild");
            assertThat(match(t, "y.x.a.example.com", "/")).isEqualTo("deep-wild");
        }

        @Test
        void unknownOrMissingHostOnlyMatchesRoutesWithoutHost() {
            assertThat(match(t, "other.org", "/")).isNull();
            assertThat(match(t, "other.org", "/fallback")).isEqualTo("any");
            assertThat(match(t, null, "/")).isNull();
            assertThat(match(t, null, "/fallback")).isEqualTo("any");
            assertThat(match(t, "", "/fallback")).isEqualTo("any");
            assertThat(match(t, "example.com", "/fallback")).isEqualTo("exact");
        }

        @Test
        void configuredHostIsNormalisedToo() {
            RouteTable odd = table(route("odd", 0, "Example.COM.", Kind.PREFIX, "/"));

            assertThat(match(odd, "example.com", "/")).isEqualTo("odd");
        }
    }

    @Nested
    class Methods {

        private final RouteTable t = table(
                route("read", 0, null, Kind.PREFIX, "/", Set.of("GET"), Map.of()),
                route("write", 0, null, Kind.PREFIX, "/", Set.of("POST", "PUT"), Map.of()),
                route("head-only", 0, null, Kind.PREFIX, "/h", Set.of("HEAD"), Map.of()),
                route("options", 0, null, Kind.EXACT, "/o", Set.of("OPTIONS"), Map.of()));

        private String method(String method, String path) {
            return match(t, new Request(method, null, path, Map.of()));
        }

        @Test
        void listedMethodsOnly() {
            assertThat(method("GET", "/")).isEqualTo("read");
            assertThat(method("POST", "/")).isEqualTo("write");
            assertThat(method("PUT", "/x")).isEqualTo("write");
            assertThat(method("DELETE", "/")).isNull();
            assertThat(method("OPTIONS", "/o")).isEqualTo("options");
            assertThat(method("OPTIONS", "/")).isNull();
        }

        @Test
        void noMethodsMeansAnyMethod() {
            RouteTable any = table(prefix("any", "/"));

            assertThat(match(any, new Request("PATCH", null, "/", Map.of()))).isEqualTo("any");
            assertThat(match(any, new Request(null, null, "/", Map.of()))).isEqualTo("any");
        }

        @Test
        void getRouteAlsoServesHeadButHeadRouteDoesNotServeGet() {
            assertThat(method("HEAD", "/")).isEqualTo("read");
            assertThat(method("HEAD", "/h")).isEqualTo("head-only");
            assertThat(method("GET", "/h")).isEqualTo("read");
            RouteTable headOnly = table(route("head-only", 0, null, Kind.PREFIX, "/", Set.of("HEAD"), Map.of()));
            assertThat(match(headOnly, get(null, "/"))).isNull();
        }

        @Test
        void methodsAreCaseSensitive() {
            assertThat(method("get", "/")).isNull();
            assertThat(method("Post", "/")).isNull();
        }
    }

    @Nested
    class Headers {

        private final RouteTable t = table(
                route("acme", 0, null, Kind.PREFIX, "/", Set.of(), Map.of("X-Tenant", "acme")),
                route("acme-prod", 0, null, Kind.PREFIX, "/", Set.of(), Map.of("X-Tenant", "acme", "X-Env", "prod")),
                prefix("default", "/"));

        private String headers(Map<String, String> headers) {
            return match(t, new Request("GET", null, "/", headers));
        }

        @Test
        void nameIsCaseInsensitiveValueIsExact() {
            assertThat(headers(Map.of("x-tenant", "acme"))).isEqualTo("acme");
            assertThat(headers(Map.of("X-TENANT", "acme"))).isEqualTo("acme");
            assertThat(headers(Map.of("X-Tenant", "ACME"))).isEqualTo("default");
            assertThat(headers(Map.of("X-Tenant", "acme "))).isEqualTo("default");
        }

        @Test
        void allListedHeadersMustMatch() {
            assertThat(headers(Map.of("X-Tenant", "acme", "x-env", "prod"))).isEqualTo("acme-prod");
            assertThat(headers(Map.of("X-Tenant", "acme", "x-env", "dev"))).isEqualTo("acme");
            assertThat(headers(Map.of("x-env", "prod"))).isEqualTo("default");
            assertThat(headers(Map.of())).isEqualTo("default");
        }
    }

    @Nested
    class NoMatch {

        @Test
        void emptyTableMatchesNothing() {
            RouteTable t = RouteTable.compile(List.of());

            assertThat(t.size()).isZero();
            assertThat(t.routes()).isEmpty();
            assertThat(t.match(get("example.com", "/"))).isNull();
        }

        @Test
        void nothingMatchesIsNull() {
            RouteTable t = table(exact("a", "/a"), prefix("b", "/b/"), regex("c", "/c+"),
                    route("d", 0, "example.com", Kind.PREFIX, "/"));

            assertThat(match(t, "other.com", "/x")).isNull();
            assertThat(match(t, "other.com", "/b")).isNull();
            assertThat(match(t, "other.com", "/cd")).isNull();
        }
    }

    /** Fifty routes of every kind, as a multi-tenant edge would have them. */
    @Test
    void fiftyRoutesMixingKinds() {
        List<RouteConfig> routes = new ArrayList<>();
        String[] tenants = {"shop", "blog", "api", "docs", "cdn"};
        for (String tenant : tenants) {
            String host = tenant + ".example.com";
            routes.add(route(tenant + "-home", 0, host, Kind.EXACT, "/"));
            routes.add(route(tenant + "-root", 0, host, Kind.PREFIX, "/"));
            routes.add(route(tenant + "-static", 0, host, Kind.PREFIX, "/static/"));
            routes.add(route(tenant + "-img", 0, host, Kind.REGEX, "/.*\\.(png|jpg)"));
            routes.add(route(tenant + "-img-hot", 10, host, Kind.REGEX, "/hot/.*\\.(png|jpg)"));
            routes.add(route(tenant + "-v1", 0, host, Kind.PREFIX, "/v1/"));
            routes.add(route(tenant + "-v1-write", 0, host, Kind.PREFIX, "/v1/", Set.of("POST", "PUT"), Map.of()));
            routes.add(route(tenant + "-login", 0, host, Kind.EXACT, "/login"));
            routes.add(route(tenant + "-beta", 0, host, Kind.PREFIX, "/", Set.of(), Map.of("X-Beta", "1")));
            routes.add(route(tenant + "-health", 50, host, Kind.EXACT, "/healthz"));
        }
        RouteTable t = RouteTable.compile(routes);
        assertThat(t.size()).isEqualTo(50);

        for (String tenant : tenants) {
            String host = tenant + ".example.com";
            assertThat(match(t, host, "/")).isEqualTo(tenant + "-home");
            assertThat(match(t, host.toUpperCase() + ":443", "/about")).isEqualTo(tenant + "-root");
            assertThat(match(t, host, "/static/a.png")).isEqualTo(tenant + "-static");
            assertThat(match(t, host, "/a/b.jpg")).isEqualTo(tenant + "-root");
            assertThat(match(t, host, "/hot/b.jpg")).isEqualTo(tenant + "-img-hot");
            assertThat(match(t, host, "/v1/users")).isEqualTo(tenant + "-v1");
            assertThat(match(t, new Request("PUT", host, "/v1/users", Map.of()))).isEqualTo(tenant + "-v1-write");
            assertThat(match(t, host, "/login")).isEqualTo(tenant + "-login");
            assertThat(match(t, new Request("GET", host, "/x", Map.of("x-beta", "1")))).isEqualTo(tenant + "-beta");
            assertThat(match(t, new Request("GET", host, "/v1/x", Map.of("x-beta", "1")))).isEqualTo(tenant + "-v1");
            assertThat(match(t, host, "/healthz")).isEqualTo(tenant + "-health");
        }
        assertThat(match(t, "example.com", "/")).isNull();
        assertThat(match(t, "www.example.com", "/")).isNull();
    }
}
