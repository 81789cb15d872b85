package dev.aegis.route;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Longest-prefix lookup over path characters: a radix tree (single-child chains collapsed into one edge
 * label) whose nodes are immutable once built.
 *
 * <p>Every node where some prefix ends holds the candidates for a path whose longest matching prefix ends
 * there: its own routes and those of all its ancestors, sorted by rank. A lookup therefore walks the path once
 * and returns one ready-made list instead of gathering lists along the way, which would allocate.
 */
final class PrefixTrie {

    static final PrefixTrie EMPTY = new PrefixTrie(new Node("", new char[0], new Node[0], null));

    private final Node root;

    private PrefixTrie(Node root) {
        this.root = root;
    }

    /** The candidates of the longest configured prefix of {@code path}, or {@link CompiledRoute#NONE}. */
    CompiledRoute[] longest(String path) {
        Node node = root;
        CompiledRoute[] found = node.candidates;
        int pos = 0;
        int length = path.length();
        while (pos < length) {
            Node child = node.child(path.charAt(pos));
            if (child == null) {
                break;
            }
            String label = child.label;
            if (!path.regionMatches(pos, label, 0, label.length())) {
                break;
            }
            pos += label.length();
            node = child;
            if (node.candidates != null) {
                found = node.candidates;
            }
        }
        return found == null ? CompiledRoute.NONE : found;
    }

    private static final class Node {
        final String label;
        /** First character of each child's label, sorted, for binary search. */
        final char[] keys;
        final Node[] children;
        /** Null when no prefix ends at this node. */
        final CompiledRoute[] candidates;

        Node(String label, char[] keys, Node[] children, CompiledRoute[] candidates) {
            this.label = label;
            this.keys = keys;
            this.children = children;
            this.candidates = candidates;
        }

        Node child(char c) {
            int i = Arrays.binarySearch(keys, c);
            return i < 0 ? null : children[i];
        }
    }

    /** Collects prefixes in any order, then freezes them into a {@link PrefixTrie}. */
    static final class Builder {
        private final BuildNode root = new BuildNode();

        void add(String prefix, CompiledRoute route) {
            BuildNode node = root;
            for (int i = 0; i < prefix.length(); i++) {
                node = node.children.computeIfAbsent(prefix.charAt(i), c -> new BuildNode());
            }
            node.routes.add(route);
        }

        PrefixTrie build() {
            return new PrefixTrie(freeze("", root, List.of()));
        }

        private static Node freeze(String label, BuildNode node, List<CompiledRoute> inherited) {
            List<CompiledRoute> here = inherited;
            CompiledRoute[] candidates = null;
            if (!node.routes.isEmpty()) {
                List<CompiledRoute> merged = new ArrayList<>(inherited);
                merged.addAll(node.routes);
                merged.sort(Comparator.comparingInt(r -> r.rank));
                here = merged;
                candidates = merged.toArray(CompiledRoute[]::new);
            }
            char[] keys = new char[node.children.size()];
            Node[] children = new Node[keys.length];
            int i = 0;
            for (Map.Entry<Character, BuildNode> e : node.children.entrySet()) {
                // Collapse a chain of nodes that hold no routes and have one child into one edge label.
                StringBuilder edge = new StringBuilder().append(e.getKey().charValue());
                BuildNode next = e.getValue();
                while (next.routes.isEmpty() && next.children.size() == 1) {
                    Map.Entry<Character, BuildNode> only = next.children.firstEntry();
                    edge.append(only.getKey().charValue());
                    next = only.getValue();
                }
                keys[i] = e.getKey();
                children[i] = freeze(edge.toString(), next, here);
                i++;
            }
            return new Node(label, keys, children, candidates);
        }
    }

    private static final class BuildNode {
        final TreeMap<Character, BuildNode> children = new TreeMap<>();
        final List<CompiledRoute> routes = new ArrayList<>();
    }
}
