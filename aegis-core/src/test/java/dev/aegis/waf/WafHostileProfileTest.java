package dev.aegis.waf;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Triage helper for {@link WafHostileInputTest}: {@code -Dwaf.hostile.profile=<size in KiB>} (optionally
 * {@code -Dwaf.hostile.only=name-substring}, {@code -Dwaf.hostile.rules=false} to time parsing and views only) prints where inspecting each hostile value of that size spends its time:
 * parsing, each lazily computed view, and every value rule above 1 ms. Writes target/waf-hostile-profile.txt.
 */
class WafHostileProfileTest {
    @Test
    void profile() throws Exception {
        String prop = System.getProperty("waf.hostile.profile");
        Assumptions.assumeTrue(prop != null && !prop.isBlank());
        int size = Integer.parseInt(prop.trim()) * 1024;
        String only = System.getProperty("waf.hostile.only", "");
        boolean withRules = !"false".equals(System.getProperty("waf.hostile.rules"));
        Rule[] rules = Rules.valueRules().toArray(new Rule[0]);
        RequestRule[] reqRules = ProtocolRules.rules().toArray(new RequestRule[0]);
        StringBuilder sb = new StringBuilder();
        for (int round = 0; round < 2; round++) { // the first round warms up
            sb.setLength(0);
            sb.append(String.format("=== hostile inputs of %d KiB: cost breakdown (ms), rules >= 1 ms ===%n", size / 1024));
            for (WafHostileInputTest.Hostile h : WafHostileInputTest.hostiles(size)) {
                if (!h.name().contains(only)) {
                    continue;
                }
                for (WafHostileInputTest.Placement p : WafHostileInputTest.placements(h)) {
                    long t0 = System.nanoTime();
                    Targets t = Targets.parse(p.input());
                    double parse = ms(t0);
                    double views = 0;
                    double rulesMs = 0;
                    List<String> hot = new ArrayList<>();
                    for (Value v : t.values) {
                        long v0 = System.nanoTime();
                        v.dec();
                        double dec = ms(v0);
                        v0 = System.nanoTime();
                        v.low();
                        double low = ms(v0);
                        v0 = System.nanoTime();
                        v.path();
                        double path = ms(v0);
                        v0 = System.nanoTime();
                        v.shell();
                        double shell = ms(v0);
                        v0 = System.nanoTime();
                        v.jndi();
                        double jndi = ms(v0);
                        views += dec + low + path + shell + jndi;
                        if (dec + low + path + shell + jndi >= 1) {
                            hot.add(String.format("%s[%d] views dec %.1f low %.1f path %.1f shell %.1f jndi %.1f",
                                    abbrev(v.name()), v.raw.length(), dec, low, path, shell, jndi));
                        }
                        for (Rule r : rules) {
                            if (!withRules || !r.applies(v)) {
                                continue;
                            }
                            long r0 = System.nanoTime();
                            try {
                                r.detector().test(v);
                            } catch (RuntimeException e) {
                                hot.add(r.id() + " on " + abbrev(v.name()) + " threw " + e);
                            }
                            double d = ms(r0);
                            rulesMs += d;
                            if (d >= 1) {
                                hot.add(String.format("rule %d on %s[%d]: %.1f", r.id(), abbrev(v.name()), v.raw.length(), d));
                            }
                        }
                    }
                    long q0 = System.nanoTime();
                    for (RequestRule r : reqRules) {
                        r.check().test(t, (a, b) -> { });
                    }
                    double req = ms(q0);
                    sb.append(String.format(Locale.ROOT, "%-26s %-6s values %5d parse %7.1f views %7.1f rules %8.1f request-rules %5.1f%n",
                            h.name(), p.name(), t.values.size(), parse, views, rulesMs, req));
                    for (String s : hot) {
                        sb.append("      ").append(s).append('\n');
                    }
                }
            }
        }
        System.out.print(sb);
        Files.writeString(Path.of("target/waf-hostile-profile.txt"), sb.toString());
    }

    private static String abbrev(String s) {
        return s.length() > 30 ? s.substring(0, 30) + "..." : s;
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
