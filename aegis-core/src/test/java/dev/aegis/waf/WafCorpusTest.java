package dev.aegis.waf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegis.config.WafConfig;
import dev.aegis.config.WafPolicy;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replays shared/waf-corpus/dev.jsonl through the engine at paranoia 1 and 2 (block mode, threshold 5) and prints
 * the true-positive rate per category and source, the false-positive rate per category, and the balanced score,
 * next to ModSecurity + CRS on the same file. Floors guard against regressions.
 */
class WafCorpusTest {
    static final double[] FLOOR_TPR = {0.0, 0.945, 0.955};
    static final double[] CEIL_FPR = {0.0, 0.045, 0.045};
    static final double[][] CRS = {{}, {0.825, 0.155}, {0.889, 0.305}};

    record Case(String id, String source, String category, boolean attack, InspectionInput input) {
    }

    static Path corpus() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path p = dir.resolve("shared/waf-corpus/dev.jsonl");
            if (Files.isRegularFile(p)) {
                return p;
            }
            dir = dir.getParent();
        }
        return null;
    }

    static List<Case> load(Path p) throws IOException {
        ObjectMapper om = new ObjectMapper();
        List<Case> out = new ArrayList<>();
        for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = om.readTree(line);
            InspectionInput in;
            if (n.hasNonNull("raw") || n.hasNonNull("raw_b64")) {
                byte[] raw = n.hasNonNull("raw") ? n.get("raw").asText().getBytes(StandardCharsets.UTF_8)
                        : Base64.getDecoder().decode(n.get("raw_b64").asText());
                in = parseRaw(raw);
            } else {
                List<Map.Entry<String, String>> headers = new ArrayList<>();
                boolean host = false;
                JsonNode h = n.get("headers");
                if (h != null) {
                    for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> e = it.next();
                        headers.add(new AbstractMap.SimpleEntry<>(e.getKey(), e.getValue().asText()));
                        host |= e.getKey().equalsIgnoreCase("Host");
                    }
                }
                if (!host) {
                    headers.add(new AbstractMap.SimpleEntry<>("Host", "localhost:8080"));
                }
                byte[] body = n.hasNonNull("body") ? n.get("body").asText().getBytes(StandardCharsets.UTF_8)
                        : n.hasNonNull("body_b64") ? Base64.getDecoder().decode(n.get("body_b64").asText()) : new byte[0];
                in = new InspectionInput(n.path("method").asText("GET"), n.path("uri").asText("/"), headers, body, false);
            }
            out.add(new Case(n.path("id").asText(), n.path("source").asText(), n.path("category").asText(),
                    "attack".equals(n.path("label").asText()), in));
        }
        return out;
    }

    /** Request line, headers and body out of raw HTTP/1.x bytes (lenient); a missing Host is localhost:8080. */
    static InspectionInput parseRaw(byte[] raw) {
        return parseRaw(raw, "localhost:8080");
    }

    /** Request line, headers and body out of raw HTTP/1.x bytes (lenient), with {@code host} when none is sent. */
    static InspectionInput parseRaw(byte[] raw, String host) {
        int headEnd = -1;
        int sep = 4;
        for (int i = 0; i + 3 < raw.length; i++) {
            if (raw[i] == '\r' && raw[i + 1] == '\n' && raw[i + 2] == '\r' && raw[i + 3] == '\n') {
                headEnd = i;
                break;
            }
        }
        if (headEnd < 0) {
            for (int i = 0; i + 1 < raw.length; i++) {
                if (raw[i] == '\n' && raw[i + 1] == '\n') {
                    headEnd = i;
                    sep = 2;
                    break;
                }
            }
        }
        String head = new String(raw, 0, headEnd < 0 ? raw.length : headEnd, StandardCharsets.ISO_8859_1);
        byte[] body = headEnd < 0 ? new byte[0] : java.util.Arrays.copyOfRange(raw, headEnd + sep, raw.length);
        String[] lines = head.split("\r?\n");
        String[] rl = lines.length > 0 ? lines[0].split(" ", 3) : new String[0];
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        boolean sawHost = false;
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            if (c > 0) {
                String k = lines[i].substring(0, c).trim();
                headers.add(new AbstractMap.SimpleEntry<>(k, lines[i].substring(c + 1).trim()));
                sawHost |= k.equalsIgnoreCase("Host");
            }
        }
        if (!sawHost) {
            headers.add(new AbstractMap.SimpleEntry<>("Host", host));
        }
        return new InspectionInput(rl.length > 0 ? rl[0] : "", rl.length > 1 ? rl[1] : "/", headers, body, false);
    }

    @Test
    void corpusMeetsFloors() throws IOException {
        Path p = corpus();
        Assumptions.assumeTrue(p != null, "shared/waf-corpus/dev.jsonl not found");
        List<Case> cases = load(p);
        WafEngine engine = WafEngine.compile(new WafConfig(WafPolicy.WafMode.BLOCK, 1, 5, 128 * 1024, List.of()));
        for (int pl = 1; pl <= 2; pl++) {
            WafPolicy policy = new WafPolicy(WafPolicy.WafMode.BLOCK, pl, 5, List.of());
            Map<String, int[]> tpCat = new TreeMap<>();
            Map<String, int[]> tpSrc = new TreeMap<>();
            Map<String, int[]> fpCat = new TreeMap<>();
            int tp = 0;
            int att = 0;
            int fp = 0;
            int ben = 0;
            long t0 = System.nanoTime();
            List<String> missed = new ArrayList<>();
            List<String> falsePos = new ArrayList<>();
            for (Case c : cases) {
                WafDecision d = engine.inspect(c.input(), policy);
                if (c.attack()) {
                    att++;
                    tpCat.computeIfAbsent(c.source() + "/" + c.category(), k -> new int[2])[1]++;
                    tpSrc.computeIfAbsent(c.source(), k -> new int[2])[1]++;
                    if (d.blocked()) {
                        tp++;
                        tpCat.get(c.source() + "/" + c.category())[0]++;
                        tpSrc.get(c.source())[0]++;
                    } else {
                        missed.add(c.id());
                    }
                } else {
                    ben++;
                    fpCat.computeIfAbsent(c.source() + "/" + c.category(), k -> new int[2])[1]++;
                    if (d.blocked()) {
                        fp++;
                        fpCat.get(c.source() + "/" + c.category())[0]++;
                        falsePos.add(c.id() + " " + d.matches());
                    }
                }
            }
            long us = (System.nanoTime() - t0) / 1000 / cases.size();
            double tpr = (double) tp / att;
            double fpr = (double) fp / ben;
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("%n=== WAF corpus, paranoia %d, block, threshold 5 (%d requests, ~%d us/request incl. JIT warm-up) ===%n",
                    pl, cases.size(), us));
            sb.append("TPR per source/category:\n");
            tpCat.forEach((k, v) -> sb.append(String.format("  %-40s %5d/%-5d %.3f%n", k, v[0], v[1], (double) v[0] / v[1])));
            sb.append("TPR per source:\n");
            tpSrc.forEach((k, v) -> sb.append(String.format("  %-40s %5d/%-5d %.3f%n", k, v[0], v[1], (double) v[0] / v[1])));
            sb.append("FPR per source/category:\n");
            fpCat.forEach((k, v) -> sb.append(String.format("  %-40s %5d/%-5d %.3f%n", k, v[0], v[1], (double) v[0] / v[1])));
            sb.append(String.format("OVERALL PL%d: TPR %.3f  FPR %.3f  balanced %.3f   (ModSecurity+CRS: TPR %.3f FPR %.3f balanced %.3f)%n",
                    pl, tpr, fpr, (tpr + 1 - fpr) / 2, CRS[pl][0], CRS[pl][1], (CRS[pl][0] + 1 - CRS[pl][1]) / 2));
            System.out.print(sb);
            Path target = Path.of("target");
            if (Files.isDirectory(target)) { // ids of misses and false positives, for triage by family
                Files.write(target.resolve("waf-corpus-pl" + pl + "-missed.txt"), missed);
                Files.write(target.resolve("waf-corpus-pl" + pl + "-fp.txt"), falsePos);
            }
            assertThat(tpr).as("TPR at PL%d", pl).isGreaterThanOrEqualTo(FLOOR_TPR[pl]);
            assertThat(fpr).as("FPR at PL%d", pl).isLessThanOrEqualTo(CEIL_FPR[pl]);
        }
    }
}
