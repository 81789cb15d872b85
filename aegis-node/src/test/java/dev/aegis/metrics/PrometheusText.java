package dev.aegis.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: {@link #parse} fails on
 * anything Prometheus would refuse (bad names, label syntax or escapes, values, a TYPE after its samples or twice,
 * a family's samples not together, a series twice, histogram buckets that are not cumulative or disagree with the
 * count), and the result answers what a series' value is.
 */
final class PrometheusText {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples = new ArrayList<>();
    private final Map<String, String> types = new HashMap<>();

    private PrometheusText() {
    }

    static PrometheusText parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition must end with a line feed");
        }
        PrometheusText out = new PrometheusText();
        Set<String> finishedFamilies = new HashSet<>();
        Set<String> seenSeries = new HashSet<>();
        String currentFamily = null;
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.isEmpty()) {
                continue;
            }
            String where = "line " + lineNo + ": " + line;
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
                    require(NAME.matcher(parts[2]).matches(), "bad metric name", where);
                    if (parts[1].equals("TYPE")) {
                        require(parts.length == 4 && TYPES.contains(parts[3]), "bad type", where);
                        require(!out.types.containsKey(parts[2]), "TYPE given twice", where);
                        require(out.samples.stream().noneMatch(s -> familyOf(s.name, out.types).equals(parts[2])
                                || s.name.startsWith(parts[2])), "TYPE after the family's samples", where);
                        out.types.put(parts[2], parts[3]);
                    }
                    if (!parts[2].equals(currentFamily)) {
                        if (currentFamily != null) {
                            finishedFamilies.add(currentFamily);
                        }
                        require(!finishedFamilies.contains(parts[2]), "family's lines are not together", where);
                        currentFamily = parts[2];
                    }
                }
                continue; // other comments are allowed
            }
            Sample s = sample(line, where);
            String family = familyOf(s.name, out.types);
            if (!family.equals(currentFamily)) {
                if (currentFamily != null) {
                    finishedFamilies.add(currentFamily);
                }
                require(!finishedFamilies.contains(family), "family's samples are not together", where);
                currentFamily = family;
            }
            String type = out.types.getOrDefault(family, "untyped");
            if (type.equals("histogram")) {
                require(s.name.equals(family + "_bucket") || s.name.equals(family + "_count")
                        || s.name.equals(family + "_sum") || s.name.equals(family + "_created"),
                        "a histogram's sample must be _bucket, _count, _sum or _created", where);
                require(!s.name.endsWith("_bucket") || s.labels.containsKey("le"), "a bucket without le", where);
            }
            require(seenSeries.add(s.name + new TreeMap<>(s.labels)), "the same series twice", where);
            out.samples.add(s);
        }
        out.checkHistograms();
        return out;
    }

    /** The family a sample belongs to: its name, or its name less a suffix its TYPE allows. */
    private static String familyOf(String name, Map<String, String> types) {
        if (types.containsKey(name)) {
            return name;
        }
        for (String suffix : List.of("_bucket", "_count", "_sum", "_created", "_total")) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                if (types.containsKey(base)) {
                    return base;
                }
            }
        }
        return name;
    }

    private void checkHistograms() {
        types.forEach((family, type) -> {
            if (!type.equals("histogram")) {
                return;
            }
            Map<Map<String, String>, List<double[]>> buckets = new LinkedHashMap<>();
            for (Sample s : samples) {
                if (s.name.equals(family + "_bucket")) {
                    Map<String, String> rest = new TreeMap<>(s.labels);
                    double le = number(rest.remove("le"), "le of " + family);
                    buckets.computeIfAbsent(rest, k -> new ArrayList<>()).add(new double[] {le, s.value});
                }
            }
            buckets.forEach((labels, list) -> {
                list.sort((a, b) -> Double.compare(a[0], b[0]));
                for (int i = 1; i < list.size(); i++) {
                    require(list.get(i)[1] >= list.get(i - 1)[1], "buckets not cumulative", family + labels);
                }
                double[] last = list.get(list.size() - 1);
                require(last[0] == Double.POSITIVE_INFINITY, "no +Inf bucket", family + labels);
                Double count = valueOf(family + "_count", labels);
                require(count != null && count == last[1], "+Inf bucket differs from _count", family + labels);
            });
        });
    }

    private static Sample sample(String line, String where) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        require(NAME.matcher(name).matches(), "bad metric name", where);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                require(eq > i, "bad label", where);
                String labelName = line.substring(i, eq);
                require(LABEL_NAME.matcher(labelName).matches(), "bad label name", where);
                require(line.charAt(eq + 1) == '"', "label value not quoted", where);
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (;; j++) {
                    require(j < line.length(), "unterminated label value", where);
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char e = line.charAt(++j);
                        require(e == '\\' || e == '"' || e == 'n', "bad escape in a label value", where);
                        value.append(e == 'n' ? '\n' : e);
                    } else if (c == '"') {
                        break;
                    } else {
                        value.append(c);
                    }
                }
                require(labels.put(labelName, value.toString()) == null, "a label twice", where);
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                } else {
                    require(line.charAt(i) == '}', "labels not separated by commas", where);
                }
            }
            i++;
        }
        require(i < line.length() && line.charAt(i) == ' ', "no space before the value", where);
        String[] rest = line.substring(i + 1).split(" ");
        require(rest.length == 1 || rest.length == 2, "value and at most a timestamp", where);
        double value = number(rest[0], where);
        if (rest.length == 2) {
            Long.parseLong(rest[1]);
        }
        return new Sample(name, labels, value);
    }

    private static double number(String s, String where) {
        require(s != null, "missing number", where);
        return switch (s) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> {
                require(s.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?"), "bad number " + s, where);
                yield Double.parseDouble(s);
            }
        };
    }

    private static void require(boolean ok, String what, String where) {
        if (!ok) {
            throw new IllegalArgumentException("invalid Prometheus text: " + what + " (" + where + ")");
        }
    }

    private Double valueOf(String name, Map<String, String> labels) {
        for (Sample s : samples) {
            if (s.name.equals(name) && new TreeMap<>(s.labels).equals(new TreeMap<>(labels))) {
                return s.value;
            }
        }
        return null;
    }

    /** The value of the series {@code name} with exactly these labels (name, value pairs), or null. */
    Double value(String name, String... labelPairs) {
        return valueOf(name, pairs(labelPairs));
    }

    /** The sum over the series {@code name} that have at least these labels, or null when there is none. */
    Double sum(String name, String... labelPairs) {
        Map<String, String> want = pairs(labelPairs);
        Double total = null;
        for (Sample s : samples) {
            if (s.name.equals(name) && s.labels.entrySet().containsAll(want.entrySet())) {
                total = (total == null ? 0 : total) + s.value;
            }
        }
        return total;
    }

    /** The TYPE of a family, or null. */
    String type(String family) {
        return types.get(family);
    }

    private static Map<String, String> pairs(String... labelPairs) {
        Map<String, String> out = new TreeMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) {
            out.put(labelPairs[i], labelPairs[i + 1]);
        }
        return out;
    }

    List<Sample> samples() {
        return samples;
    }
}
