package dev.aegis.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegis.origin.MockOrigin;
import dev.aegis.testing.NodeFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Replays the shared request-smuggling corpus ({@code ../shared/smuggle-corpus/cases.jsonl}, 297 raw byte
 * sequences labelled reject / accept / either) through a real node in front of the mock origin, one fresh
 * connection per case, and scores it the way the corpus README scores nginx and HAProxy. The goal, asserted:
 * every reject case refused outright, every accept case working, nothing ambiguous forwarded.
 */
class SmuggleCorpusTest {
    private static final Pattern OTHER_CASE = Pattern.compile("/(c|smuggled)/\\d{4}(/.*)?");
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.[01] (\\d{3})");

    static Path corpusFile() {
        Path dir = Path.of("").toAbsolutePath();
        for (int up = 0; up < 5 && dir != null; up++, dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/smuggle-corpus/cases.jsonl");
            if (Files.isReadable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    @Test
    void everyCaseIsRefusedOrServedSafely() throws Exception {
        Path file = corpusFile();
        Assumptions.assumeTrue(file != null, "the shared smuggle corpus is not beside this checkout");
        ObjectMapper json = new ObjectMapper();
        int rejectTotal = 0;
        int rejectSafe = 0;
        int rejectRefused = 0;
        int acceptTotal = 0;
        int acceptWorking = 0;
        int ambiguousForwarded = 0;
        List<String> failures = new ArrayList<>();
        TreeMap<String, int[]> byFamily = new TreeMap<>();
        try (MockOrigin origin = MockOrigin.start("127.0.0.1", 0);
             NodeFixture node = NodeFixture.simple(origin.port(), "")) {
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode c = json.readTree(line);
                String id = c.get("id").asText();
                String expect = c.get("expect").asText();
                byte[] raw = Base64.getDecoder().decode(c.get("raw_b64").asText());
                int pauseAfter = c.has("pause_after") ? c.get("pause_after").asInt() : -1;
                origin.resetCounters();
                List<Integer> statuses = exchange(node.port(), raw, pauseAfter);
                // The corpus names paths; the origin records targets (path and query).
                // A late target of an earlier case (its upstream connection was cut mid-request, and the origin
                // logged the head after this case began) is not this case's: keep only this case's numbers.
                String number = String.format("%04d", c.get("n").asInt());
                List<String> seen = origin.requestTargets().stream().map(SmuggleCorpusTest::pathOf)
                        .filter(t -> t.contains(number) || !OTHER_CASE.matcher(t).matches()).toList();

                Set<String> allowed = new HashSet<>();
                c.get("may_reach_origin").forEach(n -> allowed.add(n.asText()));
                boolean refuseOwn = c.has("refuse") && c.get("refuse").asBoolean();
                String own = "/c/" + String.format("%04d", c.get("n").asInt());
                boolean ambiguous = seen.stream().anyMatch(t -> t.contains("/smuggled/")
                        || (!allowed.contains("*") && !allowed.contains(t))
                        || (refuseOwn && t.equals(own)));
                if (ambiguous) {
                    ambiguousForwarded++;
                    failures.add(id + " forwarded " + seen + " (allowed " + allowed + ")");
                }
                int[] fam = byFamily.computeIfAbsent(c.get("family").asText() + "/" + expect, k -> new int[2]);
                fam[0]++;
                switch (expect) {
                    case "reject" -> {
                        rejectTotal++;
                        boolean firstRefused = statuses.isEmpty() || statuses.get(0) >= 400;
                        boolean ownSucceeded = !statuses.isEmpty() && statuses.get(0) < 300 && seen.contains(own);
                        if (!ambiguous && !ownSucceeded) {
                            rejectSafe++;
                        }
                        if (!ambiguous && firstRefused) {
                            rejectRefused++;
                            fam[1]++;
                        } else {
                            failures.add(id + " (reject) answered " + statuses + ", origin saw " + seen);
                        }
                    }
                    case "accept" -> {
                        acceptTotal++;
                        int must = c.has("must_answer") ? c.get("must_answer").asInt() : 1;
                        boolean ok = statuses.size() >= must
                                && statuses.subList(0, must).stream().allMatch(s -> s >= 200 && s < 300);
                        if (ok && !ambiguous) {
                            acceptWorking++;
                            fam[1]++;
                        } else {
                            failures.add(id + " (accept, " + must + " must answer) answered " + statuses
                                    + ", origin saw " + seen);
                        }
                    }
                    default -> {
                        if (!ambiguous) {
                            fam[1]++;
                        }
                    }
                }
            }
        }
        System.out.printf("smuggle corpus: reject cases safe %d/%d, refused outright %d/%d; accept cases working "
                + "%d/%d; ambiguous bytes forwarded %d%n", rejectSafe, rejectTotal, rejectRefused, rejectTotal,
                acceptWorking, acceptTotal, ambiguousForwarded);
        byFamily.forEach((k, v) -> System.out.printf("  %-22s %3d/%d%n", k, v[1], v[0]));
        failures.forEach(f -> System.out.println("  " + f));
        assertThat(failures).as("cases the node got wrong").isEmpty();
    }

    /** Sends the case on a fresh connection and collects the status of every response until close or silence. */
    private static List<Integer> exchange(int port, byte[] raw, int pauseAfter) throws IOException {
        List<Integer> statuses = new ArrayList<>();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setTcpNoDelay(true);
            try {
                if (pauseAfter > 0 && pauseAfter < raw.length) {
                    s.getOutputStream().write(raw, 0, pauseAfter);
                    s.getOutputStream().flush();
                    sleep(300);
                    s.getOutputStream().write(raw, pauseAfter, raw.length - pauseAfter);
                } else {
                    s.getOutputStream().write(raw);
                }
                s.getOutputStream().flush();
            } catch (java.net.SocketException closed) {
                // The node refused and closed during the pause, before the rest was sent: read what it answered.
            }
            s.setSoTimeout(700);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[16384];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    got.write(buf, 0, n);
                }
            } catch (SocketTimeoutException | java.net.SocketException end) {
                // silence or reset: what arrived is the answer
            }
            Matcher m = STATUS.matcher(got.toString(StandardCharsets.ISO_8859_1));
            int from = 0;
            while (m.find(from)) {
                // Only status lines at the start of a response: they follow a blank line or start the stream.
                if (m.start() == 0 || got.toString(StandardCharsets.ISO_8859_1).startsWith("\r\n\r\n", m.start() - 4)
                        || got.toString(StandardCharsets.ISO_8859_1).charAt(m.start() - 1) == '\n') {
                    int status = Integer.parseInt(m.group(1));
                    if (status >= 200) { // interim 100 Continue answers are not answers to a request
                        statuses.add(status);
                    }
                }
                from = m.end();
            }
        }
        return statuses;
    }

    private static String pathOf(String target) {
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        return path.length() > 80 ? path.substring(0, 80) + "..." : path;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
