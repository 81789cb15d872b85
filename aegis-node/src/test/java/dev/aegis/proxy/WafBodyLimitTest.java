package dev.aegis.proxy;

import static dev.aegis.testing.ShopRequests.postHead;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aegis.origin.MockOrigin;
import dev.aegis.server.AccessLog;
import dev.aegis.server.AegisServer;
import dev.aegis.testing.AuditCapture;
import dev.aegis.testing.NodeFixture;
import dev.aegis.testing.RawConnection;
import dev.aegis.testing.RawConnection.HttpResponse;
import dev.aegis.testing.ShopRequests;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code waf.body_limit} and {@code waf.body_over_limit} through real nodes: with {@code inspect_partial} the first
 * KiB is inspected and the rest streams on, tagged {@code body_truncated} in the audit line; with {@code block} an
 * inspected body over the limit is answered 413 and never reaches the origin, while binary bodies and routes in
 * {@code detect} mode are not refused.
 */
class WafBodyLimitTest {
    static final String FORM = "application/x-www-form-urlencoded";
    static final String SCRIPT = "%3Cscript%3Ealert(1)%3C%2Fscript%3E";

    static MockOrigin origin;
    static AegisServer partial;
    static AegisServer blocking;
    static final AuditCapture partialAudit = new AuditCapture();
    static final AuditCapture blockingAudit = new AuditCapture();

    @BeforeAll
    static void start() {
        origin = MockOrigin.start("127.0.0.1", 0);
        partial = AegisServer.start(NodeFixture.parse("""
                node: { listen: "127.0.0.1:0", workers: 1 }
                upstreams:
                  app: { servers: [ { address: "127.0.0.1:${ORIGIN}" } ] }
                routes:
                  - { name: all, match: { path: { prefix: / } }, upstream: app }
                waf: { mode: block, body_limit: 1KiB, body_over_limit: inspect_partial }
                """, Map.of("ORIGIN", "" + origin.port())), AccessLog.OFF, partialAudit.log());
        blocking = AegisServer.start(NodeFixture.parse("""
                node: { listen: "127.0.0.1:0", workers: 1 }
                upstreams:
                  app: { servers: [ { address: "127.0.0.1:${ORIGIN}" } ] }
                routes:
                  - { name: watched, match: { path: { prefix: /watched/ } }, upstream: app, waf: { mode: detect } }
                  - { name: all, match: { path: { prefix: / } }, upstream: app }
                waf: { mode: block, body_limit: 1KiB, body_over_limit: block }
                """, Map.of("ORIGIN", "" + origin.port())), AccessLog.OFF, blockingAudit.log());
    }

    @AfterAll
    static void stop() {
        partial.close();
        blocking.close();
        origin.close();
    }

    private static HttpResponse post(AegisServer node, String path, String contentType, String body)
            throws Exception {
        return ShopRequests.post(node.port(), path, contentType, body);
    }

    /** {@code body} in chunks of {@code chunkSize} bytes, then the last chunk. */
    private static String chunks(String body, int chunkSize) {
        StringBuilder b = new StringBuilder();
        for (int at = 0; at < body.length(); at += chunkSize) {
            String piece = body.substring(at, Math.min(body.length(), at + chunkSize));
            b.append(Integer.toHexString(piece.length())).append("\r\n").append(piece).append("\r\n");
        }
        return b.append("0\r\n\r\n").toString();
    }

