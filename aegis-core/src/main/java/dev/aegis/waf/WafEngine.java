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
    /**
     * Per value rule: whether it has prefilter literals in a view other than the lower-cased one (those are in
     * {@link #lowLiteralRules}), and the view; a rule's group in the literal automaton is its index.
     */
    private final boolean[] literalFiltered;
    /** Per value rule: whether its detector can {@link Rule.Detector#precludes preclude} a value before its literals. */
    private final boolean[] gated;
    private final Rules.View[] literalViews;
    private final int[] requiredClasses;
    /** Per value rule: the classes that lift its literal filter ({@link Rule.Detector#literalBypass}). */
    private final int[][] literalBypass;
    /** The rules whose literals are found in the lower-cased view, a bit per rule: filtered a word at a time. */
    private final long[] lowLiteralRules;
    private final int[][] classMasks;
    /**
     * Per value rule with literals: the distinct byte-class sets of its literals. A plain value (whose views are all
     * the raw value lower-cased, so have its classes) can only hold a literal whose classes it has: when it has none
     * of these sets the rule is ruled out without scanning.
     */
    private final int[][] literalClasses;
    /**
     * The literal automata by paranoia level (index 1 to 4), then by family of value kinds. A family's automaton
     * holds only the literals of the rules that inspect that family: a header is scanned with the few header rules'
     * literals, whose small table stays in the cache, not with every argument rule's. A level's automata hold only
     * the literals of rules that run at that level, so a route at paranoia 1 does not stop on the short, common
     * words ({@code or}, {@code if}, {@code max}) of the paranoia-2 SQL rules; a level with the same rules as the
     * one below shares its automata (per family). A rule's group number is its index in every automaton.
     */
    private final LiteralScanner[][] scanners;
    /** The kinds of each automaton in {@link #scanners}; together they cover every kind. */
    private static final int[] SCANNER_KINDS = {
        Value.HEADER | Value.UA | Value.REFERER | Value.XHDR | Value.HEADER_NAME,
        Value.COOKIE | Value.COOKIE_NAME,
        Value.URI | Value.PATH,
        Value.ARG | Value.ARG_NAME | Value.BODY | Value.FILE,
    };
    private final int ruleWords;
    /** No custom rule can allow a request, so reaching the threshold in block mode settles the verdict. */
    private final boolean blockIsFinal;
    private final RequestRule[] requestRules;
    private final Map<Integer, Integer> kindsById = new HashMap<>();
    private final Set<Integer> ids;
    /** The config's custom rules; null when it has none, so requests pay nothing for them. */
    private final CustomRules custom;

    private WafEngine(WafConfig config) {
        this.config = config;
        this.valueRules = Rules.valueRules().toArray(new Rule[0]);
        this.requestRules = ProtocolRules.rules().toArray(new RequestRule[0]);
        List<String[]> groups = new ArrayList<>();
        literalFiltered = new boolean[valueRules.length];
        gated = new boolean[valueRules.length];
        literalViews = new Rules.View[valueRules.length];
        requiredClasses = new int[valueRules.length];
        literalBypass = new int[valueRules.length][];
        classMasks = new int[valueRules.length][];
        literalClasses = new int[valueRules.length][];
        for (int g = 0; g < valueRules.length; g++) {
            String[] lits = valueRules[g].detector().literals();
            groups.add(lits);
            literalFiltered[g] = lits != null;
            literalViews[g] = valueRules[g].detector().view();
            gated[g] = valueRules[g].detector() instanceof Rules.GatedDetector;
            requiredClasses[g] = valueRules[g].detector().requiredClasses();
            literalBypass[g] = valueRules[g].detector().literalBypass();
            classMasks[g] = valueRules[g].detector().classMasks();
            if (lits != null) {
                literalClasses[g] = java.util.Arrays.stream(lits).mapToInt(Value::classesOf).distinct().toArray();
            }
        }
        this.scanners = new LiteralScanner[5][SCANNER_KINDS.length];
        for (int pl = 1; pl <= 4; pl++) {
            for (int f = 0; f < SCANNER_KINDS.length; f++) {
                boolean sameAsBelow = pl > 1;
                List<String[]> family = new ArrayList<>(groups.size());
                for (int g = 0; g < valueRules.length; g++) {
                    Rule r = valueRules[g];
                    boolean reads = (r.kinds() & SCANNER_KINDS[f]) != 0 && groups.get(g) != null;
                    family.add(reads && r.paranoia() <= pl ? groups.get(g) : null);
                    sameAsBelow &= !reads || r.paranoia() != pl;
                }
                scanners[pl][f] = sameAsBelow ? scanners[pl - 1][f] : new LiteralScanner(family);
            }
        }
        this.ruleWords = (valueRules.length + 63) >>> 6;
        this.lowLiteralRules = new long[ruleWords];
        for (int g = 0; g < valueRules.length; g++) {
            if (literalFiltered[g] && literalViews[g] == Rules.View.LOW && literalBypass[g] == null && !gated[g]) {
                lowLiteralRules[g >>> 6] |= 1L << g;
                literalFiltered[g] = false; // decided by the word-wide filter below
            }
        }
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
        this.blockIsFinal = custom == null || !custom.canAllow();
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
        Targets t = Targets.start(input);
        int pl = Math.max(1, Math.min(4, policy.paranoia()));
        List<WafMatch> matches = new ArrayList<>(4);
        Set<String> seen = new HashSet<>(4);
        List<WafPolicy.Exclusion> excl = policy.exclusions();
        long[] candidates = new long[ruleWords];
        // Block mode stops the built-in rules at the match that reaches the threshold, as ModSecurity's early blocking
        // does: the verdict can not change any more, and an attack costs no more than it must. Detect mode sees
        // every rule.
        int stopAt = policy.mode() == WafPolicy.WafMode.BLOCK && blockIsFinal ? policy.anomalyThreshold()
                : Integer.MAX_VALUE;
        int score = 0;
        int next = 0;
        values:
        do {
            for (; next < t.values.size(); next++) {
                Value v = t.values.get(next);
                candidates(v, pl, candidates);
                for (int k = 0; k < candidates.length; k++) {
                    for (long bits = candidates[k]; bits != 0; bits &= bits - 1) {
                        int g = k << 6 | Long.numberOfTrailingZeros(bits);
                        Rule r = valueRules[g];
                        String frag;
                        try {
                            frag = r.detector().test(v);
                        } catch (RuntimeException e) {
                            frag = null;
                        }
                        // exclusions and duplicates are checked only for a match: clean values pay nothing for them
                        if (frag != null && !excluded(excl, r.id(), v.name()) && seen.add(r.id() + "\u0000" + v.name())) {
                            matches.add(new WafMatch(r.id(), r.family(), v.name(), frag, r.severity()));
                            score += r.severity();
                            if (score >= stopAt) {
                                break values;
                            }
                        }
                    }
                }
            }
        } while (t.nextStage()); // the request line first, then headers, then the body
        if (t.broken) {
            // defensive: a decoder bug must not let the request through unseen nor crash the node
            matches.add(new WafMatch(920000, "protocol-enforcement", "REQUEST", "unparseable request", Rule.CRITICAL));
            score += Rule.CRITICAL;
        }
        if (score >= stopAt) {
            // The remaining built-in rules are skipped; the operator's own rules still run (few, and a log rule
            // is often there to tag exactly these requests) and read the whole request.
            if (custom != null) {
                finish(t);
            }
            int actions = custom == null ? 0 : custom.inspect(t, input.clientIp(), pl, excl, seen, matches);
            return decide(matches, policy, actions);
        }
        RequestMatches sink = new RequestMatches(excl, seen, matches);
        for (RequestRule r : requestRules) {
            if (r.paranoia() > pl) {
                continue;
            }
            sink.rule = r;
            try {
                r.check().test(t, sink);
            } catch (RuntimeException e) {
                // a request rule that cannot evaluate contributes nothing
            }
        }
        // ---- custom rules: after the built-in ones, sharing `seen`, so each counts once per rule and target
        int actions = custom == null ? 0 : custom.inspect(t, input.clientIp(), pl, excl, seen, matches);
        return matches.isEmpty() ? WafDecision.CLEAN : decide(matches, policy, actions);
    }

    /**
     * Into {@code out} (a bit per value rule): the rules of {@code v}'s kind at paranoia {@code pl} that pass every
     * prefilter (trigger classes, required classes, class masks, literals), so whose detectors must run.
     */
    void candidates(Value v, int pl, long[] out) {
        ClassCandidates c = classCandidates(v.kind, pl, v.classes);
        boolean plain = v.plain();
        System.arraycopy(plain ? c.plainRules : c.rules, 0, out, 0, out.length);
        long[] lowLiteral = plain ? c.plainLowLiteral : c.lowLiteral;
        long[] otherLiteral = plain ? c.plainOtherLiteral : c.otherLiteral;
        LiteralScanner literals = scannerFor(v.kind, pl);
        // Rules whose literals live in the lower-cased view: one scan, then drop those without a hit.
        long[] lowHits = null;
        for (int k = 0; k < out.length; k++) {
            long lit = lowLiteral[k];
            if (lit != 0) {
                if (lowHits == null) {
                    lowHits = v.hits(literals, Rules.View.LOW);
                }
                out[k] &= ~lit | lowHits[k];
            }
        }
        for (int k = 0; k < out.length; k++) {
            for (long bits = otherLiteral[k]; bits != 0; bits &= bits - 1) {
                int g = k << 6 | Long.numberOfTrailingZeros(bits);
                if (gated[g] && valueRules[g].detector().precludes(v) || !v.hit(literals, literalViews[g], g)) {
                    out[k] &= ~(1L << g);
                }
            }
        }
    }

    /**
     * The automaton for values of {@code kind} at paranoia {@code pl}: its first family (no kind is in two). Package
     * visible for the WAF's floor benchmark, which times this automaton alone.
     */
    LiteralScanner scannerFor(int kind, int pl) {
        LiteralScanner[] level = scanners[pl];
        for (int f = 0; f < SCANNER_KINDS.length - 1; f++) {
            if ((kind & SCANNER_KINDS[f]) != 0) {
                return level[f];
            }
        }
        return level[SCANNER_KINDS.length - 1];
    }

    /**
     * For values of one kind with one set of byte classes at one paranoia level: the rules that pass the class
     * prefilters, and which of those still need a literal in the lower-cased view or in another view; the same for
     * a {@link Value#plain()} value, without the rules none of whose literals it has the classes for. A pure
     * function of its small key, so it is computed once per key and kept.
     */
    private record ClassCandidates(long key, long[] rules, long[] lowLiteral, long[] otherLiteral,
            long[] plainRules, long[] plainLowLiteral, long[] plainOtherLiteral) {
    }

    /** Direct-mapped; a collision only recomputes. Entries are immutable, so racing threads see whole ones. */
    private final ClassCandidates[] classCandidates = new ClassCandidates[4096];

    private ClassCandidates classCandidates(int kind, int pl, int classes) {
        long key = (long) classes << 32 | (long) kind << 4 | pl;
        int slot = (int) (key * 0x9E3779B97F4A7C15L >>> 52);
        ClassCandidates c = classCandidates[slot];
        if (c == null || c.key != key) {
            c = computeClassCandidates(key, kind, pl, classes);
            classCandidates[slot] = c;
        }
        return c;
    }

    private ClassCandidates computeClassCandidates(long key, int kind, int pl, int classes) {
        long[] rules = new long[ruleWords];
        for (int g = 0; g < valueRules.length; g++) {
            Rule r = valueRules[g];
            if ((r.kinds() & kind) != 0 && r.paranoia() <= pl && (r.trigger() & classes) != 0) {
                rules[g >>> 6] |= 1L << g;
            }
        }
        long[] low = new long[ruleWords];
        long[] other = new long[ruleWords];
        for (int k = 0; k < rules.length; k++) {
            for (long bits = rules[k]; bits != 0; bits &= bits - 1) {
                int g = k << 6 | Long.numberOfTrailingZeros(bits);
                if ((classes & requiredClasses[g]) != requiredClasses[g]
                        || classMasks[g] != null && !Rules.anyMask(classMasks[g], classes)) {
                    rules[k] &= ~(1L << g);
                } else if ((lowLiteralRules[k] & 1L << g) != 0) {
                    low[k] |= 1L << g;
                } else if (literalFiltered[g]
                        && (literalBypass[g] == null || !Rules.anyMask(literalBypass[g], classes))) {
                    other[k] |= 1L << g;
                }
            }
        }
        long[] plainRules = rules.clone();
        long[] plainLow = low.clone();
        long[] plainOther = other.clone();
        for (int k = 0; k < rules.length; k++) {
            for (long bits = low[k] | other[k]; bits != 0; bits &= bits - 1) {
                int g = k << 6 | Long.numberOfTrailingZeros(bits);
                boolean possible = false;
                for (int lc : literalClasses[g]) {
                    possible |= (lc & ~classes) == 0;
                }
                if (!possible) {
                    plainRules[k] &= ~(1L << g);
                    plainLow[k] &= ~(1L << g);
                    plainOther[k] &= ~(1L << g);
                }
            }
        }
        return new ClassCandidates(key, rules, low, other, plainRules, plainLow, plainOther);
    }

    int ruleWords() {
        return ruleWords;
    }

    Rule valueRule(int g) {
        return valueRules[g];
    }

    RequestRule[] requestRules() {
        return requestRules;
    }

    private static void finish(Targets t) {
        while (t.nextStage()) {
            // the rest of the request
        }
    }

    /** Collects request-rule matches; one per inspection, pointed at each rule in turn. */
    private static final class RequestMatches implements RequestRule.Sink {
        private final List<WafPolicy.Exclusion> exclusions;
        private final Set<String> seen;
        private final List<WafMatch> matches;
        RequestRule rule;

        RequestMatches(List<WafPolicy.Exclusion> exclusions, Set<String> seen, List<WafMatch> matches) {
            this.exclusions = exclusions;
            this.seen = seen;
            this.matches = matches;
        }

        @Override
        public void match(String target, String fragment) {
            if (!excluded(exclusions, rule.id(), target) && seen.add(rule.id() + "\u0000" + target)) {
                matches.add(new WafMatch(rule.id(), rule.family(), target, fragment, rule.severity()));
            }
        }
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
            // A JSON body's fields (and an XML body's text) are arguments too, as for custom rules' ARGS.
            if (member == null && coll.equalsIgnoreCase("ARGS")
                    && (tc.equalsIgnoreCase("JSON") || tc.equalsIgnoreCase("XML"))) {
                return true;
            }
            if (coll.equalsIgnoreCase("ARGS_NAMES") && tc.equalsIgnoreCase("JSON_KEYS")
                    && (member == null || member.equals(tm))) {
                return true;
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
