package dev.aegis.waf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.config.WafConfig;
import dev.aegis.config.WafPolicy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The prefilter may only skip a rule when the rule could not have matched: for every value of every corpus request
 * (attacks and benign, so plenty of matches and near misses), a rule whose detector matches must pass its
 * literal and byte-class filters.
 */
class WafPrefilterSoundnessTest {

    @Test
    void derivedLiteralsAreFoundInEveryRegexMatch() {
        assertThat(RequiredLiterals.of("a\\s+from\\b")).containsExactly("from");
        assertThat(RequiredLiterals.of("(?:union|select)\\s")).containsExactlyInAnyOrder("union", "select");
        assertThat(RequiredLiterals.of("x?y*")).isNull();
        assertThat(RequiredLiterals.of("(?i)abc")).isNull(); // flags: not understood, so no filter
        assertThat(RequiredLiterals.of("[oc]:\\d+")).containsExactlyInAnyOrder("o:", "c:");
        assertThat(RequiredLiterals.of("ab|c?")).isNull(); // one branch can match the empty string
    }

    @Test
    void everyFactorOfAConcatenationGivesARequiredSet() {
        assertThat(requiredSets("[$#%]\\{[^}]{0,200}?(?:runtime|\\.class|@)"))
                .containsExactlyInAnyOrder(Set.of("${", "#{", "%{"), Set.of("runtime", ".class", "@"));
        assertThat(requiredSets("(?:a\\s+from\\b)")).containsExactlyInAnyOrder(Set.of("a"), Set.of("from"));
        // alternatives share one set: no factor of either is required on its own
        assertThat(requiredSets("ab\\s*x|cd")).containsExactly(Set.of("ab", "cd"));
        assertThat(requiredSets("x?y*")).isNull();
        assertThat(requiredSets("(?i)abc")).isNull();
    }

    static List<Set<String>> requiredSets(String regex) {
        String[][] sets = RequiredLiterals.requiredSets(regex);
        return sets == null ? null : Arrays.stream(sets).map(Set::of).toList();
    }

    @Test
    void noRuleIsSkippedThatWouldHaveMatched() throws Exception {
        List<Rule> rules = Rules.valueRules();
        List<String[]> groups = new ArrayList<>();
        for (Rule r : rules) {
            groups.add(r.detector().literals());
        }
        LiteralScanner scanner = new LiteralScanner(groups);
        // the engine's own path as well: its automata per paranoia level and family, cached candidate sets, hits
        // kept on the value between levels
        WafEngine engine = WafEngine.compile(new WafConfig(WafPolicy.WafMode.BLOCK, 1, 5, 128 << 10, List.of()));
        assertThat(engine.ruleWords()).isEqualTo((rules.size() + 63) >>> 6);
        long[][] candidates = new long[5][engine.ruleWords()];
        List<String> unsound = new ArrayList<>();
        int matches = 0;
        for (WafCorpusTest.Case c : WafCorpusTest.load(WafCorpusTest.corpus())) {
            Targets t = Targets.parse(c.input());
            for (Value v : t.values) {
                for (int pl = 1; pl <= 4; pl++) {
                    engine.candidates(v, pl, candidates[pl]);
                }
                for (int g = 0; g < rules.size(); g++) {
                    Rule r = rules.get(g);
                    if ((v.kind & r.kinds()) == 0) {
                        continue;
                    }
                    String frag;
                    try {
                        frag = r.detector().test(v);
                    } catch (RuntimeException e) {
                        continue;
                    }
                    Rule.Detector inner = r.detector() instanceof Rules.GatedDetector gd ? gd.detector() : r.detector();
                    if (inner instanceof Rules.RegexDetector rd) {
                        // alternatives run one by one, behind their own filters: same verdict as the whole regex
                        // (a gated regex's verdict is its gate's, then its alternatives')
                        String innerFrag = inner == r.detector() ? frag : rd.test(v);
                        boolean whole = rd.pattern().matcher(rd.view().of(v)).find();
                        if (whole != (innerFrag != null)) {
                            unsound.add(r.id() + " by alternatives " + (innerFrag != null) + " but whole regex " + whole
                                    + " on " + v.name() + "=" + v.raw);
                        }
                    }
                    if (r.detector() instanceof Rules.GatedDetector gd && gd.precludes(v)
                            && gd.detector().test(v) != null) {
                        unsound.add(r.id() + " precludes " + v.name() + "=" + v.raw + " but its detector matches");
                    }
                    if (frag == null) {
                        continue;
                    }
                    matches++;
                    assertThat(engine.valueRule(g).id()).isEqualTo(r.id());
                    for (int pl = r.paranoia(); pl <= 4; pl++) {
                        if ((v.classes & r.trigger()) != 0 && (candidates[pl][g >>> 6] & 1L << g) == 0) {
                            unsound.add(r.id() + " not a candidate at paranoia " + pl + " on " + v.name() + "="
                                    + v.raw);
                        }
                    }
                    int req = r.detector().requiredClasses();
                    int[] masks = r.detector().classMasks();
                    boolean maskOk = masks == null;
                    for (int k = 0; masks != null && k < masks.length; k++) {
                        maskOk |= (v.classes & masks[k]) == masks[k];
                    }
                    // A rule's trigger is part of what it means (some skip plain words on purpose); what must hold
                    // is that testing it on raw and decoded classes admits whatever the raw classes plus "any
                    // encoding" admitted before.
                    boolean triggerOk = (v.rawClasses & (r.trigger() | Value.C_ENCODED)) == 0
                            || (v.classes & r.trigger()) != 0;
                    boolean passes = triggerOk && (v.classes & req) == req && maskOk
                            && (r.detector().literals() == null || r.detector().literalBypass() != null
                                    && Rules.anyMask(r.detector().literalBypass(), v.classes)
                                || v.hit(scanner, r.detector().view(), g));
                    if (!passes) {
                        unsound.add(r.id() + " on " + v.name() + "=" + v.raw + " literals "
                                + Arrays.toString(r.detector().literals()));
                    }
                }
            }
        }
        assertThat(matches).as("detector matches seen").isGreaterThan(1000);
        assertThat(unsound).isEmpty();
    }
}