    private static HttpResponse postChunked(AegisServer node, String path, String contentType, String body,
                                            int chunkSize) throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            return c.send(postHead(path, contentType, "Transfer-Encoding", "chunked") + chunks(body, chunkSize))
                    .read();
        }
    }

    private static boolean reachedOrigin(String prefix) {
        return origin.requestTargets().stream().anyMatch(t -> t.startsWith(prefix));
    }

    private static String pad(int n) {
        return "pad=" + "x".repeat(n - 4);
    }

    // ---- inspect_partial

    @Test
    void partialAnAttackInTheFirstKibIsBlocked() throws Exception {
        String body = "comment=" + SCRIPT + "&" + pad(3000);
        assertThat(post(partial, "/pa/1", FORM, body).status()).isEqualTo(403);
        assertThat(postChunked(partial, "/pa/2", FORM, body, 500).status()).isEqualTo(403);
        assertThat(reachedOrigin("/pa/")).isFalse();
    }

    @Test
    void partialAnAttackPastTheLimitPassesAndIsTaggedTruncated() throws Exception {
        String body = pad(2000) + "&comment=" + SCRIPT;
        HttpResponse r = post(partial, "/echo?t=pt1", FORM, body);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo(body);
        JsonNode line = partialAudit.line(r.header("x-request-id"));
        assertThat(line.get("body_truncated").asBoolean()).isTrue();
        assertThat(line.get("blocked").asBoolean()).isFalse();
        assertThat(line.get("score").asInt()).isZero();
        assertThat(line.get("matches")).isEmpty();

        r = postChunked(partial, "/echo?t=pt2", FORM, body, 700);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo(body);
        assertThat(partialAudit.line(r.header("x-request-id")).get("body_truncated").asBoolean()).isTrue();
    }

    @Test
    void partialABodyOfExactlyTheLimitIsInspectedWholeAndNotTagged() throws Exception {
        // Chunked: the node cannot know the body ends at the limit until the last chunk, and waits for it.
        String tail = "&comment=" + SCRIPT;
        String body = pad(1024 - tail.length()) + tail;
        assertThat(body).hasSize(1024);
        HttpResponse r = postChunked(partial, "/pa/exact", FORM, body, 256);
        assertThat(r.status()).isEqualTo(403);
        JsonNode line = partialAudit.line(r.header("x-request-id"));
        assertThat(line.has("body_truncated")).isFalse();
        assertThat(line.get("matches").get(0).get("target").asText()).isEqualTo("ARGS:comment");
        assertThat(reachedOrigin("/pa/exact")).isFalse();
    }

    @Test
    void aBodyInTinyChunksIsInspectedUpToTheLimit() throws Exception {
        // 20,000 one-byte chunks, then the attack: well within a 64KiB limit, so all of it must be inspected.
        try (AegisServer node = AegisServer.start(NodeFixture.parse("""
                node: { listen: "127.0.0.1:0", workers: 1 }
                upstreams:
                  app: { servers: [ { address: "127.0.0.1:${ORIGIN}" } ] }
                routes:
                  - { name: all, match: { path: { prefix: / } }, upstream: app }
                waf: { mode: block, body_limit: 64KiB }
                """, Map.of("ORIGIN", "" + origin.port())), AccessLog.OFF, AccessLog.OFF)) {
            String padding = pad(20_000);
            String request = postHead("/tiny/1", FORM, "Transfer-Encoding", "chunked")
                    + chunks(padding, 1).replace("0\r\n\r\n", "") + chunks("&comment=" + SCRIPT, 1000);
            try (RawConnection c = RawConnection.open(node.port())) {
                assertThat(c.send(request).read().status()).isEqualTo(403);
            }
            // And a clean one of the same shape is forwarded whole.
            request = postHead("/echo?t=tiny2", FORM, "Transfer-Encoding", "chunked") + chunks(padding, 1);
            try (RawConnection c = RawConnection.open(node.port())) {
                HttpResponse r = c.send(request).read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).isEqualTo(padding);
            }
        }
        assertThat(reachedOrigin("/tiny/1")).isFalse();
    }

    // ---- block

    @Test
    void blockAnAnnouncedLengthOverTheLimitIs413BeforeTheBodyIsSent() throws Exception {
        try (RawConnection c = RawConnection.open(blocking.port())) {
            HttpResponse r = c.send(postHead("/bl/cl1", FORM, "Content-Length", "2000")).read();
            assertThat(r.status()).isEqualTo(413);
            String id = r.header("x-request-id");
            assertThat(r.text()).contains("request id: " + id).doesNotContain("waf").doesNotContain("body_limit");
            assertThat(c.closedWithin(3000)).as("the body was never read: the connection closes").isTrue();

            JsonNode line = blockingAudit.line(id);
            assertThat(line.get("route").asText()).isEqualTo("all");
            assertThat(line.get("blocked").asBoolean()).isTrue();
            assertThat(line.get("body_truncated").asBoolean()).isTrue();
        }
        // With Expect: 100-continue the client is told 413 instead of being invited to send.
        try (RawConnection c = RawConnection.open(blocking.port())) {
            HttpResponse r = c.send(postHead("/bl/cl2", "application/json",
                    "Content-Length", "5000", "Expect", "100-continue")).read();
            assertThat(r.status()).isEqualTo(413);
        }
        // A client that sends the body anyway still reads its answer.
        String json = "{\"items\":\"" + "x".repeat(100_000) + "\"}";
        HttpResponse r = post(blocking, "/bl/cl3", "application/json", json);
        assertThat(r.status()).isEqualTo(413);
        assertThat(reachedOrigin("/bl/")).isFalse();
    }

    @Test
    void blockTheRefusedBodyIsDiscardedForAMomentSoTheAnswerIsNotLostToAReset() throws Exception {
        try (RawConnection c = RawConnection.open(blocking.port())) {
            HttpResponse r = c.send(postHead("/bl/linger", FORM, "Content-Length", "10000000")).read();
            assertThat(r.status()).isEqualTo(413);
            // A client that goes on sending its body is not reset (a reset can destroy the answer in flight):
            // the node has shut its side and reads and discards for a moment before closing.
            byte[] piece = new byte[64 * 1024];
            for (int i = 0; i < 8; i++) {
                c.send(piece);
            }
            assertThat(c.closedWithin(3000)).isTrue();
        }
        assertThat(reachedOrigin("/bl/linger")).isFalse();
    }

    @Test
    void blockAChunkedBodyOverTheLimitIs413AndNeverReachesTheOrigin() throws Exception {
        HttpResponse r = postChunked(blocking, "/bl/ch1", FORM, pad(3000), 600);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.text()).contains("request id: " + r.header("x-request-id"));

        // Chunks sent one at a time: the answer comes as the limit is passed, before the body ends.
        try (RawConnection c = RawConnection.open(blocking.port())) {
            c.send(postHead("/bl/ch2", "application/json", "Transfer-Encoding", "chunked"));
            String piece = "x".repeat(600);
            c.send("258\r\n" + piece + "\r\n");
            c.send("258\r\n" + piece + "\r\n");
            HttpResponse answer = c.read();
            assertThat(answer.status()).isEqualTo(413);
            assertThat(c.closedWithin(3000)).isTrue();
        }
        assertThat(reachedOrigin("/bl/")).isFalse();
    }

    @Test
    void blockABodyOfExactlyTheLimitPasses() throws Exception {
        String body = pad(1024);
        HttpResponse r = post(blocking, "/echo?t=bx1", FORM, body);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo(body);
        r = postChunked(blocking, "/echo?t=bx2", FORM, body, 512);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo(body);
    }

    @Test
    void blockABinaryBodyOverTheLimitStreamsThrough() throws Exception {
        String body = "b".repeat(5000);
        HttpResponse r = post(blocking, "/echo?t=bin1", "application/octet-stream", body);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo(body);
        r = postChunked(blocking, "/echo?t=bin2", "image/png", body, 1000);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo(body);
        assertThat(origin.requestTargets()).contains("/echo?t=bin1", "/echo?t=bin2");
    }

    @Test
    void blockInDetectModeAnOverLimitBodyPassesTagged() throws Exception {
        String body = "comment=" + SCRIPT + "&" + pad(3000);
        HttpResponse r = post(blocking, "/watched/echo", FORM, body);
        assertThat(r.status()).isEqualTo(200);
        JsonNode line = blockingAudit.line(r.header("x-request-id"));
        assertThat(line.get("route").asText()).isEqualTo("watched");
        assertThat(line.get("blocked").asBoolean()).isFalse();
        assertThat(line.get("body_truncated").asBoolean()).isTrue();
        assertThat(line.get("matches").get(0).get("target").asText()).isEqualTo("ARGS:comment");

        r = postChunked(blocking, "/watched/chunked", FORM, pad(3000), 800);
        assertThat(r.status()).isEqualTo(200);
        assertThat(origin.requestTargets()).contains("/watched/echo", "/watched/chunked");
        assertThat(blockingAudit.line(r.header("x-request-id")).get("body_truncated").asBoolean()).isTrue();
    }
}
