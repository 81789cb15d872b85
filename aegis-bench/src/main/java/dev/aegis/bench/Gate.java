package dev.aegis.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The regression gate: compares a JMH JSON result with the committed baseline ({@code aegis-bench/baseline.json})
 * and exits 1 when a benchmark regressed beyond the tolerance the baseline states.
 *
 * <p>Machines differ and CI machines are noisy, so nothing is compared in nanoseconds: every result is divided by
 * {@link CalibrationBenchmark}'s yardstick from the same run, and that ratio is compared with the baseline's
 * ratio. A benchmark regresses when {@code now / baseline > tolerance}. Benchmarks missing from either side are
 * listed, not failed (a new benchmark gets its baseline in the same change that adds it).
 *
 * <p>A benchmark's time is the median of its measured iterations, not JMH's mean: on a shared machine one
 * iteration in a short run can take several times the others (a CI run saw {@code json1k} at 28 µs ± 180 µs over
 * three iterations whose typical value is 15 µs), and one such iteration must not decide the verdict.
 *
 * <pre>java -cp aegis-bench/target/benchmarks.jar dev.aegis.bench.Gate aegis-bench/baseline.json result.json</pre>
 * With {@code --write}, the result becomes the new baseline (ratios, with the tolerance kept). With
 * {@code --regressed FILE}, the names of the benchmarks that regressed are written to FILE, one per line, so that
 * {@code scripts/bench} can measure them once more before failing; {@code --subset} then leaves the benchmarks
 * that were not measured again unlisted.
 */
public final class Gate {
    static final String YARDSTICK = "dev.aegis.bench.CalibrationBenchmark.yardstick";

    private Gate() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: Gate BASELINE.json RESULT.json [--write]");
            System.exit(2);
        }
        ObjectMapper json = new ObjectMapper();
        File baselineFile = new File(args[0]);
        JsonNode result = json.readTree(new File(args[1]));
        Map<String, Double> now = new LinkedHashMap<>();
        for (JsonNode run : result) {
            String name = run.get("benchmark").asText();
            if (run.get("mode").asText().equals("avgt")) {
                now.put(name, medianOfIterations(run.get("primaryMetric")));
            }
        }
        Double yard = now.get(YARDSTICK);
        if (yard == null || yard <= 0) {
            System.err.println("the result has no " + YARDSTICK + " to divide by; run it with the others");
            System.exit(2);
        }
        boolean write = false;
        File regressedFile = null;
        boolean subset = false;
        for (int i = 2; i < args.length; i++) {
            if (args[i].equals("--write")) {
                write = true;
            } else if (args[i].equals("--regressed") && i + 1 < args.length) {
                regressedFile = new File(args[++i]);
            } else if (args[i].equals("--subset")) {
                subset = true;
            } else {
                System.err.println("unknown argument: " + args[i]);
                System.exit(2);
            }
        }
        double tolerance = 2.0;
        Map<String, Double> base = new LinkedHashMap<>();
        if (baselineFile.exists()) {
            JsonNode b = json.readTree(baselineFile);
            tolerance = b.path("tolerance").asDouble(tolerance);
            for (Iterator<Map.Entry<String, JsonNode>> it = b.path("ratios").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                base.put(e.getKey(), e.getValue().asDouble());
            }
        }
        if (write) {
            StringBuilder out = new StringBuilder("{\n  \"about\": \"each benchmark's average time divided by the "
                    + "calibration yardstick of the same run; the gate fails when a ratio grows by more than "
                    + "'tolerance' times\",\n  \"tolerance\": " + tolerance + ",\n  \"ratios\": {\n");
            int i = 0;
            for (Map.Entry<String, Double> e : now.entrySet()) {
                if (!e.getKey().equals(YARDSTICK)) {
                    out.append(i++ == 0 ? "" : ",\n").append("    \"").append(e.getKey()).append("\": ")
                            .append(String.format(java.util.Locale.ROOT, "%.6f", e.getValue() / yard));
                }
            }
            out.append("\n  }\n}\n");
            java.nio.file.Files.writeString(baselineFile.toPath(), out);
            System.out.println("wrote " + baselineFile + " (" + i + " benchmarks, yardstick " + String.format("%.1f",
                    yard) + " ns)");
            return;
        }
        System.out.printf("regression gate: ratios to the yardstick (%.1f ns in this run), tolerance %.2fx%n", yard,
                tolerance);
        System.out.printf("%-62s %12s %10s %10s %8s%n", "benchmark", "now ns/op", "baseline", "now", "change");
        List<String> regressed = new ArrayList<>();
        for (Map.Entry<String, Double> e : now.entrySet()) {
            if (e.getKey().equals(YARDSTICK)) {
                continue;
            }
            double ratio = e.getValue() / yard;
            Double b = base.get(e.getKey());
            String verdict;
            if (b == null) {
                verdict = "new";
            } else {
                double change = ratio / b;
                verdict = String.format("%.2fx", change) + (change > tolerance ? "  REGRESSED" : "");
                if (change > tolerance) {
                    regressed.add(e.getKey());
                }
            }
            String shown = e.getKey().replace("dev.aegis.bench.", "").replace("dev.aegis.", "");
            System.out.printf("%-62s %12.1f %10s %10.4f %8s%n", shown, e.getValue(),
                    b == null ? "-" : String.format("%.4f", b), ratio, verdict);
        }
        for (String missing : base.keySet()) {
            if (!subset && !now.containsKey(missing)) {
                System.out.println("not run: " + missing);
            }
        }
        if (regressedFile != null) {
            java.nio.file.Files.write(regressedFile.toPath(), regressed);
        }
        if (!regressed.isEmpty()) {
            System.out.println(regressed.size() + " benchmark(s) regressed beyond " + tolerance + "x");
            System.exit(1);
        }
        System.out.println("no regression beyond " + tolerance + "x");
    }

    /** The median of every measured iteration of every fork; JMH's score (their mean) when the raw data is absent. */
    static double medianOfIterations(JsonNode primaryMetric) {
        List<Double> values = new ArrayList<>();
        for (JsonNode fork : primaryMetric.path("rawData")) {
            for (JsonNode iteration : fork) {
                values.add(iteration.asDouble());
            }
        }
        if (values.isEmpty()) {
            return primaryMetric.get("score").asDouble();
        }
        Collections.sort(values);
        int n = values.size();
        return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
    }
}
