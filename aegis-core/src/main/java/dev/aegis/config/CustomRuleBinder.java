package dev.aegis.config;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.aegis.config.CustomRule.Action;
import dev.aegis.config.CustomRule.Collection;
import dev.aegis.config.CustomRule.Operand;
import dev.aegis.config.CustomRule.Operator;
import dev.aegis.config.CustomRule.Target;
import dev.aegis.config.CustomRule.Transformation;
import dev.aegis.waf.WafRuleCatalog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Binds {@code waf.custom_rules} to {@link CustomRule}s for {@link ConfigBinder}: every field checked, every
 * problem an error at its node, and a rule with any problem left out of the result.
 */
final class CustomRuleBinder {

    static final List<String> KEYS = List.of(
            "id", "message", "targets", "transformations", "operator", "value", "severity", "paranoia", "action");

    private static final Map<String, Operator> OPERATORS = ConfigBinder.spellings(Operator.class);
    private static final Map<String, Action> ACTIONS = ConfigBinder.spellings(Action.class);
    private static final Map<String, Transformation> TRANSFORMATIONS = ConfigBinder.spellings(Transformation.class);
    private static final Map<String, Integer> SEVERITIES =
            Map.of("critical", 5, "error", 4, "warning", 3, "notice", 2);
    private static final Map<String, Collection> COLLECTIONS = collections();

    private final ConfigReader reader;
    private final Map<Integer, Integer> firstLineOfId = new HashMap<>();
    private final Set<Integer> refused = new HashSet<>();

    CustomRuleBinder(ConfigReader reader) {
        this.reader = reader;
    }

    List<CustomRule> bind(Section waf) {
        List<CustomRule> rules = new ArrayList<>();
        List<Node> items = waf.items("custom_rules");
        for (int i = 0; i < items.size(); i++) {
            CustomRule rule = rule(items.get(i), waf.path("custom_rules") + "[" + i + "]");
            if (rule != null) {
                rules.add(rule);
            }
        }
        return rules;
    }

    /**
     * Whether a rule with this id was written but refused for another problem: an exclusion naming it is then not
     * reported as naming an unknown rule, which would only repeat the first error.
     */
    boolean refused(int id) {
        return refused.contains(id);
    }

    private CustomRule rule(Node item, String path) {
        if (!(item instanceof MappingNode)) {
            reader.error(item, path, "expected a rule (a mapping of " + Suggestions.list(KEYS) + "), got "
                    + ConfigReader.describe(item));
            return null;
        }
        int errorsBefore = reader.errors().size();
        Section s = reader.section(item, path, KEYS);
        int line = item.getStartMark().getLine() + 1;
        Long id = s.requiredInteger("id", 1, Integer.MAX_VALUE);
        if (id != null && WafRuleCatalog.isBuiltIn(id.intValue())) {
            s.error("id", id + " is the id of a built-in rule; give the custom rule its own id (built-in ids are"
                    + " 900000 and above, so any id below is free)");
        } else if (id != null) {
            Integer first = firstLineOfId.putIfAbsent(id.intValue(), line);
            if (first != null) {
                s.error("id", "duplicate custom rule id " + id + " (first used by the rule at line " + first + ")");
            }
        }
        String message = s.string("message", "");
        List<Target> targets = targets(s);
        List<Transformation> transformations = transformations(s);
        Operator operator = null;
        if (s.has("operator")) {
            operator = s.choice("operator", null, OPERATORS);
        } else {
            s.missing("operator");
        }
        Operand operand = null;
        if (!s.has("value")) {
            s.missing("value");
        } else if (operator != null) {
            operand = operand(s, operator);
        }
        if (operator == Operator.IP_IN && targets != null) {
            for (Target target : targets) {
                if (target.collection() != Collection.REMOTE_ADDR
                        && target.collection() != Collection.REQUEST_HEADERS) {
                    s.error("targets", "operator `ip_in` compares IP addresses: it works on REMOTE_ADDR or a"
                            + " request header (REQUEST_HEADERS:X-Real-IP), not on " + target);
                    break;
                }
            }
        }
        int severity = s.parsed("severity", 5, "a severity", CustomRuleBinder::severity);
        int paranoia = (int) s.integer("paranoia", 1, 1, 4);
        Action action = s.choice("action", Action.SCORE, ACTIONS);
        if (reader.errors().size() > errorsBefore) {
            if (id != null) {
                refused.add(id.intValue());
            }
            return null;
        }
        return new CustomRule(id.intValue(), message, targets, transformations, operator, operand, severity,
                paranoia, action, line);
    }

