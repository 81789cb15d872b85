package dev.aegis.waf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Measures {@link CrossSiteScripting} on the shared WAF corpus (development split): detection rate of {@code xss}
 * attacks per source and false positives over every value of every benign request. The floors are a regression
 * guard set a little below the measured figures.
 */
class CrossSiteScriptingCorpusTest {

    private static final Set<String> STANDARD_HEADERS = Set.of("host", "accept", "accept-language", "accept-encoding",
        "connection", "content-type", "content-length", "pragma", "cache-control", "upgrade-insecure-requests",
        "sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform", "sec-fetch-site", "sec-fetch-mode", "sec-fetch-user",
        "sec-fetch-dest", "transfer-encoding", "keep-alive", "te");

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void corpusDetectionAndFalsePositives() throws Exception {
        Path file = WafCorpusTest.corpus();
        Assumptions.assumeTrue(file != null, "shared/waf-corpus/dev.jsonl not found");
        Map<String, int[]> attack = new TreeMap<>(); // source -> {detected, total}
        Map<String, int[]> attackB64 = new TreeMap<>();
        int benignValues = 0;
        int benignFp = 0;
        int benignReq = 0;
        int benignReqFp = 0;
        List<String> misses = new ArrayList<>();
        List<String> fps = new ArrayList<>();
        long nanos = 0;
        long bytes = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode rec = JSON.readTree(line);
                String label = rec.path("label").asText();
                String category = rec.path("category").asText();
                boolean isAttack = "attack".equals(label) && "xss".equals(category);
                boolean isBenign = "benign".equals(label);
                if (!isAttack && !isBenign) {
                    continue;
                }
                List<String> values = values(rec);
                boolean hit = false;
                boolean hitB64 = false;
                for (String v : values) {
                    long t0 = System.nanoTime();
                    Finding f = CrossSiteScripting.detect(v);
                    nanos += System.nanoTime() - t0;
                    bytes += v.length();
                    if (isBenign) {
                        benignValues++;
                        if (f != null) {
                            benignFp++;
                            fps.add(rec.path("id").asText() + " " + f + " <= " + clip(v));
                        }
                    }
                    hit |= f != null;
                    String b = base64(v);
                    if (b != null && CrossSiteScripting.detect(b) != null) {
                        hitB64 = true;
                    }
                }
                String src = rec.path("source").asText();
                if (isAttack) {
                    int[] c = attack.computeIfAbsent(src, k -> new int[2]);
                    c[1]++;
                    if (hit) {
                        c[0]++;
                    } else {
                        misses.add(rec.path("id").asText() + " " + clip(String.join(" | ", values)));
                    }
                    int[] cb = attackB64.computeIfAbsent(src, k -> new int[2]);
                    cb[1]++;
                    if (hit || hitB64) {
                        cb[0]++;
                    }
                } else {
                    benignReq++;
                    if (hit) {
                        benignReqFp++;
                    }
                }
            }
        }
        StringBuilder report = new StringBuilder("\n== XSS corpus (dev) ==\n");
        attack.forEach((src, c) -> report.append(String.format(Locale.ROOT,
            "  %-13s %4d/%4d = %5.1f%%   (with base64 values decoded: %5.1f%%)%n", src, c[0], c[1],
            100.0 * c[0] / c[1], 100.0 * attackB64.get(src)[0] / c[1])));
        report.append(String.format(Locale.ROOT, "  benign values FP %d/%d = %.2f%%, benign requests FP %d/%d = %.2f%%%n",
            benignFp, benignValues, 100.0 * benignFp / Math.max(1, benignValues), benignReqFp, benignReq,
            100.0 * benignReqFp / Math.max(1, benignReq)));
        report.append(String.format(Locale.ROOT, "  detect(): %.1f MB/s over %d chars%n",
            bytes / 1e6 / Math.max(1e-9, nanos / 1e9), bytes));
        if (System.getProperty("xss.verbose") != null || Boolean.getBoolean("xss.verbose")) {
            misses.forEach(m -> report.append("  MISS ").append(m).append('\n'));
        }
        fps.forEach(m -> report.append("  FP   ").append(m).append('\n'));
        System.out.println(report);
        dump(misses, "xss-misses.txt");

        assertThat(rate(attack, "libinjection")).as(report.toString()).isGreaterThanOrEqualTo(FLOOR_LIBINJECTION);
        assertThat(rate(attack, "mgm")).as(report.toString()).isGreaterThanOrEqualTo(FLOOR_MGM);
        assertThat(rate(attack, "crs")).as(report.toString()).isGreaterThanOrEqualTo(FLOOR_CRS);
        assertThat(rate(attack, "gotestwaf")).as(report.toString()).isGreaterThanOrEqualTo(FLOOR_GOTESTWAF);
        assertThat(100.0 * benignFp / benignValues).as(report.toString()).isLessThanOrEqualTo(CEIL_FP);
    }

    // measured on dev: libinjection 96.1, mgm 99.9, crs 61.6, gotestwaf 61.9 (86.9 with base64 decoded), FP 0.00
    static final double FLOOR_LIBINJECTION = 95.0;
    static final double FLOOR_MGM = 99.0;
    static final double FLOOR_CRS = 58.0;
    static final double FLOOR_GOTESTWAF = 60.0;
    static final double CEIL_FP = 1.0;

    private static void dump(List<String> lines, String name) {
        try {
            Path dir = Path.of("target");
            if (Files.isDirectory(dir)) {
                Files.write(dir.resolve(name), lines, StandardCharsets.UTF_8);
            }
        } catch (Exception ignored) {
            // diagnostics only
        }
    }

    private static double rate(Map<String, int[]> m, String src) {
        int[] c = m.get(src);
        return c == null || c[1] == 0 ? 100.0 : 100.0 * c[0] / c[1];
    }

    private static String clip(String s) {
        s = s.replace('\n', ' ').replace('\r', ' ');
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    /** The values an engine would inspect, decoded as the engine does (URL decode, entity decode once). */
    static List<String> values(JsonNode rec) {
        List<String> raw = new ArrayList<>();
        String uri = rec.path("uri").asText("");
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        if (path.length() > 1) {
            raw.add(urlDecode(path, false));
        }
        if (q >= 0) {
            form(uri.substring(q + 1), raw);
        }
        JsonNode headers = rec.path("headers");
        String ctype = "";
        for (Iterator<Map.Entry<String, JsonNode>> it = headers.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> h = it.next();
            String name = h.getKey().toLowerCase(Locale.ROOT);
            String v = h.getValue().asText();
            if (name.equals("content-type")) {
                ctype = v.toLowerCase(Locale.ROOT);
            }
            if (STANDARD_HEADERS.contains(name) || name.equals("user-agent") && v.startsWith("Mozilla/5.0 (")) {
                continue;
            }
            raw.add(v);
        }
        String body = rec.has("body") ? rec.path("body").asText()
            : rec.has("body_b64") ? new String(Base64.getDecoder().decode(rec.path("body_b64").asText()),
                StandardCharsets.UTF_8) : null;
        if (body != null && !body.isEmpty()) {
            if (ctype.startsWith("application/x-www-form-urlencoded")) {
                form(body, raw);
            } else if (ctype.startsWith("multipart/form-data")) {
                multipart(body, ctype, raw);
            } else if (ctype.contains("json")) {
                try {
                    strings(JSON.readTree(body), raw);
                } catch (Exception e) {
                    raw.add(body);
                }
            } else {
                raw.add(body);
            }
        }
        List<String> out = new ArrayList<>(raw.size());
        for (String v : raw) {
            String d = v;
            for (int i = 0; i < 3 && d.indexOf('%') >= 0; i++) {
                String n = urlDecode(d, false);
                if (n.equals(d)) {
                    break;
                }
                d = n;
            }
            out.add(entityDecode(d));
        }
        return out;
    }

    private static void form(String s, List<String> out) {
        for (String kv : s.split("&")) {
            int e = kv.indexOf('=');
            out.add(urlDecode(e < 0 ? kv : kv.substring(e + 1), true));
        }
    }

    private static void multipart(String body, String ctype, List<String> out) {
        int b = ctype.indexOf("boundary=");
        if (b < 0) {
            out.add(body);
            return;
        }
        String boundary = "--" + ctype.substring(b + 9).replace("\"", "").trim();
        for (String part : body.split(java.util.regex.Pattern.quote(boundary))) {
            int sep = part.indexOf("\r\n\r\n");
            int skip = 4;
            if (sep < 0) {
                sep = part.indexOf("\n\n");
                skip = 2;
            }
            if (sep < 0) {
                continue;
            }
            String head = part.substring(0, sep);
            int fn = head.indexOf("filename=\"");
            if (fn >= 0) {
                int end = head.indexOf('"', fn + 10);
                if (end > fn) {
                    out.add(head.substring(fn + 10, end));
                }
            }
            String v = part.substring(sep + skip);
            if (v.endsWith("\r\n")) {
                v = v.substring(0, v.length() - 2);
            } else if (v.endsWith("\n")) {
                v = v.substring(0, v.length() - 1);
            }
            out.add(v);
        }
    }

    private static void strings(JsonNode n, List<String> out) {
        if (n.isTextual()) {
            out.add(n.asText());
        } else if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                out.add(e.getKey());
                strings(e.getValue(), out);
            }
        } else if (n.isArray()) {
            n.forEach(x -> strings(x, out));
        }
    }

    static String urlDecode(String s, boolean plus) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(s.length());
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < in.length; i++) {
            byte c = in[i];
            if (c == '+' && plus) {
                buf.write(' ');
            } else if (c == '%' && i + 2 < in.length && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
                buf.write(hex(in[i + 1]) * 16 + hex(in[i + 2]));
                i += 2;
            } else {
                buf.write(c);
            }
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    private static int hex(byte b) {
        return Character.digit((char) b, 16);
    }

    private static final Map<String, String> ENTITIES = Map.ofEntries(Map.entry("lt", "<"), Map.entry("gt", ">"),
        Map.entry("quot", "\""), Map.entry("apos", "'"), Map.entry("amp", "&"), Map.entry("colon", ":"),
        Map.entry("lpar", "("), Map.entry("rpar", ")"), Map.entry("tab", "\t"), Map.entry("newline", "\n"),
        Map.entry("sol", "/"), Map.entry("nbsp", "\u00a0"), Map.entry("grave", "`"), Map.entry("equals", "="));

    /** Decodes character references once (a stand-in for the engine's transformation). */
    static String entityDecode(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '&') {
                int j = i + 1;
                if (j < s.length() && s.charAt(j) == '#') {
                    j++;
                    boolean hex = j < s.length() && (s.charAt(j) | 0x20) == 'x';
                    if (hex) {
                        j++;
                    }
                    int st = j;
                    long v = 0;
                    while (j < s.length() && j - st < 8 && Character.digit(s.charAt(j), hex ? 16 : 10) >= 0) {
                        v = v * (hex ? 16 : 10) + Character.digit(s.charAt(j), hex ? 16 : 10);
                        j++;
                    }
                    if (j > st && v <= 0x10FFFF) {
                        b.appendCodePoint((int) v);
                        i = j < s.length() && s.charAt(j) == ';' ? j + 1 : j;
                        continue;
                    }
                } else {
                    int st = j;
                    while (j < s.length() && j - st < 10 && Character.isLetter(s.charAt(j))) {
                        j++;
                    }
                    String rep = ENTITIES.get(s.substring(st, j).toLowerCase(Locale.ROOT));
                    if (rep != null) {
                        b.append(rep);
                        i = j < s.length() && s.charAt(j) == ';' ? j + 1 : j;
                        continue;
                    }
                }
            }
            b.append(c);
            i++;
        }
        return b.toString();
    }

    /** A value that is plausibly base64 of text, decoded; else null (the engine's optional base64 transformation). */
    static String base64(String v) {
        String t = v.trim();
        if (t.length() < 8 || t.length() > 65536) {
            return null;
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128 || c == '+' || c == '/' || c == '=' || c == '-'
                || c == '_' || c == ' ')) {
                return null;
            }
        }
        StringBuilder out = new StringBuilder();
        for (String part : t.split(" ")) { // gotestwaf joins base64 chunks with a space
            String p = part.replace('-', '+').replace('_', '/');
            while (p.length() % 4 != 0) {
                p += "=";
            }
            try {
                out.append(new String(Base64.getDecoder().decode(p), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        String d = out.toString();
        return d.indexOf('\uFFFD') >= 0 ? null : d;
    }
}
