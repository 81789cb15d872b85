package dev.aegis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.origin.MockOrigin;
import dev.aegis.testing.Await;
import dev.aegis.testing.NodeFixture;
import dev.aegis.testing.RawConnection;
import dev.aegis.testing.RawConnection.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy's everyday behaviour through a real node in front of the real mock origin. */
class ProxyBasicsTest {
    static MockOrigin origin;
    static NodeFixture node;

    @BeforeAll
    static void start() {
        origin = MockOrigin.start("127.0.0.1", 0);
        node = NodeFixture.simple(origin.port(), "");
    }

    @AfterAll
    static void stop() {
        node.close();
        origin.close();
    }

    @BeforeEach
    void reset() {
        origin.resetCounters();
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: example.test\r\n\r\n";
    }

    @Test
    void forwardsAGetAndStreamsTheAnswer() throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            HttpResponse r = c.send(get("/")).read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("AEGIS mock origin\n");
            assertThat(r.header("via")).endsWith("aegis-test");
            r = c.send(get("/64k")).read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).hasSize(64 * 1024);
        }
    }

    @Test
    void addsForwardingHeadersAndRemovesHopByHopOnes() throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            HttpResponse r = c.send("GET /anything?a=1 HTTP/1.1\r\nHost: shop.example\r\n"
                    + "Connection: keep-alive, X-Hop\r\nX-Hop: secret\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n"
                    + "Upgrade: websocket\r\nProxy-Authorization: Basic eA==\r\nX-End: kept\r\n"
                    + "X-Forwarded-For: 203.0.113.9\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            String echo = r.text().toLowerCase();
            assertThat(echo).contains("\"x-end\":\"kept\"")
                    .contains("\"x-forwarded-for\":\"203.0.113.9, 127.0.0.1\"")
                    .contains("\"x-forwarded-proto\":\"http\"")
                    .contains("\"x-forwarded-host\":\"shop.example\"")
                    .contains("\"via\":\"1.1 aegis-test\"")
                    .contains("\"host\":\"shop.example\"")
                    .contains("\"x-request-id\":\"")
                    .doesNotContain("x-hop").doesNotContain("keep-alive").doesNotContain("\"te\"")
                    .doesNotContain("upgrade").doesNotContain("proxy-authorization");
            String id = r.header("x-request-id");
            assertThat(id).hasSize(32);
            assertThat(echo).contains("\"x-request-id\":\"" + id + "\"");
        }
    }

    @Test
    void hostCannotBeDroppedByConnectionAndEveryForwardedForLineCounts() throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            HttpResponse r = c.send("GET /anything HTTP/1.1\r\nHost: shop.example\r\nConnection: host\r\n"
                    + "X-Forwarded-For: 198.51.100.1\r\nX-Forwarded-For: 198.51.100.2\r\n\r\n").read();
            String echo = r.text().toLowerCase();
            assertThat(echo).contains("\"host\":\"shop.example\"")
                    .contains("\"x-forwarded-for\":\"198.51.100.1, 198.51.100.2, 127.0.0.1\"");
        }
    }

    @Test
    void chunkedUploadArrivesByteForByte() throws Exception {
        // Random data in chunks of random sizes, written in odd pieces, so chunk boundaries, reads and the
        // decoder's buffer compaction fall everywhere. The echo must equal what was sent.
        java.util.Random random = new java.util.Random(42);
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        random.nextBytes(data);
        java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
        wire.writeBytes("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        for (int off = 0; off < data.length; ) {
            int n = Math.min(data.length - off, 1 + random.nextInt(40_000));
            wire.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            wire.write(data, off, n);
            wire.writeBytes("\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            off += n;
        }
        wire.writeBytes("0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        byte[] bytes = wire.toByteArray();
        try (RawConnection c = RawConnection.open(node.port())) {
            java.util.concurrent.CompletableFuture<Void> send = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    for (int off = 0; off < bytes.length; ) {
                        int n = Math.min(bytes.length - off, 1 + random.nextInt(70_000));
                        c.output().write(bytes, off, n);
                        off += n;
                    }
                    c.output().flush();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            HttpResponse r = c.read();
            send.get();
            assertThat(r.status()).isEqualTo(200);
            assertThat(java.util.Arrays.equals(r.body(), data)).as("echoed body equals the upload").isTrue();
        }
    }

    @Test
    void aClosingResponseReachesASlowClientWhole() throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            c.send("GET /bytes/8388608 HTTP/1.0\r\n\r\n");
            Thread.sleep(500); // the node has written all it can and decided to close by now
            HttpResponse r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).hasSize(8 * 1024 * 1024);
        }
    }

    @Test
    void aClientThatHalfClosesAfterItsRequestStillGetsTheAnswer() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", node.port())) {
            s.getOutputStream().write("GET /1k HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.shutdownOutput();
            s.setSoTimeout(5000);
            byte[] all = s.getInputStream().readAllBytes(); // until the node closes after the answer
            String text = new String(all, java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(text).startsWith("HTTP/1.1 200");
            assertThat(all.length).isGreaterThan(1024);
        }
    }

    @Test
    void keepsAnAcceptableRequestId() throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            HttpResponse r = c.send("GET /anything HTTP/1.1\r\nHost: a\r\nX-Request-Id: abc-123\r\n\r\n").read();
            assertThat(r.header("x-request-id")).isEqualTo("abc-123");
            assertThat(r.text()).contains("\"abc-123\"");
        }
    }

    @Test
    void headGetsHeadersWithoutBody() throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            HttpResponse r = c.send("HEAD /16k HTTP/1.1\r\nHost: a\r\n\r\n").read(true);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("content-length")).isEqualTo("16384");
            // The connection is still in sync: the next answer is the next request's, not body bytes.
            r = c.send(get("/health")).read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).startsWith("ok");
        }
    }

    @Test
    void http10WithAndWithoutKeepAlive() throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            HttpResponse r = c.send("GET /1k HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).hasSize(1024);
            assertThat(r.header("connection")).isEqualToIgnoringCase("keep-alive");
            r = c.send("GET /1k HTTP/1.0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(c.closedWithin(2000)).isTrue();
        }
    }

    @Test
    void streamsContentLengthAndChunkedUploads() throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            HttpResponse r = c.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("hello world");
            r = c.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("hello world");
        }
    }

    @Test
    void answersExpectContinueThenTakesTheBody() throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            c.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
            HttpResponse interim = c.read();
            assertThat(interim.status()).isEqualTo(100);
            HttpResponse r = c.send("ping").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("ping");
            assertThat(origin.lastRequest().headers().keySet()).noneMatch(h -> h.equalsIgnoreCase("expect"));
        }
    }

    @Test
    void refusesAnUnknownExpectation() throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            HttpResponse r = c.send("GET / HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(417);
        }
    }

    @Test
    void answersPipelinedRequestsInOrder() throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            c.send(get("/delay/200") + get("/1k") + "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                    + get("/status/201"));
            assertThat(c.read().status()).isEqualTo(200);
            HttpResponse second = c.read();
            assertThat(second.body()).hasSize(1024);
            assertThat(c.read().text()).isEqualTo("abc");
            assertThat(c.read().status()).isEqualTo(201);
        }
        assertThat(origin.requestTargets()).containsExactly("/delay/200", "/1k", "/echo", "/status/201");
    }

    @Test
    void reusesPooledUpstreamConnections() throws Exception {
        for (int conn = 0; conn < 10; conn++) {
            try (RawConnection c = RawConnection.open(node.port())) {
                for (int i = 0; i < 20; i++) {
                    assertThat(c.send(get("/api/users")).read().status()).isEqualTo(200);
                }
            }
        }
        assertThat(origin.requestsServed()).isEqualTo(200);
        // One pool per event loop (2 here): a handful of origin connections carry 200 requests.
        assertThat(origin.connectionsAccepted()).isLessThanOrEqualTo(4);
    }

    @Test
    void idlePooledConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
        try (MockOrigin own = MockOrigin.start("127.0.0.1", 0);
             NodeFixture shortIdle = NodeFixture.start("""
                     node: { listen: "127.0.0.1:0", workers: 1 }
                     upstreams:
                       app:
                         servers: [ { address: "127.0.0.1:${ORIGIN}" } ]
                         pool: { idle_timeout: 300ms }
                     routes:
                       - { name: all, match: { path: { prefix: / } }, upstream: app }
                     """, vars(own.port()));
             RawConnection c = RawConnection.open(shortIdle.port())) {
            assertThat(c.send(get("/")).read().status()).isEqualTo(200);
            assertThat(own.openConnections()).isEqualTo(1); // pooled, still open
            assertThat(Await.until(java.time.Duration.ofSeconds(3), () -> own.openConnections() == 0)).isTrue();
            // The next request simply opens a new connection.
            assertThat(c.send(get("/")).read().status()).isEqualTo(200);
            assertThat(own.connectionsAccepted()).isEqualTo(2);
        }
    }

    @Test
    void absoluteFormTargetIsForwardedInOriginForm() throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            HttpResponse r = c.send("GET http://other.example/anything/x?y=1 HTTP/1.1\r\nHost: ignored\r\n\r\n")
                    .read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).contains("\"uri\":\"/anything/x?y=1\"").contains("\"other.example\"");
        }
    }

    @Test
    void passesOriginStatusesAndChunkedResponses() throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            assertThat(c.send(get("/status/503")).read().status()).isEqualTo(503);
            assertThat(c.send(get("/status/204")).read().status()).isEqualTo(204);
            HttpResponse r = c.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3\r\nabc\r\n0\r\n\r\n").read();
            assertThat(r.header("transfer-encoding")).isEqualToIgnoringCase("chunked");
            assertThat(r.text()).isEqualTo("abc");
        }
    }

    @Test
    void http10ClientGetsACloseDelimitedChunkedOriginAnswer() throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            // The origin answers chunked; an HTTP/1.0 client cannot read chunks, so the proxy de-chunks and closes.
            HttpResponse r = c.send("POST /echo HTTP/1.0\r\nContent-Length: 3\r\n\r\nxyz").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("xyz");
        }
    }

    static Map<String, String> vars(int port) {
        return Map.of("ORIGIN", Integer.toString(port));
    }
}
