package dev.aegis.waf;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import dev.aegis.config.Cidr;
import dev.aegis.config.CustomRule;
import dev.aegis.config.CustomRule.Collection;
import dev.aegis.config.CustomRule.Transformation;
import dev.aegis.config.WafPolicy;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.DoublePredicate;

/**
 * The config's custom rules ({@code waf.custom_rules}) compiled for {@link WafEngine}: targets resolved to the
 * request's values, regexes and phrase lists built once. Immutable and thread-safe.
 *
 * <p>They run after the built-in rules, over the values {@link Targets} decoded (arguments, cookies, files, JSON)
 * and over the request's own parts (headers as received, method, path, URI, raw body, client address). Values
 * Targets decoded from base64 on its own are skipped: a custom rule decodes only when its transformations say so,
 * else an {@code allow} rule could be satisfied by a value the application never sees.
 */
final class CustomRules {
    /** {@link #inspect} result bit: a matching rule's action is {@code block}. */
    static final int FORCE_BLOCK = 1;
    /** {@link #inspect} result bit: a matching rule's action is {@code allow}. */
    static final int FORCE_ALLOW = 2;
    static final String FAMILY = "custom";

    /** {@code url_decode_uni} decodes until the value stops changing, but not forever. */
    private static final int MAX_DECODE_PASSES = 8;
    /** Longer text is not a number a rule compares with; this keeps {@link Double#parseDouble} cheap. */
    private static final int MAX_NUMBER_LENGTH = 40;

    private final Compiled[] rules;
    private final Map<Integer, List<CustomRule.Target>> targetsById;

    private CustomRules(Compiled[] rules, Map<Integer, List<CustomRule.Target>> targetsById) {
        this.rules = rules;
        this.targetsById = targetsById;
    }

    /**
     * Compiles {@code rules}; null when there are none, so a WAF without custom rules pays nothing for them.
     *
     * @throws IllegalArgumentException if two rules share an id (the config loader refuses that first)
     */
    static CustomRules compile(List<CustomRule> rules) {
        if (rules.isEmpty()) {
            return null;
        }
        Compiled[] compiled = new Compiled[rules.size()];
        Map<Integer, List<CustomRule.Target>> targets = new LinkedHashMap<>();
        for (int i = 0; i < compiled.length; i++) {
            CustomRule rule = rules.get(i);
            if (targets.put(rule.id(), rule.targets()) != null) {
                throw new IllegalArgumentException("two custom rules have the id " + rule.id());
            }
            compiled[i] = compile(rule);
        }
        return new CustomRules(compiled, Collections.unmodifiableMap(targets));
    }

    Set<Integer> ids() {
        return targetsById.keySet();
    }

    boolean has(int ruleId) {
        return targetsById.containsKey(ruleId);
    }

    /** Whether custom rule {@code ruleId} inspects anything an exclusion of {@code target} would exclude. */
    boolean inspects(int ruleId, String target) {
        List<CustomRule.Target> targets = targetsById.get(ruleId);
        return targets != null && inspects(targets, ruleId, target);
    }

