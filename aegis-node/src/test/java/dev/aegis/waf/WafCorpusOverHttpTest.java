package dev.aegis.waf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegis.config.WafConfig;
import dev.aegis.config.WafPolicy;
import dev.aegis.origin.MockOrigin;
import dev.aegis.testing.NodeFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Replays the whole shared WAF corpus ({@code ../shared/waf-corpus/dev.jsonl}) through a real node over HTTP at
 * paranoia 1 and 2 (block mode, anomaly threshold 5), one fresh connection per record with
 * {@code Host: localhost:PORT}, and prints the true-positive rate per family, the false-positive rate per family
 * and overall, and the balanced score, next to ModSecurity + CRS on the same file.
 *
 * <p>Blocked = HTTP 403 (the WAF), or a refusal by the node's strict HTTP parser (400, 413, 414, 431, 501, 505;
 * counted separately), or a connection closed/reset with no status line. Each record is also inspected by the
 * engine directly (as {@code aegis-core}'s {@code WafCorpusTest} does) and any record on which the two disagree is
 * printed with its over-HTTP status, so a gap between engine and node is visible.
 */
class WafCorpusOverHttpTest {
    /** The thresholds, index = paranoia level. */
    static final double[] FLOOR_TPR = {0.0, 0.90, 0.94};
    static final double[] CEIL_FPR = {0.0, 0.10, 0.18};
    static final double[][] CRS = {{}, {0.825, 0.155}, {0.889, 0.305}};
    static final Set<Integer> REFUSALS = Set.of(400, 413, 414, 431, 501, 505);
    static final int CLOSED = -1;

    record Case(String id, String source, String category, boolean attack, byte[] raw, String rawHost,
                String method, String uri, String version, List<Map.Entry<String, String>> headers, byte[] body) {
        boolean isRaw() {
            return raw != null;
        }
    }

    static List<Case> load(Path p) throws IOException {
        ObjectMapper om = new ObjectMapper();
        List<Case> out = new ArrayList<>();
        for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = om.readTree(line);
            byte[] raw = n.hasNonNull("raw") ? n.get("raw").asText().getBytes(StandardCharsets.UTF_8)
                    : n.hasNonNull("raw_b64") ? Base64.getDecoder().decode(n.get("raw_b64").asText()) : null;
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            JsonNode h = n.get("headers");
            if (h != null) {
                for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    headers.add(new AbstractMap.SimpleEntry<>(e.getKey(), e.getValue().asText()));
                }
            }
            byte[] body = n.hasNonNull("body") ? n.get("body").asText().getBytes(StandardCharsets.UTF_8)
                    : n.hasNonNull("body_b64") ? Base64.getDecoder().decode(n.get("body_b64").asText()) : new byte[0];
            out.add(new Case(n.path("id").asText(), n.path("source").asText(), n.path("category").asText(),
                    "attack".equals(n.path("label").asText()), raw, null, n.path("method").asText("GET"),
                    n.path("uri").asText("/"), n.path("version").asText("HTTP/1.1"), headers, body));
        }
        return out;
    }

    /** The bytes on the wire: the case plus only what it lacks (Host, Content-Length, Connection: close). */
    static byte[] wire(Case c, int port) {
        if (c.isRaw()) {
            return c.raw(); // byte-for-byte; the catch-all route does not look at Host
        }
        boolean host = false;
        boolean length = false;
        boolean connection = false;
        StringBuilder head = new StringBuilder();
        head.append(c.method()).append(' ').append(c.uri()).append(' ').append(c.version()).append("\r\n");
        for (Map.Entry<String, String> e : c.headers()) {
            String k = e.getKey();
            host |= k.equalsIgnoreCase("Host");
            length |= k.equalsIgnoreCase("Content-Length") || k.equalsIgnoreCase("Transfer-Encoding");
            connection |= k.equalsIgnoreCase("Connection");
            head.append(k).append(": ").append(e.getValue()).append("\r\n");
        }
        if (!host) {
            head.append("Host: localhost:").append(port).append("\r\n");
        }
        if (!length && c.body().length > 0) {
            head.append("Content-Length: ").append(c.body().length).append("\r\n");
        }
        if (!connection) {
            head.append("Connection: close\r\n");
        }
        head.append("\r\n");
        // Header values are UTF-8 text in the corpus; send them as UTF-8 bytes (as the test suites do).
        byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(h, h.length + c.body().length);
        System.arraycopy(c.body(), 0, out, h.length, c.body().length);
        return out;
    }

    /** The engine's view of the same case, for the engine-vs-node comparison. */
    static InspectionInput input(Case c, int port) {
        if (c.isRaw()) {
            return WafCorpusTest.parseRaw(c.raw(), "localhost:" + port); // shared with aegis-core's test
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>(c.headers());
        if (headers.stream().noneMatch(e -> e.getKey().equalsIgnoreCase("Host"))) {
            headers.add(new AbstractMap.SimpleEntry<>("Host", "localhost:" + port));
        }
        return new InspectionInput(c.method(), c.uri(), headers, c.body(), false);
    }

    /** Sends one case on a fresh connection; the status of the first response, or {@link #CLOSED}. */
    static int exchange(int port, byte[] bytes) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(2000);
            try {
                OutputStream out = s.getOutputStream();
                out.write(bytes);
                out.flush(); // no half-close: the node reads a half-closed client as gone and drops the request
            } catch (IOException refusedMidWrite) {
                // the node may answer and close before reading a whole body: the answer is still readable
            }
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    got.write(buf, 0, n);
                    String text = got.toString(StandardCharsets.ISO_8859_1);
                    int eol = text.indexOf("\r\n");
                    if (eol >= 0) {
                        int st = status(text.substring(0, eol));
                        if (st >= 200 || st < 0) {
                            return st;
                        }
                        got.reset(); // an interim 1xx: wait for the final status
                        got.write(text.substring(text.indexOf("\r\n\r\n") >= 0 ? text.indexOf("\r\n\r\n") + 4 : eol + 2)
                                .getBytes(StandardCharsets.ISO_8859_1));
                    }
                }
            } catch (SocketTimeoutException | java.net.SocketException end) {
                // silence or reset with no status line
            }
            return CLOSED;
        }
    }

    static int status(String line) {
        String[] p = line.split(" ", 3);
        if (p.length >= 2 && p[0].startsWith("HTTP/")) {
            try {
                return Integer.parseInt(p[1]);
            } catch (NumberFormatException e) {
                return CLOSED;
            }
        }
        return CLOSED;
    }

    static boolean blocked(int status) {
        return status == 403 || status == CLOSED || REFUSALS.contains(status);
    }

    /** What the replay adds to the fixture's config: the WAF level, and limits wide enough to leave judging to it. */
    static String extraYaml(int paranoia) {
        return """
                waf: { mode: block, paranoia: %d, anomaly_threshold: 5 }
                limits: { max_header_bytes: 1MiB, max_uri_bytes: 1MiB, max_body_bytes: 64MiB, header_read_timeout: 5s }
                """.formatted(paranoia);
    }

    @Test
    void corpusOverHttpMeetsThresholds() throws Exception {
        Path p = WafCorpusTest.corpus(); // aegis-core's test jar
        Assumptions.assumeTrue(p != null, "the shared WAF corpus is not beside this checkout");
        List<Case> cases = load(p);
        WafEngine engine = WafEngine.compile(new WafConfig(WafPolicy.WafMode.BLOCK, 1, 5, 128 * 1024, List.of()));
        double[] tprs = new double[3];
        double[] fprs = new double[3];
        long started = System.nanoTime();
        try (MockOrigin origin = MockOrigin.start("127.0.0.1", 0)) {
            for (int pl = 1; pl <= 2; pl++) {
                double[] r = run(pl, cases, origin, engine);
                tprs[pl] = r[0];
                fprs[pl] = r[1];
            }
        }
        System.out.printf("WAF corpus over HTTP: %d records x 2 paranoia levels in %.1f s%n", cases.size(),
                (System.nanoTime() - started) / 1e9);
        for (int pl = 1; pl <= 2; pl++) {
            assertThat(tprs[pl]).as("TPR over HTTP at PL%d", pl).isGreaterThanOrEqualTo(FLOOR_TPR[pl]);
            assertThat(fprs[pl]).as("FPR over HTTP at PL%d", pl).isLessThanOrEqualTo(CEIL_FPR[pl]);
        }
    }

    private static double[] run(int pl, List<Case> cases, MockOrigin origin, WafEngine engine) throws Exception {
        int[] statuses = new int[cases.size()];
        long t0 = System.nanoTime();
        int port;
        try (NodeFixture node = NodeFixture.simple(origin.port(), extraYaml(pl))) {
            port = node.port();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Integer>> futures = new ArrayList<>();
                for (Case c : cases) {
                    byte[] bytes = wire(c, port);
                    futures.add(pool.submit(() -> exchange(port, bytes)));
                }
                for (int i = 0; i < cases.size(); i++) {
                    statuses[i] = futures.get(i).get();
                }
            } finally {
                pool.shutdownNow();
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;

        WafPolicy policy = new WafPolicy(WafPolicy.WafMode.BLOCK, pl, 5, List.of());
        Map<String, int[]> tpCat = new TreeMap<>(); // blocked, total, of which refused by the parser/closed
        Map<String, int[]> fpCat = new TreeMap<>();
        Map<Integer, Integer> statusCount = new TreeMap<>();
        int tp = 0;
        int att = 0;
        int fp = 0;
        int ben = 0;
        int refusedAtt = 0;
        int refusedBen = 0;
        List<String> differ = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            int st = statuses[i];
            statusCount.merge(st, 1, Integer::sum);
            boolean b = blocked(st);
            boolean refused = b && st != 403;
            int[] cell = (c.attack() ? tpCat : fpCat).computeIfAbsent(c.source() + "/" + c.category(),
                    k -> new int[3]);
            cell[1]++;
            if (b) {
                cell[0]++;
            }
            if (refused) {
                cell[2]++;
            }
            if (c.attack()) {
                att++;
                tp += b ? 1 : 0;
                refusedAtt += refused ? 1 : 0;
            } else {
                ben++;
                fp += b ? 1 : 0;
                refusedBen += refused ? 1 : 0;
            }
            boolean engineBlocked = engine.inspect(input(c, port), policy).blocked();
            if (engineBlocked != b) {
                differ.add(String.format("%s %s (%s): engine %s, over HTTP %s", c.attack() ? "attack" : "benign",
                        c.id(), c.isRaw() ? "raw" : c.method() + " " + abbreviate(c.uri()),
                        engineBlocked ? "blocks" : "passes", st == CLOSED ? "closed with no status" : "status " + st));
            }
        }
        double tpr = (double) tp / att;
        double fpr = (double) fp / ben;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%n=== WAF corpus over HTTP, paranoia %d, block, threshold 5 (%d requests, %.1f s, "
                + "Host: localhost:%d) ===%n", pl, cases.size(), secs, port));
        sb.append("TPR per source/family (blocked/total, of which refused by the parser or closed):\n");
        tpCat.forEach((k, v) -> sb.append(String.format("  %-36s %5d/%-5d %.3f  (refused %d)%n", k, v[0], v[1],
                (double) v[0] / v[1], v[2])));
        sb.append("FPR per source/family (blocked/total, of which refused by the parser or closed):\n");
        fpCat.forEach((k, v) -> sb.append(String.format("  %-36s %5d/%-5d %.3f  (refused %d)%n", k, v[0], v[1],
                (double) v[0] / v[1], v[2])));
        sb.append("statuses: ").append(statusCount.toString().replace("-1=", "closed=")).append('\n');
        sb.append(String.format("refused by the parser or closed (not 403): %d attack, %d benign%n", refusedAtt,
                refusedBen));
        sb.append(String.format("OVERALL PL%d over HTTP: TPR %.3f  FPR %.3f  balanced %.3f   "
                        + "(ModSecurity+CRS: TPR %.3f FPR %.3f balanced %.3f)%n", pl, tpr, fpr, (tpr + 1 - fpr) / 2,
                CRS[pl][0], CRS[pl][1], (CRS[pl][0] + 1 - CRS[pl][1]) / 2));
        sb.append(String.format("records where the node over HTTP differs from the engine: %d%n", differ.size()));
        differ.forEach(d -> sb.append("  ").append(d).append('\n'));
        System.out.print(sb);
        return new double[] {tpr, fpr};
    }

    private static String abbreviate(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }
}