    /** Required, one target or a list of them; null after an error. */
    private List<Target> targets(Section s) {
        if (!s.has("targets")) {
            s.missing("targets");
            return null;
        }
        List<Target> targets = new ArrayList<>();
        boolean ok = eachValue(s, "targets", "a target such as `ARGS:user`", (node, path, text) -> {
            Target target = reader.parse(node, path, text, CustomRuleBinder::target);
            if (target != null) {
                targets.add(target);
            }
            return target != null;
        });
        if (ok && targets.isEmpty()) {
            s.error("targets", "a rule needs at least one target");
            return null;
        }
        return ok ? targets : null;
    }

    /** Optional, one name or a list of them, applied in the order written. */
    private List<Transformation> transformations(Section s) {
        List<Transformation> transformations = new ArrayList<>();
        if (!s.has("transformations")) {
            return transformations;
        }
        eachValue(s, "transformations", "a transformation such as `lowercase`", (node, path, text) -> {
            Transformation t = reader.parse(node, path, text, name -> choice(name, TRANSFORMATIONS));
            if (t != null) {
                transformations.add(t);
            }
            return t != null;
        });
        return transformations;
    }

    /** The {@code value} as the operator needs it: a string, a list of phrases or networks, or a number. */
    private Operand operand(Section s, Operator operator) {
        String name = "operator `" + operator.name().toLowerCase(Locale.ROOT) + "`";
        Node node = s.value("value");
        switch (operator) {
            case CONTAINS, STARTS_WITH, ENDS_WITH, EQUALS, REGEX -> {
                String text = scalar(s, name + " needs a string");
                if (text == null) {
                    return null;
                }
                if (text.isEmpty() && operator != Operator.EQUALS) {
                    s.error("value", name + " needs a value that is not empty (an empty one matches everything)");
                    return null;
                }
                if (operator == Operator.REGEX) {
                    try {
                        Pattern.compile(text);
                    } catch (PatternSyntaxException e) {
                        s.error("value", "invalid regex: " + e.getMessage());
                        return null;
                    }
                }
                return new CustomRule.Text(text);
            }
            case PHRASE_LIST -> {
                List<String> phrases = new ArrayList<>();
                boolean ok = eachValue(s, "value", "a phrase", (item, path, text) -> {
                    String problem = text.isEmpty() ? "a phrase must not be empty (it would match everything)"
                            : !latin1(text) ? ConfigValues.quote(text) + " is not Latin-1 text; phrase_list compares"
                            + " characters up to U+00FF (use contains or regex for other text)" : null;
                    if (problem != null) {
                        reader.error(item, path, problem);
                        return false;
                    }
                    phrases.add(text);
                    return true;
                });
                if (ok && phrases.isEmpty()) {
                    s.error("value", name + " needs at least one phrase");
                    return null;
                }
                return ok ? new CustomRule.Phrases(phrases) : null;
            }
            case IP_IN -> {
                List<Cidr> networks = new ArrayList<>();
                boolean ok = eachValue(s, "value", "an address or network such as 10.0.0.0/8", (item, path, text) -> {
                    Cidr cidr = reader.parse(item, path, text, t -> Cidr.parse(t.strip()));
                    if (cidr != null) {
                        networks.add(cidr);
                    }
                    return cidr != null;
                });
                if (ok && networks.isEmpty()) {
                    s.error("value", name + " needs at least one address or network");
                    return null;
                }
                return ok ? new CustomRule.Networks(networks) : null;
            }
            case GT, GE, LT, LE, EQ -> {
                String text = scalar(s, name + " needs a number");
                if (text == null) {
                    return null;
                }
                if (!isNumber(text.strip())) {
                    reader.error(node, s.path("value"), name + " needs a number, got " + ConfigValues.quote(text));
                    return null;
                }
                return new CustomRule.Numeric(Double.parseDouble(text.strip()));
            }
        }
        throw new AssertionError(operator);
    }

    /** The text of {@code value} when it is a scalar; null (error recorded) when it is a list or a mapping. */
    private String scalar(Section s, String needs) {
        Node node = s.value("value");
        if (!(node instanceof ScalarNode)) {
            reader.error(node, s.path("value"), needs + ", got " + ConfigReader.describe(node));
            return null;
        }
        return reader.text(node, s.path("value"), "a string");
    }

    @FunctionalInterface
    private interface ItemCheck {
        /** Checks one item, recording its error; false when it is wrong. */
        boolean check(Node node, String path, String text);
    }

