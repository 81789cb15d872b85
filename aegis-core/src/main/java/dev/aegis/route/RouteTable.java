package dev.aegis.route;

import com.google.re2j.Pattern;
import dev.aegis.config.RouteConfig;
import dev.aegis.config.RouteConfig.PathMatch.Kind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The compiled {@code routes} of one config snapshot: the route phase asks it which route serves a request.
 *
 * <h2>When a route matches</h2>
 * A request matches a route when its host, path, method and headers all match:
 * <ul>
 *   <li><b>Host.</b> The request's Host is compared without its {@code :port} (an IPv6 literal keeps its
 *       brackets: {@code [::1]:8080} is host {@code [::1]}), ignoring ASCII case and one trailing dot
 *       ({@code Example.COM.:443} is {@code example.com}). A route without {@code host} matches any host,
 *       including a request without one. {@code host: "*.example.com"} matches {@code a.example.com} and
 *       {@code a.b.example.com} but not {@code example.com} itself (list both if both are wanted).
 *       IP literals are compared as text, without normalisation.</li>
 *   <li><b>Path</b>, the request path without the query, as received: no percent-decoding and no
 *       dot-segment removal happen here.
 *       {@code exact} compares the whole path. {@code prefix} compares characters, not segments:
 *       {@code prefix: /api} also matches {@code /apis}; write {@code /api/} to stay below {@code /api/}.
 *       {@code regex} (RE2 syntax, linear time whatever the input) must match the <em>whole</em> path, as if
 *       written {@code ^(?:regex)$}: {@code /img/.*\.png} matches {@code /img/a.png} but not
 *       {@code /x/img/a.png}; write {@code .*} where any text may appear.</li>
 *   <li><b>Methods.</b> None listed matches any method. Methods are case-sensitive (RFC 9110 §9.1).
 *       A route that lists {@code GET} also matches {@code HEAD}: HEAD is GET without the body
 *       (RFC 9110 §9.3.2) and every general-purpose server must support both (§9.1), so a GET-only route
 *       that answered HEAD with 404 would break link checkers and caches for nothing; nginx's
 *       {@code limit_except GET} does the same. Listing only {@code HEAD} does not admit GET.</li>
 *   <li><b>Headers.</b> Every listed header must be present with exactly the listed value
 *       (case-sensitive); the name is case-insensitive. For a repeated header, the value compared is the one
 *       {@link RoutableRequest#header} returns.</li>
 * </ul>
 *
 * <h2>Which route wins</h2>
 * Routes are sorted once into a total precedence order, and a request goes to the <em>first</em> route in
 * that order that matches it. The order compares, in turn:
 * <ol>
 *   <li>{@code priority}, higher first;</li>
 *   <li>host: an exact host, then a wildcard host (a longer suffix first: {@code *.a.example.com} before
 *       {@code *.example.com}), then no host;</li>
 *   <li>path: {@code exact}, then {@code prefix} (a longer prefix first), then {@code regex};</li>
 *   <li>the number of method and header conditions, more first (a method list counts as one condition,
 *       each header as one);</li>
 *   <li>the order in the file, earlier first.</li>
 * </ol>
 * So with equal priority a host-specific route beats a catch-all one whatever their paths, and a prefix route
 * (even {@code prefix: /}) beats a regex route for the same host: to let a regex win over a prefix, give it a
 * higher priority. {@link #routes()} lists the routes in this order and {@link Route#index()} is the position.
 * When no route matches, {@link #match} returns null and the caller answers 404.
 *
 * <h2>Cost</h2>
 * Immutable once compiled, so event loops share it without locks. A lookup hashes the host in place (no
 * copy), finds exact paths by hash and prefixes by one walk down a trie, and allocates nothing unless a
 * regex has to run: a regex is evaluated only when its route would outrank every match found without it.
 */
public final class RouteTable {

    private static final int NO_MATCH = Integer.MAX_VALUE;

    /** Precedence order; see the class javadoc. */
    private static final Comparator<Entry> PRECEDENCE = ((Comparator<Entry>) (a, b) ->
                    Integer.compare(b.config.priority(), a.config.priority())) // not negation: MIN_VALUE overflows
            .thenComparingInt(e -> -e.hostClass)
            .thenComparingInt(e -> -e.wildcardSuffix.length())
            .thenComparingInt(e -> e.config.match().path().kind().ordinal())
            .thenComparingInt(e -> e.config.match().path().kind() == Kind.PREFIX
                    ? -e.config.match().path().value().length() : 0)
            .thenComparingInt(e -> -e.conditions)
            .thenComparingInt(e -> e.fileOrder);

    private static final int HOST_ANY = 0;
    private static final int HOST_WILDCARD = 1;
    private static final int HOST_EXACT = 2;

    private final Route[] byRank;
    private final List<Route> routes;
    private final HostIndex exactHosts;
    /** Keyed by the suffix after {@code *.}. */
    private final HostIndex wildcardHosts;
    private final PathIndex anyHost;
    /** Rank of the best regex route; a match at least this good makes the regex pass pointless. */
    private final int bestRegexRank;

    private RouteTable(Route[] byRank, HostIndex exactHosts, HostIndex wildcardHosts, PathIndex anyHost,
            int bestRegexRank) {
        this.byRank = byRank;
        this.routes = List.of(byRank);
        this.exactHosts = exactHosts;
        this.wildcardHosts = wildcardHosts;
        this.anyHost = anyHost;
        this.bestRegexRank = bestRegexRank;
    }

    /**
     * Compiles validated routes (as the config loader produces them, in file order).
     *
     * @throws com.google.re2j.PatternSyntaxException if a regex does not compile, which validation prevents
     */
    public static RouteTable compile(List<RouteConfig> routes) {
        List<Entry> entries = new ArrayList<>(routes.size());
        for (int i = 0; i < routes.size(); i++) {
            entries.add(new Entry(Objects.requireNonNull(routes.get(i), "route"), i));
        }
        entries.sort(PRECEDENCE);

        Route[] byRank = new Route[entries.size()];
        Map<String, PathIndex.Builder> exact = new LinkedHashMap<>();
        Map<String, PathIndex.Builder> wildcard = new LinkedHashMap<>();
        PathIndex.Builder any = new PathIndex.Builder();
        int bestRegexRank = NO_MATCH;
        for (int rank = 0; rank < byRank.length; rank++) {
            Entry e = entries.get(rank);
            RouteConfig config = e.config;
            RouteConfig.Match match = config.match();
            Route route = new Route(config.name(), config.priority(), config, rank);
            byRank[rank] = route;

            String[] methods = match.methods().stream().sorted().toArray(String[]::new);
            List<Map.Entry<String, String>> headers = match.headers().entrySet().stream()
                    .sorted(Map.Entry.comparingByKey()).toList();
            String[] headerNames = headers.stream().map(Map.Entry::getKey).toArray(String[]::new);
            String[] headerValues = headers.stream().map(Map.Entry::getValue).toArray(String[]::new);
            Kind kind = match.path().kind();
            Pattern regex = kind == Kind.REGEX ? Pattern.compile(match.path().value()) : null;
            if (regex != null) {
                bestRegexRank = Math.min(bestRegexRank, rank);
            }
            CompiledRoute compiled = new CompiledRoute(route, methods, headerNames, headerValues, regex);

            PathIndex.Builder index = switch (e.hostClass) {
                case HOST_EXACT -> exact.computeIfAbsent(e.host, h -> new PathIndex.Builder());
                case HOST_WILDCARD -> wildcard.computeIfAbsent(e.wildcardSuffix, h -> new PathIndex.Builder());
                default -> any;
            };
            index.add(kind, match.path().value(), compiled);
        }
        return new RouteTable(byRank, hostIndex(exact), hostIndex(wildcard), any.build(), bestRegexRank);
    }

    private static HostIndex hostIndex(Map<String, PathIndex.Builder> builders) {
        if (builders.isEmpty()) {
            return HostIndex.EMPTY;
        }
        Map<String, PathIndex> built = new HashMap<>();
        builders.forEach((host, builder) -> built.put(host, builder.build()));
        return new HostIndex(built);
    }

    /**
     * The route that serves {@code request}: the first in precedence order that matches, or null when none
     * does (the caller answers 404). Safe from any thread; allocates nothing unless a regex runs.
     */
    public Route match(RoutableRequest request) {
        String path = request.path();
        if (path == null) {
            return null;
        }
        String method = request.method();
        String host = request.host();
        int hostEnd = host == null ? 0 : hostEnd(host);

        // Exact and prefix candidates first, from every host group the request falls in: they are cheap and
        // tighten the bound that regexes must beat. Host-specific groups go first because at equal priority
        // they outrank the catch-all group, so they are likelier to set a bound that prunes it.
        int best = matchHostGroups(request, path, method, host, hostEnd, NO_MATCH, false);
        best = anyHost.matchStructured(request, path, method, best);
        if (best > bestRegexRank) {
            best = matchHostGroups(request, path, method, host, hostEnd, best, true);
            best = anyHost.matchRegex(request, path, method, best);
        }
        return best == NO_MATCH ? null : byRank[best];
    }

    private int matchHostGroups(RoutableRequest request, String path, String method, String host, int hostEnd,
            int best, boolean regexPass) {
        if (hostEnd == 0) {
            return best;
        }
        if (!exactHosts.isEmpty()) {
            best = matchIn(exactHosts.get(host, 0, hostEnd), request, path, method, best, regexPass);
        }
        if (!wildcardHosts.isEmpty()) {
            // Every suffix after a dot that has a non-empty label before it; leftmost (longest) first.
            for (int i = 1; i < hostEnd - 1; i++) {
                if (host.charAt(i) == '.') {
                    best = matchIn(wildcardHosts.get(host, i + 1, hostEnd), request, path, method, best,
                            regexPass);
                }
            }
        }
        return best;
    }

    private static int matchIn(PathIndex index, RoutableRequest request, String path, String method, int best,
            boolean regexPass) {
        if (index == null) {
            return best;
        }
        return regexPass
                ? index.matchRegex(request, path, method, best)
                : index.matchStructured(request, path, method, best);
    }

    /**
     * End of the host name in a Host value: before {@code :port}, after an IPv6 literal's {@code ]}, and
     * before one trailing dot (the root label, RFC 1034 §3.1: {@code example.com.} is {@code example.com}).
     */
    static int hostEnd(String host) {
        int length = host.length();
        int end;
        if (length > 0 && host.charAt(0) == '[') {
            int close = host.indexOf(']');
            end = close < 0 ? length : close + 1;
        } else {
            int colon = host.indexOf(':');
            // Two colons without brackets is a bare IPv6 address, not valid in Host but not a port either.
            end = colon < 0 || host.indexOf(':', colon + 1) >= 0 ? length : colon;
        }
        if (end > 0 && host.charAt(end - 1) == '.') {
            end--;
        }
        return end;
    }

    /** The routes in precedence order; {@link Route#index()} is the position in this list. */
    public List<Route> routes() {
        return routes;
    }

    /** The number of routes. */
    public int size() {
        return byRank.length;
    }

    @Override
    public String toString() {
        return "RouteTable" + routes.stream().map(Route::name).toList();
    }

    /** A route's config with the sort keys precedence needs, computed once. */
    private static final class Entry {
        final RouteConfig config;
        final int fileOrder;
        final int hostClass;
        /** Lower-case host for exact hosts, else null. */
        final String host;
        /** The suffix after {@code *.} for wildcard hosts, else empty. */
        final String wildcardSuffix;
        final int conditions;

        Entry(RouteConfig config, int fileOrder) {
            this.config = config;
            this.fileOrder = fileOrder;
            String h = config.match().host();
            if (h == null) {
                hostClass = HOST_ANY;
                host = null;
                wildcardSuffix = "";
            } else {
                String normal = lowerAscii(h.substring(0, hostEnd(h)));
                if (normal.startsWith("*.") && normal.length() > 2) {
                    hostClass = HOST_WILDCARD;
                    host = null;
                    wildcardSuffix = normal.substring(2);
                } else if (normal.isEmpty() || normal.indexOf('*') >= 0) {
                    throw new IllegalArgumentException("route '" + config.name() + "' (line " + config.line()
                            + "): host must be a name or *.suffix, got '" + h + "'");
                } else {
                    hostClass = HOST_EXACT;
                    host = normal;
                    wildcardSuffix = "";
                }
            }
            conditions = (config.match().methods().isEmpty() ? 0 : 1) + config.match().headers().size();
        }

        private static String lowerAscii(String s) {
            StringBuilder b = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                b.append(HostIndex.toLowerAscii(s.charAt(i)));
            }
            return b.toString();
        }
    }
}
