package dev.aegis.waf;

import dev.aegis.config.WafConfig;
import dev.aegis.config.WafPolicy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * What the WAF fuzz and hostile-input tests share: the one place their engine config is built, and the direct path
 * through parsing, decoders and detectors that lets exceptions out ({@link WafEngine#inspect} swallows a
 * RuntimeException of parsing or of a single rule, so a decoder bug would go unseen there).
 */
final class WafFuzzSupport {
    private WafFuzzSupport() {
    }

    /** The engine config of the fuzz tests; the only place they construct a {@link WafConfig}. */
    static WafConfig config() {
        return new WafConfig(WafPolicy.WafMode.BLOCK, 1, 5, 128 * 1024, List.of());
    }

    static WafEngine engine() {
        return WafEngine.compile(config());
    }

    static WafPolicy policy(int paranoia) {
        return new WafPolicy(WafPolicy.WafMode.BLOCK, paranoia, 5, List.of());
    }

    private static final Rule[] VALUE_RULES = Rules.valueRules().toArray(new Rule[0]);
    private static final RequestRule[] REQUEST_RULES = ProtocolRules.rules().toArray(new RequestRule[0]);

    /** Rule id {@link WafEngine#inspect} reports when {@link Targets#parse} threw (the exception itself is swallowed). */
    static final int UNPARSEABLE = 920000;

    /**
     * Runs {@code in} through {@link WafEngine#inspect} at every paranoia level and fails if it throws or reports that
     * parsing threw.
     */
    static void inspectAllLevels(WafEngine engine, InspectionInput in) {
        for (int pl = 1; pl <= 4; pl++) {
            WafDecision d = engine.inspect(in, policy(pl));
            for (WafMatch m : d.matches()) {
                if (m.ruleId() == UNPARSEABLE) {
                    throw new AssertionError("inspect at PL" + pl + " reported an exception of Targets.parse (rule "
                            + UNPARSEABLE + "); run the direct path to see it");
                }
            }
        }
    }

    /**
     * Parsing, every value's transformed views, every value rule's detector (all paranoia levels, ignoring the byte-class
     * prefilter, which is an optimisation only) and every request rule, with no exception handling: whatever any of
     * them throws propagates. Returns how many detector hits there were (so the work cannot be optimised away).
     */
    static int direct(InspectionInput in) {
        Targets t = Targets.parse(in);
        int hits = 0;
        for (Value v : t.values) {
            v.dec();
            v.low();
            v.path();
            v.shell();
            v.jndi();
            for (Rule r : VALUE_RULES) {
                if ((v.kind & r.kinds()) != 0 && r.detector().test(v) != null) {
                    hits++;
                }
            }
        }
        int[] n = {0};
        for (RequestRule r : REQUEST_RULES) {
            r.check().test(t, (target, fragment) -> n[0]++);
        }
        return hits + n[0];
    }

    /** Every decoder of {@link Transforms} and both tokenising detectors on one string, with no exception handling. */
    static int transforms(String s) {
        Transforms.Flags f = new Transforms.Flags();
        int h = 0;
        h += Transforms.urlDecode(s, true, f).length();
        h += Transforms.urlDecode(s, false, null).length();
        h += Transforms.urlDecodeRepeat(s, 3, f).length();
        h += Transforms.htmlDecode(s).length();
        h += Transforms.unescape(s).length();
        h += Transforms.foldFullwidth(s).length();
        h += Transforms.removeNulls(s).length();
        String low = Transforms.lowerCompress(s);
        h += low.length();
        h += Transforms.normalizePath(low).length();
        h += Transforms.removeSqlComments(low).length();
        h += Transforms.shell(low).length();
        h += Transforms.jndi(low).length();
        String b = Transforms.base64Text(s);
        h += b == null ? 0 : b.length();
        h += Transforms.utf8(s.getBytes(StandardCharsets.ISO_8859_1), f).length();
        h += Rules.utf7(s).length();
        h += SqlInjection.detect(s) == null ? 0 : 1;
        h += CrossSiteScripting.detect(s) == null ? 0 : 1;
        return h;
    }

    /** A header entry (nulls kept, which {@link Map#entry} refuses). */
    static Map.Entry<String, String> header(String name, String value) {
        return new java.util.AbstractMap.SimpleImmutableEntry<>(name, value);
    }
}