    /**
     * Whether an exclusion of {@code exclusionTarget} from rule {@code ruleId} would exclude any value a rule with
     * {@code targets} inspects. Answered by asking {@link WafEngine#excluded}, the very check {@code inspect} makes,
     * with the names of the values the rule reads; for a whole collection, with the member the exclusion names.
     */
    static boolean inspects(List<CustomRule.Target> targets, int ruleId, String exclusionTarget) {
        if (exclusionTarget == null || exclusionTarget.isEmpty()) {
            return false;
        }
        List<WafPolicy.Exclusion> exclusion = List.of(new WafPolicy.Exclusion(ruleId, exclusionTarget, 0));
        int colon = exclusionTarget.indexOf(':');
        String exclusionMember = colon < 0 ? null : exclusionTarget.substring(colon + 1);
        for (CustomRule.Target target : targets) {
            String member = target.member() != null ? target.member()
                    : exclusionMember != null && !exclusionMember.isEmpty() ? exclusionMember : "any";
            for (String name : valueNames(target.collection(), member, target.member() == null)) {
                if (WafEngine.excluded(exclusion, ruleId, name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Runs every rule the route's {@code paranoia} admits, adding what matches to {@code matches} (once per rule and
     * value name, as {@code seen} records) unless an exclusion says otherwise.
     *
     * @return {@link #FORCE_BLOCK} and/or {@link #FORCE_ALLOW} when a rule with that action matched
     */
    /** Whether a rule with the {@code allow} action exists (then no verdict is final before these rules ran). */
    boolean canAllow() {
        for (Compiled rule : rules) {
            if (rule.action() == CustomRule.Action.ALLOW) {
                return true;
            }
        }
        return false;
    }

    int inspect(Targets t, String clientIp, int paranoia, List<WafPolicy.Exclusion> exclusions, Set<String> seen,
                List<WafMatch> matches) {
        Run run = new Run(t, clientIp, exclusions, seen, matches);
        for (Compiled rule : rules) {
            if (rule.paranoia() > paranoia) {
                continue;
            }
            for (Selector selector : rule.selectors()) {
                run.select(rule, selector);
            }
        }
        return run.actions;
    }

    // ---- compiling

    /** One rule, ready to run; {@code score} is what a match adds (0 for {@code allow} and {@code log}). */
    private record Compiled(int id, int score, int paranoia, CustomRule.Action action, Selector[] selectors,
                            Transformation[] transformations, Test test) {
    }

    /** Tests a transformed value: the matched part, or null when it does not match. */
    @FunctionalInterface
    private interface Test {
        String test(String value);
    }

    /**
     * Which of {@link Targets#values} a target reads: those of {@code kind}, named {@code prefix...} when a prefix
     * is set, or named exactly one of {@code names} when the target names a member.
     */
    private record Selector(Collection collection, String member, int kind, String prefix, String[] names) {
        boolean selects(Value v) {
            if ((v.kind & kind) == 0 || (v.kind & Value.DECODED) != 0) {
                return false;
            }
            if (names != null) {
                for (String name : names) {
                    if (name.equals(v.name())) {
                        return true;
                    }
                }
                return false;
            }
            return prefix == null || v.name().startsWith(prefix);
        }
    }

    private static Compiled compile(CustomRule rule) {
        Selector[] selectors = new Selector[rule.targets().size()];
        for (int i = 0; i < selectors.length; i++) {
            selectors[i] = selector(rule.targets().get(i));
        }
        int score = switch (rule.action()) {
            case SCORE, BLOCK -> rule.severity();
            case ALLOW, LOG -> 0;
        };
        return new Compiled(rule.id(), score, rule.paranoia(), rule.action(), selectors,
                rule.transformations().toArray(new Transformation[0]), test(rule));
    }

    private static Selector selector(CustomRule.Target target) {
        Collection c = target.collection();
        String m = target.member();
        int kind = switch (c) {
            case ARGS, JSON -> Value.ARG;
            case ARGS_NAMES -> Value.ARG_NAME;
            case REQUEST_COOKIES -> Value.COOKIE;
            case REQUEST_COOKIES_NAMES -> Value.COOKIE_NAME;
            case FILES -> Value.FILE;
            // read from the request itself, not from Targets' values
            default -> 0;
        };
        String prefix = c == Collection.JSON ? "JSON:" : null;
        String[] names = m == null || kind == 0 ? null : valueNames(c, m, false).toArray(new String[0]);
        return new Selector(c, m, kind, prefix, names);
    }

    /**
     * The names {@link Targets} (or {@link Run}) gives the values of {@code collection}'s {@code member}: a JSON
     * body's fields are arguments too, so {@code ARGS:user} also reads {@code JSON:user}; the whole of
     * {@code ARGS} also reads an XML body's text, which has no member name.
     */
    private static List<String> valueNames(Collection collection, String member, boolean whole) {
        return switch (collection) {
            case ARGS -> whole ? List.of("ARGS:" + member, "JSON:" + member, "XML")
                    : List.of("ARGS:" + member, "JSON:" + member);
            case ARGS_NAMES -> List.of("ARGS_NAMES:" + member, "JSON_KEYS:" + member);
            case JSON -> List.of("JSON:" + member);
            case REQUEST_HEADERS -> List.of("REQUEST_HEADERS:" + member);
            case REQUEST_HEADERS_NAMES -> List.of("REQUEST_HEADERS_NAMES:" + member);
            case REQUEST_COOKIES -> List.of("REQUEST_COOKIES:" + member);
            case REQUEST_COOKIES_NAMES -> List.of("REQUEST_COOKIES_NAMES:" + member);
            case FILES -> List.of("FILES:" + member);
            case REQUEST_URI -> List.of("REQUEST_URI");
            // the engine names the path as ModSecurity does
            case REQUEST_PATH -> List.of("REQUEST_FILENAME");
            case REQUEST_METHOD -> List.of("REQUEST_METHOD");
            case REQUEST_BODY -> List.of("REQUEST_BODY");
            case REMOTE_ADDR -> List.of("REMOTE_ADDR");
        };
    }

    private static Test test(CustomRule rule) {
        return switch (rule.operand()) {
            case CustomRule.Text text -> textTest(rule.operator(), text.text());
            case CustomRule.Phrases phrases -> {
                // Phrases are lower-cased and values compared lower-cased (ASCII) by the automaton itself.
                PhraseMatcher matcher = PhraseMatcher.of(phrases.phrases());
                yield matcher::find;
            }
            case CustomRule.Networks networks -> {
                Cidr[] cidrs = networks.networks().toArray(new Cidr[0]);
                yield v -> {
                    byte[] address = address(v);
                    if (address != null) {
                        for (Cidr cidr : cidrs) {
                            if (cidr.contains(address)) {
                                return v;
                            }
                        }
                    }
                    return null;
                };
            }
            case CustomRule.Numeric numeric -> {
                double n = numeric.value();
                DoublePredicate holds = switch (rule.operator()) {
                    case GT -> x -> x > n;
                    case GE -> x -> x >= n;
                    case LT -> x -> x < n;
                    case LE -> x -> x <= n;
                    default -> x -> x == n;
                };
                yield v -> {
                    double x = number(v);
                    return !Double.isNaN(x) && holds.test(x) ? v : null;
                };
            }
        };
    }

    private static Test textTest(CustomRule.Operator operator, String text) {
        return switch (operator) {
            case CONTAINS -> v -> v.contains(text) ? text : null;
            case STARTS_WITH -> v -> v.startsWith(text) ? text : null;
            case ENDS_WITH -> v -> v.endsWith(text) ? text : null;
            case EQUALS -> v -> v.equals(text) ? v : null;
            case REGEX -> {
                Pattern pattern = Pattern.compile(text);
                yield v -> {
                    Matcher m = pattern.matcher(v);
                    return m.find() ? v.substring(m.start(), m.end()) : null;
                };
            }
            default -> throw new IllegalArgumentException(operator + " does not compare with text");
        };
    }

    /** An address as written in {@code REMOTE_ADDR} or a header: brackets and an IPv6 zone are dropped. */
    private static byte[] address(String value) {
        String a = value.strip();
        if (a.length() > 2 && a.charAt(0) == '[' && a.charAt(a.length() - 1) == ']') {
            a = a.substring(1, a.length() - 1);
        }
        int zone = a.indexOf('%');
        return Cidr.parseAddress(zone < 0 ? a : a.substring(0, zone));
    }

    /** A decimal number ({@code 42}, {@code -1.5}), or NaN when the value is anything else. */
    static double number(String s) {
        int n = s.length();
        if (n == 0 || n > MAX_NUMBER_LENGTH) {
            return Double.NaN;
        }
        int i = s.charAt(0) == '-' || s.charAt(0) == '+' ? 1 : 0;
        int start = i;
        while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        if (i == start) {
            return Double.NaN;
        }
        if (i < n && s.charAt(i) == '.') {
            int fraction = ++i;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            if (i == fraction) {
                return Double.NaN;
            }
        }
        return i == n ? Double.parseDouble(s) : Double.NaN;
    }

    static String apply(Transformation transformation, String s) {
        return switch (transformation) {
            case URL_DECODE -> Transforms.urlDecode(s, false, null);
            case URL_DECODE_UNI -> Transforms.urlDecodeRepeat(s, MAX_DECODE_PASSES, null);
            case HTML_ENTITY_DECODE -> Transforms.htmlDecode(s);
            case LOWERCASE -> s.toLowerCase(Locale.ROOT);
            case REMOVE_NULLS -> Transforms.removeNulls(s);
            case COMPRESS_WHITESPACE -> Transforms.compressWhitespace(s);
            case REMOVE_WHITESPACE -> Transforms.removeWhitespace(s);
            case NORMALIZE_PATH -> Transforms.normalizePath(s);
            case REMOVE_COMMENTS -> Transforms.removeSqlComments(s);
            // the built-in shell view: lower-cased, whitespace compressed, then quotes and $IFS tricks undone
            case CMD_LINE -> Transforms.shell(Transforms.lowerCompress(s));
            case BASE64_DECODE -> Transforms.base64Decode(s);
            case TRIM -> s.strip();
            case LENGTH -> Integer.toString(s.codePointCount(0, s.length()));
        };
    }

    // ---- running

    /** One request's pass over the rules: what it has found and the parts it decoded only once needed. */
    private static final class Run {
        private final Targets t;
        private final String clientIp;
        private final List<WafPolicy.Exclusion> exclusions;
        private final Set<String> seen;
        private final List<WafMatch> matches;
        private String body;
        int actions;

        Run(Targets t, String clientIp, List<WafPolicy.Exclusion> exclusions, Set<String> seen,
            List<WafMatch> matches) {
            this.t = t;
            this.clientIp = clientIp;
            this.exclusions = exclusions;
            this.seen = seen;
            this.matches = matches;
        }

        void select(Compiled rule, Selector selector) {
            String member = selector.member();
            switch (selector.collection()) {
                case ARGS, ARGS_NAMES, JSON, REQUEST_COOKIES, REQUEST_COOKIES_NAMES, FILES -> {
                    // by index: a match adds nothing to t.values, but a CME here would hide the request
                    List<Value> values = t.values;
                    for (int i = 0; i < values.size(); i++) {
                        Value v = values.get(i);
                        if (selector.selects(v)) {
                            test(rule, v.name(), v.raw);
                        }
                    }
                }
                // Headers as received, Cookie included: Targets splits that one into cookies.
                case REQUEST_HEADERS, REQUEST_HEADERS_NAMES -> {
                    boolean names = selector.collection() == Collection.REQUEST_HEADERS_NAMES;
                    for (Map.Entry<String, String> h : t.headers) {
                        String name = h.getKey() == null ? "" : h.getKey();
                        if (member == null || member.equalsIgnoreCase(name)) {
                            test(rule, (names ? "REQUEST_HEADERS_NAMES:" : "REQUEST_HEADERS:") + name,
                                    names ? name : h.getValue() == null ? "" : h.getValue());
                        }
                    }
                }
                case REQUEST_URI -> test(rule, "REQUEST_URI", t.rawUri);
                case REQUEST_PATH -> test(rule, "REQUEST_FILENAME", t.rawPath);
                case REQUEST_METHOD -> test(rule, "REQUEST_METHOD", t.method);
                case REQUEST_BODY -> {
                    if (t.body.length > 0) {
                        if (body == null) {
                            body = Transforms.utf8(t.body, null);
                        }
                        test(rule, "REQUEST_BODY", body);
                    }
                }
                case REMOTE_ADDR -> test(rule, "REMOTE_ADDR", clientIp);
            }
        }

        private void test(Compiled rule, String name, String raw) {
            String key = rule.id() + "\u0000" + name;
            if (seen.contains(key) || WafEngine.excluded(exclusions, rule.id(), name)) {
                return;
            }
            String fragment;
            try {
                String value = raw;
                for (Transformation transformation : rule.transformations()) {
                    value = apply(transformation, value);
                }
                fragment = rule.test().test(value);
            } catch (RuntimeException e) {
                fragment = null; // defensive, as for the built-in rules: a rule that can not evaluate adds nothing
            }
            if (fragment == null) {
                return;
            }
            seen.add(key);
            matches.add(new WafMatch(rule.id(), FAMILY, name, fragment, rule.score()));
            actions |= switch (rule.action()) {
                case BLOCK -> FORCE_BLOCK;
                case ALLOW -> FORCE_ALLOW;
                case SCORE, LOG -> 0;
            };
        }
    }
}
