package dev.aegis.waf;

import dev.aegis.config.WafConfig;
import dev.aegis.config.WafPolicy;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

/**
 * Triage helper, not a check: {@code -Dwaf.cost=1} prints where a clean browser GET's inspection time goes (target
 * decoding, each value's prefilter, each detector that runs, the request rules). JMH in aegis-bench is the measure;
 * this only says which part to look at.
 */
class WafCostProfileTest {
    static final List<Map.Entry<String, String>> BROWSER_HEADERS = List.of(
            Map.entry("Host", "shop.example.com"),
            Map.entry("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                    + "Chrome/131.0.0.0 Safari/537.36"),
            Map.entry("Accept", "application/json, text/plain, */*"),
            Map.entry("Accept-Language", "en-GB,en;q=0.9,de;q=0.8"),
            Map.entry("Accept-Encoding", "gzip, deflate, br, zstd"),
            Map.entry("Referer", "https://shop.example.com/account/orders?page=2"),
            Map.entry("Cookie", "session=7f3c9a2e51b84d0c9e6f1a2b3c4d5e6f; theme=dark; consent=analytics%3Dno"),
            Map.entry("Sec-Fetch-Site", "same-origin"),
            Map.entry("Sec-Fetch-Mode", "cors"),
            Map.entry("Connection", "keep-alive"));

    interface Work {
        Object run();
    }

    static double nanos(Work w) {
        Object sink = null;
        for (int i = 0; i < 200_000; i++) {
            sink = w.run();
        }
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 100_000; i++) {
                sink = w.run();
            }
            best = Math.min(best, (System.nanoTime() - t0) / 100_000.0);
        }
        if (sink == Work.class) {
            System.out.print("");
        }
        return best;
    }

    @Test
    void profile() {
        Assumptions.assumeTrue(System.getProperty("waf.cost") != null);
        String uri = System.getProperty("waf.cost.uri", "/api/users");
        InspectionInput in = new InspectionInput("GET", uri, BROWSER_HEADERS, null, false);
        WafEngine engine = WafEngine.compile(new WafConfig(WafPolicy.WafMode.BLOCK, 1, 5, 128 << 10, List.of()));
        WafPolicy policy = new WafPolicy(WafPolicy.WafMode.BLOCK, 1, 5, List.of());
        StringBuilder out = new StringBuilder();
        out.append(String.format("inspect            %8.1f ns%n", nanos(() -> engine.inspect(in, policy))));
        out.append(String.format("Targets.parse      %8.1f ns%n", nanos(() -> Targets.parse(in))));
        long[] cand = new long[engine.ruleWords()];
        for (Value v : Targets.parse(in).values) {
            out.append(String.format("  %-34s %8.1f ns prefilter%n", v.name(),
                    nanos(() -> {
                        Value fresh = new Value(v.name(), v.kind, v.raw, null);
                        engine.candidates(fresh, 1, cand);
                        return cand;
                    }) - nanos(() -> new Value(v.name(), v.kind, v.raw, null))));
            engine.candidates(v, 1, cand);
            for (int k = 0; k < cand.length; k++) {
                for (long bits = cand[k]; bits != 0; bits &= bits - 1) {
                    Rule r = engine.valueRule(k << 6 | Long.numberOfTrailingZeros(bits));
                    out.append(String.format("    %-6d %-26s %8.1f ns%n", r.id(), r.family(),
                            nanos(() -> r.detector().test(v))));
                }
            }
        }
        Targets t = Targets.parse(in);
        for (RequestRule r : engine.requestRules()) {
            double ns = nanos(() -> {
                r.check().test(t, (target, fragment) -> { });
                return t;
            });
            if (ns > 5) {
                out.append(String.format("  request rule %-6d %8.1f ns%n", r.id(), ns));
            }
        }
        System.out.println(out);
    }
}
