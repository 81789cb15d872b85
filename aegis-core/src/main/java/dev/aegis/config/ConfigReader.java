package dev.aegis.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;
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

    /**
     * Most nodes free-form values (custom rules) may expand to. Aliases are capped by the composer, but a few
     * dozen nested ones still multiply; this keeps a hostile file from turning into millions of objects.
     */
    private static final int MAX_PLAIN_NODES = 100_000;

    private final String source;
    private final Function<String, String> env;
    private final LoaderOptions options;
    private final List<ConfigError> errors = new ArrayList<>();
    private ScalarValues scalarValues;
    private int plainNodes;

    ConfigReader(String source, Function<String, String> env, LoaderOptions options) {
        this.source = source;
        this.env = env;
        this.options = options;
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
     * {@code node} as plain Java values (String, Integer/Long/BigInteger, Double, Boolean, null, List, Map) for
     * parts of the file that have no model yet; strings are interpolated. Null after an error.
     */
    Object plain(Node node, String path) {
        boolean withinBudget = plainNodes <= MAX_PLAIN_NODES;
        Object value = plain(node, path, Collections.newSetFromMap(new IdentityHashMap<>()));
        if (withinBudget && plainNodes > MAX_PLAIN_NODES) {
            error(node, path, "holds too many values (more than " + MAX_PLAIN_NODES
                    + " in all free-form sections, counting every alias where it is used)");
            return null;
        }
        return value;
    }

    private Object plain(Node node, String path, Set<Node> enclosing) {
        if (++plainNodes > MAX_PLAIN_NODES) {
            return null;
        }
        if (node instanceof ScalarNode scalar) {
            Tag tag = scalar.getTag();
            if (Tag.NULL.equals(tag)) {
                return null;
            }
            if (Tag.INT.equals(tag) || Tag.FLOAT.equals(tag) || Tag.BOOL.equals(tag)) {
                try {
                    return scalarValues().value(scalar);
                } catch (RuntimeException e) {
                    error(node, path, ConfigValues.quote(scalar.getValue()) + " is not a valid " + tagName(tag));
                    return null;
                }
            }
            // Timestamps stay text: the config has no use for java.util.Date.
            return text(node, path, "a value");
        }
        if (!enclosing.add(node)) {
            error(node, path, "an alias refers to a value that contains it");
            return null;
        }
        try {
            if (node instanceof SequenceNode sequence) {
                List<Object> list = new ArrayList<>(sequence.getValue().size());
                int i = 0;
                for (Node item : sequence.getValue()) {
                    list.add(plain(item, path + "[" + i++ + "]", enclosing));
                }
                return Collections.unmodifiableList(list);
            }
            Map<String, Object> map = new LinkedHashMap<>();
            for (Map.Entry<String, NodeTuple> entry : entries(node, path).entrySet()) {
                map.put(entry.getKey(), plain(entry.getValue().getValueNode(), join(path, entry.getKey()), enclosing));
            }
            return Collections.unmodifiableMap(map);
        } finally {
            enclosing.remove(node);
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

    private ScalarValues scalarValues() {
        if (scalarValues == null) {
            scalarValues = new ScalarValues(options);
        }
        return scalarValues;
    }

    /** SnakeYAML's own YAML 1.1 scalar rules (hex, octal, {@code 1_000}, {@code .inf}, yes/no) for free-form values. */
    private static final class ScalarValues extends SafeConstructor {
        ScalarValues(LoaderOptions options) {
            super(options);
        }

        Object value(ScalarNode node) {
            return constructObject(node);
        }
    }
}
