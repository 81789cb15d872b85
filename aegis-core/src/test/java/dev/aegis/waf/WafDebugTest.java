package dev.aegis.waf;

import dev.aegis.config.WafConfig;
import dev.aegis.config.WafPolicy;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** Triage helper: -Dwaf.debug=id1,id2 prints the inspected values and matches of those corpus cases. */
class WafDebugTest {
    @Test
    void debug() throws Exception {
        String ids = System.getProperty("waf.debug");
        Assumptions.assumeTrue(ids != null && !ids.isBlank());
        Path p = WafCorpusTest.corpus();
        Assumptions.assumeTrue(p != null);
        Set<String> want = Set.of(ids.split(","));
        WafEngine engine = WafEngine.compile(new WafConfig(WafPolicy.WafMode.BLOCK, 1, 5, 128 * 1024, List.of()));
        StringBuilder sb = new StringBuilder();
        for (WafCorpusTest.Case c : WafCorpusTest.load(p)) {
            if (!want.contains(c.id())) {
                continue;
            }
            sb.append("== ").append(c.id()).append('\n');
            for (Value v : Targets.parse(c.input()).values) {
                sb.append("  ").append(v.name()).append(" kind=").append(v.kind).append(" raw=[").append(v.raw)
                        .append("] low=[").append(v.low()).append("]\n");
            }
            sb.append("  -> ").append(engine.inspect(c.input(), new WafPolicy(WafPolicy.WafMode.BLOCK, 2, 5, List.of())).matches()).append('\n');
        }
        Files.writeString(Path.of("target/waf-debug.txt"), sb.toString());
    }
}