    /**
     * Runs {@code check} on the value of {@code key}, a single scalar or a list of scalars; false when any item is
     * wrong (each reported at its own node).
     */
    private boolean eachValue(Section s, String key, String expected, ItemCheck check) {
        Node value = s.value(key);
        if (value instanceof ScalarNode) {
            String text = reader.text(value, s.path(key), expected);
            return text != null && check.check(value, s.path(key), text);
        }
        if (!(value instanceof SequenceNode sequence)) {
            reader.error(value, s.path(key), "expected " + expected + " or a list of them, got "
                    + ConfigReader.describe(value));
            return false;
        }
        boolean ok = true;
        List<Node> items = sequence.getValue();
        for (int i = 0; i < items.size(); i++) {
            String path = s.path(key) + "[" + i + "]";
            Node item = items.get(i);
            String text = item instanceof ScalarNode && !ConfigReader.isNull(item) ? reader.text(item, path, expected)
                    : null;
            if (text == null) {
                if (!(item instanceof ScalarNode) || ConfigReader.isNull(item)) {
                    reader.error(item, path, "expected " + expected + ", got " + ConfigReader.describe(item));
                }
                ok = false;
            } else if (!check.check(item, path, text)) {
                ok = false;
            }
        }
        return ok;
    }

    /**
     * {@code COLLECTION} or {@code COLLECTION:member}; the collection in any case, the member as written (header
     * names compare ignoring case when the rule runs, the others exactly).
     */
    static Target target(String text) {
        String written = text.strip();
        int colon = written.indexOf(':');
        String name = (colon < 0 ? written : written.substring(0, colon)).toUpperCase(Locale.ROOT);
        Collection collection = COLLECTIONS.get(name);
        if (collection == null) {
            String suggestion = Suggestions.closest(name, COLLECTIONS.keySet());
            throw new IllegalArgumentException("unknown target " + ConfigValues.quote(written)
                    + (suggestion != null ? " (did you mean `" + suggestion + "`?)"
                    : "; targets are " + Suggestions.list(COLLECTIONS.keySet())));
        }
        if (colon < 0) {
            return new Target(collection);
        }
        String member = written.substring(colon + 1);
        if (!collection.hasMembers()) {
            throw new IllegalArgumentException(ConfigValues.quote(written) + ": " + collection
                    + " is a single value; write `" + collection + "` without `:" + member + "`");
        }
        if (member.isEmpty()) {
            throw new IllegalArgumentException(ConfigValues.quote(written) + " names no member; write `"
                    + collection + "` for all of them or `" + collection + ":NAME` for one");
        }
        return new Target(collection, member);
    }

    private static <T> T choice(String text, Map<String, T> options) {
        T value = options.get(text);
        if (value == null) {
            String suggestion = Suggestions.closest(text, options.keySet());
            throw new IllegalArgumentException(ConfigValues.quote(text) + " is not one of "
                    + Suggestions.list(options.keySet())
                    + (suggestion != null ? " (did you mean `" + suggestion + "`?)" : ""));
        }
        return value;
    }

    /** {@code critical}, {@code error}, {@code warning}, {@code notice}, or a whole number from 0 to 1000. */
    private static int severity(String text) {
        Integer named = SEVERITIES.get(text.strip());
        if (named != null) {
            return named;
        }
        long value;
        try {
            value = ConfigValues.parseInteger(text);
        } catch (IllegalArgumentException e) {
            String suggestion = Suggestions.closest(text.strip(), SEVERITIES.keySet());
            throw new IllegalArgumentException(ConfigValues.quote(text) + " is not a severity: write `critical` (5),"
                    + " `error` (4), `warning` (3), `notice` (2) or a whole number from 0 to 1000"
                    + (suggestion != null ? " (did you mean `" + suggestion + "`?)" : ""));
        }
        if (value < 0 || value > 1000) {
            throw new IllegalArgumentException("a severity must be between 0 and 1000, got " + value);
        }
        return (int) value;
    }

    /**
     * A decimal number: optional sign, digits, optionally a fraction ({@code 10}, {@code -2}, {@code 0.5}); no
     * exponents, hex or {@code NaN}, so what the file says is what is compared.
     */
    static boolean isNumber(String s) {
        int i = s.startsWith("-") || s.startsWith("+") ? 1 : 0;
        int digits = 0;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
            digits++;
        }
        if (digits == 0 || digits > 18) {
            return false;
        }
        if (i < s.length() && s.charAt(i) == '.') {
            int fraction = 0;
            i++;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
                fraction++;
            }
            if (fraction == 0) {
                return false;
            }
        }
        return i == s.length();
    }

    private static boolean latin1(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0xFF) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Collection> collections() {
        Map<String, Collection> map = new LinkedHashMap<>();
        for (Collection c : Collection.values()) {
            map.put(c.name(), c);
        }
        // ModSecurity's name for the path, which CRS users know.
        map.put("REQUEST_FILENAME", Collection.REQUEST_PATH);
        return map;
    }
}
