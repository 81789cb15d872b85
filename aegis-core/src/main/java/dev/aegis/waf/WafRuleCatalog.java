package dev.aegis.waf;

import dev.aegis.config.CustomRule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The WAF's rule ids and what each rule inspects, for the config loader: it refuses an exclusion that names a rule
 * that does not exist or a target the rule never reads, since such an exclusion would silently exclude nothing.
 */
public final class WafRuleCatalog {

    /** The id {@link WafEngine} reports a request it could not decode under; not a rule, but taken. */
    private static final int UNPARSEABLE = 920000;

    private final Map<Integer, List<CustomRule.Target>> custom;

    private WafRuleCatalog(Map<Integer, List<CustomRule.Target>> custom) {
        this.custom = custom;
    }

    /** The built-in rules and {@code customRules} (as bound from {@code waf.custom_rules}). */
    public static WafRuleCatalog of(List<CustomRule> customRules) {
        Map<Integer, List<CustomRule.Target>> custom = new LinkedHashMap<>();
        for (CustomRule rule : customRules) {
            custom.putIfAbsent(rule.id(), rule.targets());
        }
        return new WafRuleCatalog(custom);
    }

    /** Whether {@code ruleId} is taken by the built-in rules, so a custom rule may not use it. */
    public static boolean isBuiltIn(int ruleId) {
        return ruleId == UNPARSEABLE || BuiltIn.KINDS.containsKey(ruleId);
    }

    /** Every rule id, built-in and custom, in ascending order. */
    public Set<Integer> ruleIds() {
        Set<Integer> ids = new TreeSet<>(BuiltIn.KINDS.keySet());
        ids.addAll(custom.keySet());
        return Collections.unmodifiableSet(ids);
    }

    public boolean contains(int ruleId) {
        return custom.containsKey(ruleId) || BuiltIn.KINDS.containsKey(ruleId);
    }

    /**
     * Whether an exclusion of {@code target} ({@code ARGS:password}, {@code REQUEST_HEADERS:User-Agent}, ...) from
     * rule {@code ruleId} excludes anything: the same answer as {@link WafEngine#ruleInspects}.
     */
    public boolean inspects(int ruleId, String target) {
        List<CustomRule.Target> targets = custom.get(ruleId);
        if (targets != null) {
            return CustomRules.inspects(targets, ruleId, target);
        }
        Integer kinds = BuiltIn.KINDS.get(ruleId);
        return kinds != null && target != null && (kinds & WafEngine.kindsOf(target)) != 0;
    }

    /** What rule {@code ruleId} inspects, for a message: {@code ARGS, REQUEST_COOKIES, REQUEST_FILENAME}. */
    public String describeTargets(int ruleId) {
        List<CustomRule.Target> targets = custom.get(ruleId);
        if (targets != null) {
            List<String> names = new ArrayList<>();
            targets.forEach(t -> names.add(t.toString()));
            return String.join(", ", names);
        }
        Integer kinds = BuiltIn.KINDS.get(ruleId);
        return kinds == null ? "nothing" : describeKinds(kinds);
    }

    private static String describeKinds(int kinds) {
        List<String> names = new ArrayList<>();
        name(names, kinds, Value.ARG, "ARGS");
        name(names, kinds, Value.ARG_NAME, "ARGS_NAMES");
        name(names, kinds, Value.COOKIE, "REQUEST_COOKIES");
        name(names, kinds, Value.COOKIE_NAME, "REQUEST_COOKIES_NAMES");
        if ((kinds & Value.HEADER) != 0) {
            names.add("REQUEST_HEADERS");
        } else {
            name(names, kinds, Value.UA, "REQUEST_HEADERS:User-Agent");
            name(names, kinds, Value.REFERER, "REQUEST_HEADERS:Referer");
            name(names, kinds, Value.XHDR, "REQUEST_HEADERS other than the standard ones (Host, Accept, ...)");
        }
        name(names, kinds, Value.HEADER_NAME, "REQUEST_HEADERS_NAMES");
        name(names, kinds, Value.URI, "REQUEST_URI");
        name(names, kinds, Value.PATH, "REQUEST_FILENAME");
        name(names, kinds, Value.BODY, "REQUEST_BODY");
        name(names, kinds, Value.FILE, "FILES");
        return names.isEmpty() ? "nothing an exclusion can name" : String.join(", ", names);
    }

    private static void name(List<String> names, int kinds, int kind, String name) {
        if ((kinds & kind) != 0) {
            names.add(name);
        }
    }

    /** The built-in rules' ids and kinds, built on first use and kept: building the rules is not free. */
    private static final class BuiltIn {
        static final Map<Integer, Integer> KINDS = load();

        private static Map<Integer, Integer> load() {
            Map<Integer, Integer> kinds = new HashMap<>();
            for (Rule r : Rules.valueRules()) {
                kinds.merge(r.id(), r.kinds(), (a, b) -> a | b);
            }
            for (RequestRule r : ProtocolRules.rules()) {
                kinds.merge(r.id(), r.kinds(), (a, b) -> a | b);
            }
            return Map.copyOf(kinds);
        }
    }
}
