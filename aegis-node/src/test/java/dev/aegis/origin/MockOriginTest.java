package dev.aegis.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.testing.Await;
import dev.aegis.testing.RawConnection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The mock origin over real sockets: each endpoint, framing, keep-alive, pipelining and backpressure. */
class MockOriginTest {
    private static final int MIB = 1024 * 1024;

    private MockOrigin origin;
    private HttpClient client;

    @BeforeEach
    void start() {
        origin = MockOrigin.start("127.0.0.1", 0);
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        client.close();
        origin.close();
    }

    private URI uri(String target) {
        return URI.create("http://127.0.0.1:" + origin.port() + target);
    }

    private HttpResponse<byte[]> get(String target, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(target)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), BodyHandlers.ofByteArray());
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private static String getRequest(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: origin.test\r\n\r\n";
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    // ---- fixed bodies

    @Test
    void rootHealthAndIdentity() throws Exception {
        HttpResponse<byte[]> r = get("/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(text(r)).isEqualTo("AEGIS mock origin\n");
        assertThat(r.headers().firstValue("server")).hasValue("aegis-mock-origin");
        assertThat(r.headers().firstValue("date")).isPresent();
        assertThat(r.headers().firstValue("content-length")).hasValue("18");

        r = get("/health");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(text(r)).isEqualTo("ok");
    }

    @Test
    void sizedBodiesHaveExactlyTheirSizeAndThePattern() throws Exception {
        for (int size : new int[] {1024, 16 * 1024, 64 * 1024}) {
            HttpResponse<byte[]> r = get("/" + size / 1024 + "k");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-length")).hasValue(Integer.toString(size));
            assertThat(r.body()).hasSize(size);
            for (int i = 0; i < size; i++) {
                assertThat(r.body()[i]).as("byte %d of /%dk", i, size / 1024).isEqualTo(FixedBodies.patternByte(i));
            }
        }
        // The shared bodies are never consumed by serving them.
        assertThat(FixedBodies.K64.readableBytes()).isEqualTo(64 * 1024);
        assertThat(FixedBodies.K64.refCnt()).isEqualTo(1);
    }

    @Test
    void apiEndpointsAnswerJsonArrays() throws Exception {
        for (String path : List.of("/api/users", "/api/products", "/api/orders")) {
            HttpResponse<byte[]> r = get(path);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(text(r)).startsWith("[{\"id\":").endsWith("}]\n");
        }
    }

    // ---- HEAD, keep-alive, HTTP/1.0, pipelining

    @Test
    void headAnswersTheSameHeadWithoutBodyAndKeepsTheConnectionInSync() throws Exception {
        try (RawConnection c = RawConnection.open(origin.port())) {
            RawConnection.HttpResponse r = c.send("HEAD /64k HTTP/1.1\r\nHost: a\r\n\r\n").read(true);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("content-length")).isEqualTo("65536");
            r = c.send("HEAD /bytes/1073741824 HTTP/1.1\r\nHost: a\r\n\r\n").read(true);
            assertThat(r.header("content-length")).isEqualTo("1073741824");
            r = c.send("HEAD /anything HTTP/1.1\r\nHost: a\r\n\r\n").read(true);
            assertThat(r.header("content-type")).isEqualTo("application/json");
            assertThat(Integer.parseInt(r.header("content-length"))).isPositive();
            // Had any body bytes followed a HEAD answer, this would read them instead of the next status line.
            r = c.send(getRequest("/health")).read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("ok");
        }
        assertThat(origin.connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void keepAliveServesTenRequestsOnOneConnection() throws Exception {
        List<String> targets = new ArrayList<>();
        try (RawConnection c = RawConnection.open(origin.port())) {
            for (int i = 0; i < 10; i++) {
                String target = i % 2 == 0 ? "/1k" : "/anything/" + i;
                targets.add(target);
                RawConnection.HttpResponse r = c.send(getRequest(target)).read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("connection")).isNull();
            }
        }
        assertThat(origin.connectionsAccepted()).isEqualTo(1);
        assertThat(origin.requestsServed()).isEqualTo(10);
        assertThat(origin.requestTargets()).containsExactlyElementsOf(targets);
    }

    @Test
    void http10KeepsAliveOnlyWhenAsked() throws Exception {
        try (RawConnection c = RawConnection.open(origin.port())) {
            RawConnection.HttpResponse r = c.send("GET /1k HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).hasSize(1024);
            assertThat(r.header("connection")).isEqualToIgnoringCase("keep-alive");
            r = c.send("GET /1k HTTP/1.0\r\n\r\n").read();
            assertThat(r.body()).hasSize(1024);
            assertThat(r.header("connection")).isEqualToIgnoringCase("close");
            assertThat(c.closedWithin(2000)).isTrue();
        }
    }

    @Test
    void http11ConnectionCloseIsHonoured() throws Exception {
        try (RawConnection c = RawConnection.open(origin.port())) {
            RawConnection.HttpResponse r = c.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("connection")).isEqualToIgnoringCase("close");
            assertThat(c.closedWithin(2000)).isTrue();
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderBehindADelay() throws Exception {
        try (RawConnection c = RawConnection.open(origin.port())) {
            c.send(getRequest("/delay/150") + getRequest("/1k") + "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                    + getRequest("/bytes/100000") + getRequest("/status/201"));
            assertThat(c.read().text()).startsWith("delayed 150 ms");
            assertThat(c.read().body()).hasSize(1024);
            assertThat(c.read().text()).isEqualTo("abc");
            assertThat(c.read().body()).hasSize(100_000);
            assertThat(c.read().status()).isEqualTo(201);
        }
        assertThat(origin.requestTargets())
                .containsExactly("/delay/150", "/1k", "/echo", "/bytes/100000", "/status/201");
    }

    // ---- /bytes

    @Test
    void bytesStreamsExactlyTenMebibytes() throws Exception {
        long n = 10L * MIB;
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(uri("/bytes/" + n)).build(),
                BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-length")).hasValue(Long.toString(n));
        long index = 0;
        byte[] buf = new byte[100_000];
        try (InputStream in = r.body()) {
            int read;
            while ((read = in.read(buf)) >= 0) {
                for (int i = 0; i < read; i++, index++) {
                    if (buf[i] != FixedBodies.patternByte(index)) {
                        throw new AssertionError("byte " + index + " is " + buf[i]);
                    }
                }
            }
        }
        assertThat(index).isEqualTo(n);
    }

    @Test
    void bytesOfAGibibyteArriveWhole() throws Exception {
        long n = 1024L * MIB;
        try (RawConnection c = RawConnection.open(origin.port())) {
            c.send(getRequest("/bytes/" + n));
            assertThat(c.readLine()).isEqualTo("HTTP/1.1 200 OK");
            String line;
            while (!(line = c.readLine()).isEmpty()) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    assertThat(line).endsWith(" " + n);
                }
            }
            assertThat(c.drain(n)).isEqualTo(n);
            // Still in sync and still alive after the last chunk.
            assertThat(c.send(getRequest("/health")).read().text()).isEqualTo("ok");
        }
    }

    @Test
    void bytesRejectsBadCounts() throws Exception {
        HttpResponse<byte[]> r = get("/bytes/0");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
        assertThat(get("/bytes/abc").statusCode()).isEqualTo(400);
        assertThat(get("/bytes/-1").statusCode()).isEqualTo(400);
        assertThat(get("/bytes/" + ((1L << 40) + 1)).statusCode()).isEqualTo(400);
    }

    @Test
    void aClientLeavingMidDownloadIsForgotten() throws Exception {
        try (RawConnection c = RawConnection.open(origin.port())) {
            c.send(getRequest("/bytes/" + (1L << 40)));
            assertThat(c.readLine()).startsWith("HTTP/1.1 200");
            c.drain(MIB);
        }
        awaitNoOpenConnections();
        assertThat(text(get("/"))).isEqualTo("AEGIS mock origin\n");
    }

    // ---- /echo

    @Test
    void echoStreamsAContentLengthBodyBackWithTheSameLength() throws Exception {
        byte[] body = randomBytes(5 * MIB, 1);
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri("/echo"))
                .header("Content-Type", "application/x-test")
                .POST(BodyPublishers.ofByteArray(body)).build(), BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-length")).hasValue(Integer.toString(body.length));
        assertThat(r.headers().firstValue("transfer-encoding")).isEmpty();
        assertThat(r.headers().firstValue("content-type")).hasValue("application/x-test");
        assertThat(r.body()).isEqualTo(body);
        assertThat(origin.lastRequest().bodyBytes()).isEqualTo(body.length);
        assertThat(origin.lastRequest().method()).isEqualTo("POST");

        r = client.send(HttpRequest.newBuilder(uri("/echo")).PUT(BodyPublishers.ofString("put body")).build(),
                BodyHandlers.ofByteArray());
        assertThat(text(r)).isEqualTo("put body");
    }

    @Test
    void echoAnswersAChunkedBodyChunked() throws Exception {
        byte[] body = randomBytes(5 * MIB, 2);
        try (RawConnection c = RawConnection.open(origin.port())) {
            c.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
            // The answer streams back while the upload goes on, so the upload needs its own thread.
            CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = c.output();
                    Random sizes = new Random(3);
                    int offset = 0;
                    while (offset < body.length) {
                        int n = Math.min(body.length - offset, 1 + sizes.nextInt(100_000));
                        out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.write(body, offset, n);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                        offset += n;
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            RawConnection.HttpResponse r = c.read();
            upload.get(10, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("transfer-encoding")).isEqualToIgnoringCase("chunked");
            assertThat(r.header("content-length")).isNull();
            assertThat(r.body()).isEqualTo(body);
            assertThat(origin.lastRequest().bodyBytes()).isEqualTo(body.length);
            // And the connection goes on.
            assertThat(c.send(getRequest("/health")).read().text()).isEqualTo("ok");
        }
    }

    @Test
    void echoStopsReadingAnUploadWhoseEchoIsNotRead() throws Exception {
        // 64 MiB is far more than the kernel's socket buffers on both sides can hold: unless the origin stops
        // reading while its echo is not read, the whole upload would be accepted.
        int size = 64 * MIB;
        byte[] chunk = new byte[64 * 1024];
        try (Socket socket = new Socket("127.0.0.1", origin.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: " + size + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
                try {
                    for (int sent = 0; sent < size; sent += chunk.length) {
                        out.write(chunk);
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            assertThatThrownBy(() -> upload.get(1, TimeUnit.SECONDS)).as("upload accepted without its echo being read")
                    .isInstanceOf(java.util.concurrent.TimeoutException.class);
            // Reading the echo lets the upload finish.
            InputStream in = socket.getInputStream();
            long total = 0;
            byte[] buf = new byte[256 * 1024];
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) { // skip the head
                head.write(b);
                if (head.size() >= 4 && head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                    break;
                }
            }
            assertThat(head.toString(StandardCharsets.US_ASCII)).contains("content-length: " + size);
            while (total < size) {
                int n = in.read(buf);
                assertThat(n).isPositive();
                total += n;
            }
            upload.get(10, TimeUnit.SECONDS);
            assertThat(total).isEqualTo(size);
        }
    }

    @Test
    void expectContinueGetsA100ThenTheAnswer() throws Exception {
        try (RawConnection c = RawConnection.open(origin.port())) {
            c.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(100);
            RawConnection.HttpResponse r = c.send("ping").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("ping");
            // Other endpoints take (and drain) the body too, so the connection stays in sync.
            c.send("POST /anything HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(100);
            r = c.send("pong").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).contains("\"method\":\"POST\"");
            assertThat(origin.lastRequest().bodyBytes()).isEqualTo(4);
            assertThat(c.send(getRequest("/health")).read().text()).isEqualTo("ok");
        }
    }

    @Test
    void anUnknownExpectationIs417AndTheLastExchange() throws Exception {
        try (RawConnection c = RawConnection.open(origin.port())) {
            RawConnection.HttpResponse r = c.send("GET / HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(417);
            assertThat(c.closedWithin(2000)).isTrue();
        }
    }

    // ---- /status, /delay, /cache

    @Test
    void statusAnswersTheAskedStatus() throws Exception {
        HttpResponse<byte[]> r = get("/status/404");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(text(r)).isEqualTo("404 Not Found\n");
        assertThat(get("/status/503").statusCode()).isEqualTo(503);
        r = get("/status/204");
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.body()).isEmpty();
        assertThat(r.headers().firstValue("content-length")).isEmpty();
        assertThat(get("/status/99").statusCode()).isEqualTo(400);
        assertThat(get("/status/600").statusCode()).isEqualTo(400);
        assertThat(get("/status/101").statusCode()).isEqualTo(400);

        try (RawConnection c = RawConnection.open(origin.port())) {
            RawConnection.HttpResponse raw = c.send(getRequest("/status/304")).read();
            assertThat(raw.status()).isEqualTo(304);
            assertThat(raw.body()).isEmpty();
            raw = c.send(getRequest("/status/302")).read();
            assertThat(raw.status()).isEqualTo(302);
            assertThat(raw.header("location")).isEqualTo("/");
            // An interim status is followed by a final answer.
            assertThat(c.send(getRequest("/status/103")).readLine()).isEqualTo("HTTP/1.1 103 Early Hints");
            while (!c.readLine().isEmpty()) {
                // its header fields
            }
            raw = c.read();
            assertThat(raw.status()).isEqualTo(200);
            assertThat(raw.text()).contains("103");
            assertThat(c.send(getRequest("/status/500")).read().text()).isEqualTo("500 Internal Server Error\n");
        }
    }

    @Test
    void delayAnswersAfterTheDelay() throws Exception {
        long start = System.nanoTime();
        HttpResponse<byte[]> r = get("/delay/200");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(200);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(text(r)).isEqualTo("delayed 200 ms\n");
        assertThat(get("/delay/soon").statusCode()).isEqualTo(400);
    }

    @Test
    void aClientLeavingDuringADelayBreaksNothing() throws Exception {
        try (RawConnection c = RawConnection.open(origin.port())) {
            c.send(getRequest("/delay/100"));
        }
        awaitNoOpenConnections();
        // the delay of the connection that left is cancelled with it; delayed and plain answers still come after
        assertThat(text(get("/delay/150"))).isEqualTo("delayed 150 ms\n");
        assertThat(text(get("/"))).isEqualTo("AEGIS mock origin\n");
    }

    @Test
    void cacheIsRevalidatedWithIfNoneMatch() throws Exception {
        HttpResponse<byte[]> first = get("/cache/60");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("cache-control")).hasValue("public, max-age=60");
        String etag = first.headers().firstValue("etag").orElseThrow();
        String lastModified = first.headers().firstValue("last-modified").orElseThrow();
        assertThat(etag).startsWith("W/\"");
        assertThat(text(first)).startsWith("cached resource /cache/60, fetch ");

        HttpResponse<byte[]> revalidated = get("/cache/60", "If-None-Match", etag);
        assertThat(revalidated.statusCode()).isEqualTo(304);
        assertThat(revalidated.body()).isEmpty();
        assertThat(revalidated.headers().firstValue("etag")).hasValue(etag);
        assertThat(revalidated.headers().firstValue("cache-control")).hasValue("public, max-age=60");
        // Weak comparison: the strong form of the same tag matches too (RFC 9110 §13.1.2).
        assertThat(get("/cache/60", "If-None-Match", "\"x\", " + etag.substring(2)).statusCode()).isEqualTo(304);
        assertThat(get("/cache/60", "If-Modified-Since", lastModified).statusCode()).isEqualTo(304);
        assertThat(get("/cache/60", "If-None-Match", "\"other\"").statusCode()).isEqualTo(200);

        HttpResponse<byte[]> refetched = get("/cache/60");
        assertThat(text(refetched)).isNotEqualTo(text(first));
        assertThat(get("/cache/61").headers().firstValue("etag")).isNotEqualTo(java.util.Optional.of(etag));
    }

    // ---- /drop, /reset

    @Test
    void dropClosesWithoutAnAnswer() throws Exception {
        try (RawConnection c = RawConnection.open(origin.port())) {
            assertThat(c.send(getRequest("/drop")).read()).isNull();
        }
    }

    @Test
    void dropStillDeliversEarlierPipelinedAnswers() throws Exception {
        try (RawConnection c = RawConnection.open(origin.port())) {
            c.send(getRequest("/1k") + getRequest("/drop") + getRequest("/health"));
            assertThat(c.read().body()).hasSize(1024);
            assertThat(c.read()).isNull();
        }
    }

    @Test
    void resetClosesWithATcpReset() throws Exception {
        try (RawConnection c = RawConnection.open(origin.port())) {
            c.send(getRequest("/reset"));
            assertThatThrownBy(c::read).isInstanceOf(SocketException.class).hasMessageContaining("reset");
        }
    }

    // ---- JSON echo and records

    @Test
    void anythingEchoesTheRequestHeadAsJson() throws Exception {
        try (RawConnection c = RawConnection.open(origin.port())) {
            RawConnection.HttpResponse r = c.send("GET /anything/x?y=1 HTTP/1.1\r\nHost: shop.example\r\n"
                    + "X-Forwarded-For: 203.0.113.7\r\nVia: 1.1 aegis\r\nX-Quote: say \"hi\" \\o/\r\n"
                    + "Accept: text/html\r\naccept: application/json\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("content-type")).isEqualTo("application/json");
            assertThat(r.text()).isEqualTo("{\"method\":\"GET\",\"uri\":\"/anything/x?y=1\",\"headers\":{"
                    + "\"Host\":\"shop.example\",\"X-Forwarded-For\":\"203.0.113.7\",\"Via\":\"1.1 aegis\","
                    + "\"X-Quote\":\"say \\\"hi\\\" \\\\o/\",\"Accept\":\"text/html, application/json\"}}\n");
        }
    }

    @Test
    void lastRequestRecordsTheCompletedRequest() throws Exception {
        assertThat(origin.lastRequest()).isNull();
        client.send(HttpRequest.newBuilder(uri("/anything/upload?id=7"))
                .header("X-Test", "one").header("X-Test", "two")
                .POST(BodyPublishers.ofByteArray(new byte[1000])).build(), BodyHandlers.discarding());
        RecordedRequest last = origin.lastRequest();
        assertThat(last.method()).isEqualTo("POST");
        assertThat(last.uri()).isEqualTo("/anything/upload?id=7");
        assertThat(last.bodyBytes()).isEqualTo(1000);
        assertThat(last.headers().get("x-test")).containsExactly("one", "two");
        assertThat(last.header("X-TEST")).isEqualTo("one");
        assertThat(last.header("content-length")).isEqualTo("1000");
    }

    @Test
    void resetCountersStartsTheRecordsAfresh() throws Exception {
        get("/1k");
        get("/2");
        assertThat(origin.requestsServed()).isEqualTo(2);
        origin.resetCounters();
        assertThat(origin.requestsServed()).isZero();
        assertThat(origin.connectionsAccepted()).isZero();
        assertThat(origin.requestTargets()).isEmpty();
        assertThat(origin.lastRequest()).isNull();
        get("/3");
        assertThat(origin.requestTargets()).containsExactly("/3");
    }

    @Test
    void requestTargetsKeepTheLastHundredThousand() throws Exception {
        OriginState state = new OriginState();
        for (int i = 0; i < OriginState.TARGETS_KEPT + 5; i++) {
            state.requestReceived("/" + i);
        }
        List<String> targets = state.requestTargets();
        assertThat(targets).hasSize(OriginState.TARGETS_KEPT);
        assertThat(targets.get(0)).isEqualTo("/5");
        assertThat(targets.get(targets.size() - 1)).isEqualTo("/" + (OriginState.TARGETS_KEPT + 4));
    }

    @Test
    void malformedRequestIs400AndClosed() throws Exception {
        try (RawConnection c = RawConnection.open(origin.port())) {
            RawConnection.HttpResponse r = c.send("GET / HTTP/1.1\r\nHost: a\r\nBad\u0001Name: x\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(c.closedWithin(2000)).isTrue();
        }
        try (RawConnection c = RawConnection.open(origin.port())) {
            RawConnection.HttpResponse r = c.send("POST /anything HTTP/1.1\r\nHost: a\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(c.closedWithin(2000)).isTrue();
        }
        try (RawConnection c = RawConnection.open(origin.port())) {
            RawConnection.HttpResponse r = c.send(getRequest("/" + "x".repeat(70_000))).read();
            assertThat(r.status()).isEqualTo(414);
            assertThat(c.closedWithin(2000)).isTrue();
        }
    }

    @Test
    void requestBodiesToOtherEndpointsAreDrained() throws Exception {
        try (RawConnection c = RawConnection.open(origin.port())) {
            byte[] body = randomBytes(300_000, 4);
            c.send("POST /1k HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length + "\r\n\r\n").send(body);
            assertThat(c.read().body()).hasSize(1024);
            c.send("POST /health HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
            assertThat(c.read().text()).isEqualTo("ok");
            assertThat(c.send(getRequest("/")).read().status()).isEqualTo(200);
        }
        assertThat(origin.connectionsAccepted()).isEqualTo(1);
    }

    // ---- life cycle and helpers

    @Test
    void closeFreesThePortAndIsIdempotent() throws Exception {
        int port = origin.port();
        assertThat(port).isPositive();
        try (MockOrigin taken = MockOrigin.start("127.0.0.1", 0, 2)) {
            assertThatThrownBy(() -> MockOrigin.start("127.0.0.1", taken.port()))
                    .isInstanceOf(UncheckedIOException.class).hasMessageContaining("cannot listen");
        }
        origin.close();
        origin.close();
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    void pathsAndNumbersAreParsedStrictly() {
        assertThat(OriginHandler.pathOf("/a/b?c=d")).isEqualTo("/a/b");
        assertThat(OriginHandler.pathOf("http://h.example/bytes/5?x")).isEqualTo("/bytes/5");
        assertThat(OriginHandler.pathOf("http://h.example")).isEqualTo("/");
        assertThat(OriginHandler.pathOf("*")).isEqualTo("*");
        assertThat(OriginHandler.number("/bytes/123", 7, 1000)).isEqualTo(123);
        assertThat(OriginHandler.number("/bytes/", 7, 1000)).isEqualTo(-1);
        assertThat(OriginHandler.number("/bytes/1001", 7, 1000)).isEqualTo(-1);
        assertThat(OriginHandler.number("/bytes/99999999999999999999", 7, Long.MAX_VALUE)).isEqualTo(-1);
    }

    @Test
    void jsonStringsAreEscaped() {
        StringBuilder out = new StringBuilder();
        EchoJson.quote(out, "a\"b\\c\nd\te\u0001f\u007fé");
        assertThat(out.toString()).isEqualTo("\"a\\\"b\\\\c\\nd\\te\\u0001f\\u007fé\"");
    }

    private void awaitNoOpenConnections() throws InterruptedException {
        assertThat(Await.until(java.time.Duration.ofSeconds(5), () -> origin.openConnections() == 0)).isTrue();
    }
}
