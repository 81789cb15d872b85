package dev.aegis.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.origin.MockOrigin;
import dev.aegis.testing.Await;
import dev.aegis.testing.NodeFixture;
import dev.aegis.testing.RawConnection;
import dev.aegis.testing.RawConnection.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests that could desynchronise proxy and origin, and requests over the limits, sent as raw bytes: each is
 * refused with its status, the connection is closed, and nothing smuggled reaches the origin.
 */
class SmugglingAndLimitsTest {
    static MockOrigin origin;
    static NodeFixture node;

    @BeforeAll
    static void start() {
        origin = MockOrigin.start("127.0.0.1", 0);
        // The WAF is off here: these tests are about framing and limits (a smuggled request in a body is
        // rightly what the WAF blocks, which would hide what the parser did).
        node = NodeFixture.simple(origin.port(), """
                waf: { mode: "off" }
                limits:
                  max_header_bytes: 4KiB
                  max_uri_bytes: 1KiB
                  max_body_bytes: 1KiB
                  header_read_timeout: 1s
                  max_connections: 50
                """);
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

    private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";

    static Stream<Arguments> smuggling() {
        return Stream.of(
                Arguments.of("CL and TE", "POST /c HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED),
                Arguments.of("TE and CL", "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                        + "Content-Length: 40\r\n\r\n0\r\n\r\n" + SMUGGLED),
                Arguments.of("differing CLs", "POST /c HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                        + "Content-Length: 40\r\n\r\nhello" + SMUGGLED),
                Arguments.of("CL list differing", "POST /c HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 40\r\n\r\nhello"
                        + SMUGGLED),
                Arguments.of("CL with sign", "POST /c HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello"),
                Arguments.of("TE not final chunked", "POST /c HTTP/1.1\r\nHost: a\r\n"
                        + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n" + SMUGGLED),
                Arguments.of("TE gzip only", "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nxx"),
                Arguments.of("TE obfuscated", "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n"
                        + "0\r\n\r\n" + SMUGGLED),
                Arguments.of("TE twice", "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("TE in HTTP/1.0", "POST /c HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("bad chunk size", "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "zz\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("0x chunk size", "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "0x5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("negative chunk size", "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "-5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("huge chunk size", "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "fffffffffffffffff\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("chunk without CRLF", "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhelloXX0\r\n\r\n"),
                Arguments.of("obs-fold", "GET /c HTTP/1.1\r\nHost: a\r\nX-A: one\r\n two\r\n\r\n"),
                Arguments.of("obs-fold hiding TE", "POST /c HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                        + "X-A: b\r\n Transfer-Encoding: chunked\r\n\r\nhello"),
                Arguments.of("space before colon", "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n"
                        + "Content-Length: 5\r\n\r\nhello"),
                Arguments.of("tab before colon", "GET /c HTTP/1.1\r\nHost: a\r\nX-A\t: b\r\n\r\n"),
                Arguments.of("NUL in value", "GET /c HTTP/1.1\r\nHost: a\r\nX-A: b\u0000c\r\n\r\n"),
                Arguments.of("control char in name", "GET /c HTTP/1.1\r\nHost: a\r\nX\u0001A: b\r\n\r\n"),
                Arguments.of("bare LF line end", "GET /c HTTP/1.1\nHost: a\n\n"),
                Arguments.of("bare CR in value", "GET /c HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n"),
                Arguments.of("missing Host", "GET /c HTTP/1.1\r\n\r\n"),
                Arguments.of("two Hosts", "GET /c HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
                Arguments.of("Host with a letter port", "GET /c HTTP/1.1\r\nHost: a:abc\r\n\r\n"),
                Arguments.of("fragment in target", "GET /c#x HTTP/1.1\r\nHost: a\r\n\r\n"),
                Arguments.of("absolute-form with userinfo", "GET http://a.example:1@b.internal/ HTTP/1.1\r\nHost: a\r\n\r\n"),
                Arguments.of("absolute-form with empty authority", "GET http:///c HTTP/1.1\r\nHost: a\r\n\r\n"),
                Arguments.of("chunk sizes summing past 2^63", "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "1\r\nA\r\n7fffffffffffffff\r\nAAAA"),
                Arguments.of("bad version", "GET /c HTTP/1.x\r\nHost: a\r\n\r\n"),
                Arguments.of("space in target", "GET /c d HTTP/1.1\r\nHost: a\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smuggling")
    void refusesAmbiguousFramingAndCloses(String name, String raw) throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            HttpResponse r = c.send(raw).read();
            assertThat(r).as("an answer").isNotNull();
            assertThat(r.status()).isIn(400, 413, 501, 505);
            assertThat(r.header("connection")).isEqualToIgnoringCase("close");
            assertThat(c.closedWithin(2000)).isTrue();
        }
        assertThat(origin.requestTargets()).doesNotContain("/smuggled");
        if (!name.startsWith("chunk") && !name.contains("chunk size")) {
            assertThat(origin.requestTargets()).isEmpty();
        }
    }

    @Test
    void versionTwoIs505() throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            assertThat(c.send("GET / HTTP/2.0\r\nHost: a\r\n\r\n").read().status()).isEqualTo(505);
        }
    }

    @Test
    void uriTooLongIs414() throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            HttpResponse r = c.send("GET /" + "a".repeat(2000) + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(414);
        }
    }

    @Test
    void headersTooLargeIs431() throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            HttpResponse r = c.send("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(5000) + "\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(431);
        }
    }

    @Test
    void bodyTooLargeIs413ForContentLengthAndChunked() throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            HttpResponse r = c.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 2000\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(413);
        }
        try (RawConnection c = RawConnection.open(node.port())) {
            String chunk = Integer.toHexString(800) + "\r\n" + "x".repeat(800) + "\r\n";
            c.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk);
            HttpResponse r = c.read();
            // The first chunk may already be on its way to the origin; the answer is 413 or, if the origin's
            // response head came first, the connection is cut. Either way the body never exceeds the limit.
            if (r != null && r.status() != 200) {
                assertThat(r.status()).isEqualTo(413);
            }
            assertThat(c.closedWithin(2000)).isTrue();
        }
        assertThat(origin.lastRequest() == null || origin.lastRequest().bodyBytes() <= 1024).isTrue();
    }

    @Test
    void slowlorisIsClosedAfterTheHeaderReadTimeout() throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            c.send("GET / HTTP/1.1\r\nHost: a\r\n");
            long start = System.nanoTime();
            for (int i = 0; i < 4; i++) {
                Thread.sleep(300);
                try {
                    c.send("X-" + i + ": drip\r\n");
                } catch (java.io.IOException closed) {
                    break;
                }
            }
            assertThat(c.closedWithin(3000)).isTrue();
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(3500);
        }
        assertThat(origin.requestsServed()).isZero();
    }

    @Test
    void idleConnectionWithoutARequestIsClosedToo() throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            assertThat(c.closedWithin(3000)).isTrue();
        }
    }

    @Test
    void maxConnectionsIsHonoured() throws Exception {
        try (NodeFixture small = NodeFixture.simple(origin.port(), "limits: { max_connections: 3 }\n")) {
            List<RawConnection> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    RawConnection c = RawConnection.open(small.port());
                    assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
                    held.add(c);
                }
                try (RawConnection fourth = RawConnection.open(small.port())) {
                    assertThat(fourth.closedWithin(2000)).isTrue();
                }
                held.remove(0).close();
                // The slot is free again once the node saw the close.
                Await.until(Duration.ofSeconds(2), () -> small.server.openConnections() <= 2);
                try (RawConnection again = RawConnection.open(small.port())) {
                    assertThat(again.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
                }
            } finally {
                for (RawConnection c : held) {
                    c.close();
                }
            }
        }
    }

    @Test
    void acceptsLegalEdgeCases() throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            // Leading empty line, identical CL list, OWS tab, upper-case TE coding, chunk extensions, obs-text.
            assertThat(c.send("\r\nGET /health HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
            assertThat(c.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello").read().text())
                    .isEqualTo("hello");
            assertThat(c.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\tCHUNKED\t\r\n\r\n"
                    + "005;a=b;c=\"d\\\"e\"\r\nhello\r\n000\r\n\r\n").read().text()).isEqualTo("hello");
            assertThat(c.send("GET /anything HTTP/1.1\r\nHost: a\r\nX-Obs: caf\u00e9\r\n\r\n").read().status())
                    .isEqualTo(200);
        }
    }

    @Test
    void aStalledRequestBodyIs408() throws Exception {
        // timeouts.idle (2s in the fixture) also covers a request body that stops arriving: slowloris on the body.
        try (RawConnection c = RawConnection.open(node.port())) {
            c.send("POST /anything HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly ten b");
            long start = System.nanoTime();
            HttpResponse r = c.read();
            assertThat(r.status()).isEqualTo(408);
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(1000L, 4000L);
            assertThat(c.closedWithin(3000)).isTrue();
        }
    }

    @Test
    void connectionNamingContentLengthCannotStripTheFraming() throws Exception {
        // Were Content-Length dropped as a hop-by-hop option, the body would reach the origin as a request.
        try (RawConnection c = RawConnection.open(node.port())) {
            String body = SMUGGLED;
            HttpResponse r = c.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length()
                    + "\r\nConnection: Content-Length\r\n\r\n" + body).read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo(body);
        }
        assertThat(origin.requestTargets()).containsExactly("/echo");
    }
}
