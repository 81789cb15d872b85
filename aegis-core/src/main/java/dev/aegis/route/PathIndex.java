package dev.aegis.route;

import dev.aegis.config.RouteConfig.PathMatch.Kind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The routes that share one host condition (one exact host, one wildcard suffix, or any host), indexed by
 * path. Each lookup returns candidates sorted by rank; the caller scans them only while they could still
 * beat the best match found so far.
 */
final class PathIndex {

    /**
     * Exact path to its candidates: the exact routes for that path merged with every prefix route whose
     * prefix it starts with, so an exact hit needs no trie walk.
     */
    private final Map<String, CompiledRoute[]> exact;
    private final PrefixTrie prefixes;
    /** Regex routes in rank order, evaluated last and only while they could still win. */
    private final CompiledRoute[] regexes;
    /** Rank of the best route in this index, to skip it without looking when it cannot win. */
    private final int bestRank;

    private PathIndex(Map<String, CompiledRoute[]> exact, PrefixTrie prefixes, CompiledRoute[] regexes,
            int bestRank) {
        this.exact = exact;
        this.prefixes = prefixes;
        this.regexes = regexes;
        this.bestRank = bestRank;
    }

    /**
     * Returns the rank of the best exact or prefix route that matches, if better than {@code best}, else
     * {@code best}.
     */
    int matchStructured(RoutableRequest request, String path, String method, int best) {
        if (bestRank >= best) {
            return best;
        }
        CompiledRoute[] candidates = exact.isEmpty() ? null : exact.get(path);
        if (candidates == null) {
            candidates = prefixes.longest(path);
        }
        for (CompiledRoute r : candidates) {
            if (r.rank >= best) {
                break;
            }
            if (r.conditionsMatch(request, method)) {
                return r.rank;
            }
        }
        return best;
    }

    /** Like {@link #matchStructured} for regex routes; cheap conditions are checked before the regex. */
    int matchRegex(RoutableRequest request, String path, String method, int best) {
        for (CompiledRoute r : regexes) {
            if (r.rank >= best) {
                break;
            }
            if (path.startsWith(r.literalPrefix) && r.conditionsMatch(request, method) && r.regex.matches(path)) {
                return r.rank;
            }
        }
        return best;
    }

    boolean hasRegexes() {
        return regexes.length != 0;
    }

    /** Collects a host group's routes in rank order. */
    static final class Builder {
        private final Map<String, List<CompiledRoute>> exact = new LinkedHashMap<>();
        private final PrefixTrie.Builder prefixes = new PrefixTrie.Builder();
        private final List<CompiledRoute> regexes = new ArrayList<>();
        private int bestRank = Integer.MAX_VALUE;

        void add(Kind kind, String value, CompiledRoute route) {
            bestRank = Math.min(bestRank, route.rank);
            switch (kind) {
                case EXACT -> exact.computeIfAbsent(value, v -> new ArrayList<>()).add(route);
                case PREFIX -> prefixes.add(value, route);
                case REGEX -> regexes.add(route);
            }
        }

        PathIndex build() {
            PrefixTrie trie = prefixes.build();
            Map<String, CompiledRoute[]> exactIndex = new HashMap<>();
            for (Map.Entry<String, List<CompiledRoute>> e : exact.entrySet()) {
                List<CompiledRoute> candidates = new ArrayList<>(e.getValue());
                candidates.addAll(List.of(trie.longest(e.getKey())));
                candidates.sort(Comparator.comparingInt(r -> r.rank));
                exactIndex.put(e.getKey(), candidates.toArray(CompiledRoute[]::new));
            }
            return new PathIndex(Map.copyOf(exactIndex), trie, regexes.toArray(CompiledRoute[]::new), bestRank);
        }
    }
}
