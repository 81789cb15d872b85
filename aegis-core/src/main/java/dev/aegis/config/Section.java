package dev.aegis.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

/**
 * One YAML mapping of the config with a fixed set of keys, already checked for unknown and duplicate ones.
 * Every getter takes the default when the key is absent or null and, when the value is wrong, records the error
 * and returns the default too, so the binder always gets on with the rest of the file.
 */
final class Section {

    private final ConfigReader reader;
    private final Node node;
    private final String path;
    private final Map<String, NodeTuple> entries;

    Section(ConfigReader reader, Node node, String path, Map<String, NodeTuple> entries) {
        this.reader = reader;
        this.node = node;
        this.path = path;
        this.entries = entries;
    }

    /** The mapping node itself; null when the section is absent from the file. */
    Node node() {
        return node;
    }

    String path() {
        return path;
    }

    String path(String key) {
        return ConfigReader.join(path, key);
    }

    /** Whether {@code key} is present with a non-null value. */
    boolean has(String key) {
        return value(key) != null;
    }

    /** The value node of {@code key}, or null when it is absent or null. */
    Node value(String key) {
        NodeTuple tuple = entries.get(key);
        return tuple == null || ConfigReader.isNull(tuple.getValueNode()) ? null : tuple.getValueNode();
    }

    Section section(String key, List<String> keys) {
        return reader.section(value(key), path(key), keys);
    }

    List<Node> items(String key) {
        return reader.items(value(key), path(key));
    }

    /** Records that a required key is missing, at the mapping that should hold it. */
    void missing(String key) {
        reader.error(node, path(key), "missing required key `" + key + "`");
    }

    void error(String key, String message) {
        Node at = value(key);
        reader.error(at != null ? at : node, path(key), message);
    }

    String string(String key, String fallback) {
        Node value = value(key);
        if (value == null) {
            return fallback;
        }
        String text = reader.text(value, path(key), "a string");
        return text == null ? fallback : text;
    }

    /** A required string that must not be blank; null (error recorded) when missing or blank. */
    String requiredString(String key) {
        if (!has(key)) {
            missing(key);
            return null;
        }
        String text = reader.text(value(key), path(key), "a string");
        if (text != null && text.isBlank()) {
            error(key, "must not be empty");
            return null;
        }
        return text;
    }

    long integer(String key, long fallback, long min, long max) {
        Long value = parsed(key, null, "a whole number", ConfigValues::parseInteger);
        if (value == null) {
            return fallback;
        }
        if (value < min || value > max) {
            error(key, rangeMessage(min, max, value));
            return fallback;
        }
        return value;
    }

    /** A required whole number in {@code min..max}; null (error recorded) when missing or wrong. */
    Long requiredInteger(String key, long min, long max) {
        if (!has(key)) {
            missing(key);
            return null;
        }
        Long value = parsed(key, null, "a whole number", ConfigValues::parseInteger);
        if (value != null && (value < min || value > max)) {
            error(key, rangeMessage(min, max, value));
            return null;
        }
        return value;
    }

    boolean bool(String key, boolean fallback) {
        return parsed(key, fallback, "true or false", ConfigValues::parseBoolean);
    }

    /** A duration; {@code positive} refuses {@code 0}, for intervals and timeouts where zero means nothing sane. */
    Duration duration(String key, Duration fallback, boolean positive) {
        Duration value = parsed(key, null, "a duration", ConfigValues::parseDuration);
        if (value == null) {
            return fallback;
        }
        if (positive && value.isZero()) {
            error(key, "must be longer than 0");
            return fallback;
        }
        return value;
    }

    long size(String key, long fallback, long min) {
        return size(key, fallback, min, Long.MAX_VALUE);
    }

    long size(String key, long fallback, long min, long max) {
        Long value = parsed(key, null, "a size", ConfigValues::parseSize);
        if (value == null) {
            return fallback;
        }
        if (value < min) {
            error(key, "must be at least " + min + " bytes, got " + value);
            return fallback;
        }
        if (value > max) {
            error(key, "must be at most " + ConfigValues.formatSize(max) + ", got " + value + " bytes");
            return fallback;
        }
        return value;
    }

    /** One of the names in {@code options} (file spelling to value), with a hint when the value is close to one. */
    <T> T choice(String key, T fallback, Map<String, T> options) {
        String text = parsed(key, null, "one of " + Suggestions.list(options.keySet()), Function.identity());
        if (text == null) {
            return fallback;
        }
        T value = options.get(text);
        if (value == null) {
            String suggestion = Suggestions.closest(text, options.keySet());
            error(key, ConfigValues.quote(text) + " is not one of " + Suggestions.list(options.keySet())
                    + (suggestion != null ? " (did you mean `" + suggestion + "`?)" : ""));
            return fallback;
        }
        return value;
    }

    /**
     * The value of {@code key} read as text and converted by {@code parser}, whose
     * {@link IllegalArgumentException} becomes an error at the value.
     */
    <T> T parsed(String key, T fallback, String expected, Function<String, T> parser) {
        Node value = value(key);
        if (value == null) {
            return fallback;
        }
        String text = reader.text(value, path(key), expected);
        if (text == null) {
            return fallback;
        }
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            reader.error(value, path(key), e.getMessage());
            return fallback;
        }
    }

    private static String rangeMessage(long min, long max, long value) {
        if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
            return "must be at least " + min + ", got " + value;
        }
        return "must be between " + min + " and " + max + ", got " + value;
    }
}
