package dev.aegis.waf;

import dev.aegis.config.WafConfig;
import dev.aegis.config.WafPolicy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The WAF: compiled once from the config, then {@link #inspect} decides on each request. Immutable and thread-safe.
 */
public final class WafEngine {
    private final WafConfig config;
    private final Rule[] valueRules;
    private final RequestRule[] requestRules;
    private final Map<Integer, Integer> kindsById = new HashMap<>();
    private final Set<Integer> ids;
    /** The config's custom rules; null when it has none, so requests pay nothing for them. */
    private final CustomRules custom;

    private WafEngine(WafConfig config) {
        this.config = config;
        this.valueRules = Rules.valueRules().toArray(new Rule[0]);
        this.requestRules = ProtocolRules.rules().toArray(new RequestRule[0]);
        Set<Integer> all = new TreeSet<>();
        for (Rule r : valueRules) {
            all.add(r.id());
            kindsById.put(r.id(), r.kinds());
        }
        for (RequestRule r : requestRules) {
            all.add(r.id());
            kindsById.put(r.id(), r.kinds());
        }
        // ---- custom rules (waf.custom_rules)
        this.custom = CustomRules.compile(config.customRules());
        if (custom != null) {
            for (int id : custom.ids()) {
                if (!all.add(id)) {
                    throw new IllegalArgumentException("custom rule " + id + " has the id of a built-in rule");
                }
            }
        }
        // ---- end custom rules
        this.ids = Set.copyOf(all);
    }

    /**
     * Compiles the built-in rules and the config's custom rules.
     *
     * @throws IllegalArgumentException if custom rules share an id with each other or a built-in rule (the config
     *     loader refuses such a file first)
     */
    public static WafEngine compile(WafConfig config) {
        return new WafEngine(config);
    }

    /** Every rule id this engine knows. */
    public Set<Integer> ruleIds() {
        return ids;
    }

    /**
     * Whether rule {@code ruleId} ever inspects the target named {@code targetName} ({@code ARGS:password},
     * {@code ARGS}, {@code REQUEST_HEADERS:User-Agent}, {@code REQUEST_COOKIES:sid}, {@code REQUEST_URI}, ...).
     */
    public boolean ruleInspects(int ruleId, String targetName) {
        if (custom != null && custom.has(ruleId)) {
            return custom.inspects(ruleId, targetName); // by the rule's own targets, not by kinds
        }
        Integer kinds = kindsById.get(ruleId);
        if (kinds == null || targetName == null) {
            return false;
        }
        return (kinds & kindsOf(targetName)) != 0;
    }

    static int kindsOf(String target) {
        String t = target.toUpperCase(Locale.ROOT);
        int c = t.indexOf(':');
        String coll = c < 0 ? t : t.substring(0, c);
        String member = c < 0 ? "" : t.substring(c + 1);
        return switch (coll) {
            case "ARGS", "JSON", "XML" -> Value.ARG;
            case "ARGS_NAMES", "JSON_KEYS" -> Value.ARG_NAME;
            case "REQUEST_COOKIES" -> Value.COOKIE;
            case "REQUEST_COOKIES_NAMES" -> Value.COOKIE_NAME;
            case "REQUEST_HEADERS" -> switch (member) {
                case "USER-AGENT" -> Value.HEADER | Value.UA;
                case "REFERER" -> Value.HEADER | Value.REFERER;
                case "COOKIE" -> Value.COOKIE | Value.COOKIE_NAME;
                case "" -> Value.HEADER | Value.XHDR | Value.UA | Value.REFERER;
                default -> Targets.STANDARD_HEADERS.contains(member.toLowerCase(Locale.ROOT))
                        ? Value.HEADER : Value.HEADER | Value.XHDR;
            };
            case "REQUEST_HEADERS_NAMES" -> Value.HEADER_NAME;
            case "REQUEST_URI", "REQUEST_LINE", "REQUEST_METHOD" -> Value.URI;
            case "REQUEST_FILENAME", "REQUEST_PATH" -> Value.PATH;
            case "REQUEST_BODY", "MULTIPART_PART_HEADERS" -> Value.BODY;
            case "FILES" -> Value.FILE;
            default -> 0;
        };
    }

    /** Inspects one request under {@code policy}. Never throws on hostile input. */
    public WafDecision inspect(InspectionInput input, WafPolicy policy) {
        if (policy.mode() == WafPolicy.WafMode.OFF) {
            return WafDecision.CLEAN;
        }
        Targets t;
        try {
            t = Targets.parse(input);
        } catch (RuntimeException e) {
            // defensive: a decoder bug must not let the request through unseen nor crash the node
            return decide(List.of(new WafMatch(920000, "protocol-enforcement", "REQUEST", "unparseable request",
                    Rule.CRITICAL)), policy);
        }
        int pl = policy.paranoia();
        List<WafMatch> matches = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<WafPolicy.Exclusion> excl = policy.exclusions();
        for (Value v : t.values) {
            for (Rule r : valueRules) {
                if (r.paranoia() > pl || !r.applies(v)) {
                    continue;
                }
                String key = r.id() + "\u0000" + v.name;
                if (seen.contains(key) || excluded(excl, r.id(), v.name)) {
                    continue;
                }
                String frag;
                try {
                    frag = r.detector().test(v);
                } catch (RuntimeException e) {
                    frag = null;
                }
                if (frag != null) {
                    seen.add(key);
                    matches.add(new WafMatch(r.id(), r.family(), v.name, frag, r.severity()));
                }
            }
        }
        for (RequestRule r : requestRules) {
            if (r.paranoia() > pl) {
                continue;
            }
            try {
                r.check().test(t, (target, fragment) -> {
                    String key = r.id() + "\u0000" + target;
                    if (!excluded(excl, r.id(), target) && seen.add(key)) {
                        matches.add(new WafMatch(r.id(), r.family(), target, fragment, r.severity()));
                    }
                });
            } catch (RuntimeException e) {
                // a request rule that cannot evaluate contributes nothing
            }
        }
        // ---- custom rules: after the built-in ones, sharing `seen`, so each counts once per rule and target
        int actions = custom == null ? 0 : custom.inspect(t, input.clientIp(), pl, excl, seen, matches);
        return matches.isEmpty() ? WafDecision.CLEAN : decide(matches, policy, actions);
    }

    private static WafDecision decide(List<WafMatch> matches, WafPolicy policy) {
        return decide(matches, policy, 0);
    }

    /**
     * The verdict on {@code matches}. {@code actions} ({@link CustomRules#FORCE_BLOCK}, {@link
     * CustomRules#FORCE_ALLOW}) are custom rules' overrides of the threshold; allow wins over block, since an
     * allow rule is written to let a known request through whatever else it trips.
     */
    private static WafDecision decide(List<WafMatch> matches, WafPolicy policy, int actions) {
        int score = 0;
        for (WafMatch m : matches) {
            score += m.severity();
        }
        boolean blocked = policy.mode() == WafPolicy.WafMode.BLOCK
                && (score >= policy.anomalyThreshold() || (actions & CustomRules.FORCE_BLOCK) != 0)
                && (actions & CustomRules.FORCE_ALLOW) == 0;
        return new WafDecision(score, blocked, matches);
    }

    static boolean excluded(List<WafPolicy.Exclusion> exclusions, int ruleId, String target) {
        for (WafPolicy.Exclusion e : exclusions) {
            if (e.rule() != ruleId) {
                continue;
            }
            String et = e.target();
            if ("REQUEST_PATH".equalsIgnoreCase(et)) {
                et = "REQUEST_FILENAME"; // the config's name for the path; its values are named as in ModSecurity
            }
            if (et == null || et.isEmpty() || et.equalsIgnoreCase(target)) {
                return true;
            }
            int c = et.indexOf(':');
            String coll = c < 0 ? et : et.substring(0, c);
            String tc = target.indexOf(':') < 0 ? target : target.substring(0, target.indexOf(':'));
            String member = c < 0 ? null : et.substring(c + 1);
            String tm = target.indexOf(':') < 0 ? "" : target.substring(target.indexOf(':') + 1);
            if (member == null && coll.equalsIgnoreCase(tc)) {
                return true; // whole collection
            }
            if (member != null && coll.equalsIgnoreCase("ARGS") && tc.equalsIgnoreCase("JSON") && member.equals(tm)) {
                return true;
            }
            if (coll.equalsIgnoreCase("REQUEST_HEADERS") && "cookie".equalsIgnoreCase(member)
                    && (tc.equalsIgnoreCase("REQUEST_COOKIES") || tc.equalsIgnoreCase("REQUEST_COOKIES_NAMES"))) {
                return true;
            }
            if (coll.equalsIgnoreCase(tc) && coll.equalsIgnoreCase("REQUEST_HEADERS") && member.equalsIgnoreCase(tm)) {
                return true;
            }
        }
        return false;
    }

    WafConfig config() {
        return config;
    }
}
