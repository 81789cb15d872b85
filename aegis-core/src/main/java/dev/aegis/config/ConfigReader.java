package dev.aegis.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Walks one composed YAML node tree on behalf of {@link ConfigBinder}: reads scalars with {@code ${ENV}}
 * interpolation, checks mapping keys, and records every problem as a {@link ConfigError} at its node's position
 * instead of throwing, so one run reports all of them.
 */
final class ConfigReader {

    /** Tags a config may carry: the ones YAML resolves plain scalars and collections to. */
    private static final Set<Tag> ALLOWED_TAGS = Set.of(
            Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL, Tag.TIMESTAMP, Tag.MAP, Tag.SEQ);

    private final String source;
    private final Function<String, String> env;
    private final List<ConfigError> errors = new ArrayList<>();

    ConfigReader(String source, Function<String, String> env) {
        this.source = source;
        this.env = env;
    }

    List<ConfigError> errors() {
        return errors;
    }

    void error(Node at, String path, String message) {
        Mark mark = at == null ? null : at.getStartMark();
        int line = mark == null ? 0 : mark.getLine() + 1;
        int column = mark == null ? 0 : mark.getColumn() + 1;
        errors.add(new ConfigError(source, line, column, path, message));
    }

    /**
     * {@code parser} applied to {@code text}, or null after recording the message of the
     * {@link IllegalArgumentException} it throws as an error at {@code at}.
     */
    <T> T parse(Node at, String path, String text, Function<String, T> parser) {
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            error(at, path, e.getMessage());
            return null;
        }
    }

    /** Whether {@code node} stands for "no value": absent, {@code ~}, {@code null} or nothing after the colon. */
    static boolean isNull(Node node) {
        return node == null || (node instanceof ScalarNode scalar && Tag.NULL.equals(scalar.getTag()));
    }

    /** The section at {@code node}, checked against {@code keys}; an empty section when the node is null. */
    Section section(Node node, String path, List<String> keys) {
        if (isNull(node)) {
            return new Section(this, null, path, Map.of());
        }
        if (!(node instanceof MappingNode)) {
            error(node, path, "expected a mapping of " + Suggestions.list(keys) + ", got " + describe(node));
            return new Section(this, null, path, Map.of());
        }
        Map<String, NodeTuple> entries = entries(node, path);
        for (Map.Entry<String, NodeTuple> entry : entries.entrySet()) {
            String key = entry.getKey();
            if (!keys.contains(key)) {
                String suggestion = Suggestions.closest(key, keys);
                error(entry.getValue().getKeyNode(), join(path, key), "unknown key " + ConfigValues.quote(key)
                        + (suggestion != null ? " (did you mean `" + suggestion + "`?)"
                        : "; valid keys here: " + Suggestions.list(keys)));
            }
        }
        return new Section(this, node, path, entries);
    }

    /**
     * The entries of a mapping with free-form keys (upstream names, header names), in file order; empty (with an
     * error) when {@code node} is not a mapping. Keys must be scalars and unique.
     */
    Map<String, NodeTuple> entries(Node node, String path) {
        if (isNull(node)) {
            return Map.of();
        }
        if (!(node instanceof MappingNode mapping)) {
            error(node, path, "expected a mapping, got " + describe(node));
            return Map.of();
        }
        Map<String, NodeTuple> entries = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalarKey)) {
                error(keyNode, path, "a key must be a plain name, got " + describe(keyNode));
                continue;
            }
            String key = scalarKey.getValue();
            NodeTuple first = entries.putIfAbsent(key, tuple);
            if (first != null) {
                error(keyNode, join(path, key), "duplicate key " + ConfigValues.quote(key) + " (first at line "
                        + (first.getKeyNode().getStartMark().getLine() + 1) + ")");
            }
        }
        return entries;
    }

    /** The items of a sequence; empty for null, empty with an error when {@code node} is something else. */
    List<Node> items(Node node, String path) {
        if (isNull(node)) {
            return List.of();
        }
        if (!(node instanceof SequenceNode sequence)) {
            error(node, path, "expected a list, got " + describe(node));
            return List.of();
        }
        return sequence.getValue();
    }

    /**
     * The interpolated text of a scalar, or null after recording an error when {@code node} is not a scalar or
     * names an unset variable. {@code expected} describes the wanted value for the message ("a duration").
     */
    String text(Node node, String path, String expected) {
        if (!(node instanceof ScalarNode scalar)) {
            error(node, path, "expected " + expected + ", got " + describe(node));
            return null;
        }
        try {
            return ConfigValues.interpolate(scalar.getValue(), env);
        } catch (IllegalArgumentException e) {
            error(node, path, e.getMessage());
            return null;
        }
    }

    /**
     * Reports every node with a tag outside the plain YAML ones ({@code !foo}, {@code !!binary}): the config is
     * data, and a tag would suggest a meaning this loader does not give it. Each node is visited once, so alias
     * cycles and alias fan-out cost nothing here.
     */
    void checkTags(Node root) {
        checkTags(root, "", Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private void checkTags(Node node, String path, Set<Node> seen) {
        if (node == null || !seen.add(node)) {
            return;
        }
        if (!ALLOWED_TAGS.contains(node.getTag())) {
            error(node, path, "tag " + ConfigValues.quote(tagName(node.getTag()))
                    + " is not allowed; a config file holds plain values only");
        }
        if (node instanceof SequenceNode sequence) {
            int i = 0;
            for (Node item : sequence.getValue()) {
                checkTags(item, path + "[" + i++ + "]", seen);
            }
        } else if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                String key = tuple.getKeyNode() instanceof ScalarNode k ? k.getValue() : "?";
                checkTags(tuple.getKeyNode(), join(path, key), seen);
                checkTags(tuple.getValueNode(), join(path, key), seen);
            }
        }
    }

    /** {@code parent.key}, or {@code parent["odd key"]} when the key would make the path ambiguous. */
    static String join(String parent, String key) {
        boolean simple = !key.isEmpty();
        for (int i = 0; i < key.length() && simple; i++) {
            char c = key.charAt(i);
            simple = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        }
        if (!simple) {
            return parent + "[\"" + key.replace("\"", "\\\"") + "\"]";
        }
        return parent.isEmpty() ? key : parent + "." + key;
    }

    static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (isNull(node)) {
            return "nothing";
        }
        return ConfigValues.quote(((ScalarNode) node).getValue());
    }

    private static String tagName(Tag tag) {
        String value = tag.getValue();
        return value.startsWith(Tag.PREFIX) ? "!!" + value.substring(Tag.PREFIX.length()) : value;
    }
}
