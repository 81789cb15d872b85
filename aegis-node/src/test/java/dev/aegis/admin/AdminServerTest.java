package dev.aegis.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegis.config.HostPort;
import dev.aegis.origin.MockOrigin;
import dev.aegis.testing.RawConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The admin API over real sockets, in front of a fake node (the {@link AdminEndpoints} seam). */
class AdminServerTest {
    private static final HostPort ANY_PORT = new HostPort("127.0.0.1", 0);
    private static final String TOKEN = "s3cret-token";

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final FakeNode node = new FakeNode();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
        http.close();
    }

    /** The node as the admin API sees it: readiness and reload outcomes the test decides. */
    static final class FakeNode implements AdminEndpoints {
        volatile boolean ready = true;
        volatile Supplier<CompletableFuture<ReloadResult>> reload =
                () -> CompletableFuture.completedFuture(new ReloadResult(true, List.of()));
        final AtomicInteger reloads = new AtomicInteger();

        @Override
        public boolean ready() {
            return ready;
        }

        @Override
        public CompletableFuture<ReloadResult> reload() {
            reloads.incrementAndGet();
            return reload.get();
        }
    }

    private AdminServer start(String token) {
        AdminServer server = AdminServer.start(ANY_PORT, token, node);
        toClose.add(server);
        return server;
    }

    private RawConnection raw(AdminServer server) throws Exception {
        RawConnection c = RawConnection.open(server.port());
        toClose.add(c);
        return c;
    }

    private HttpResponse<String> get(AdminServer server, String path, String... headers) throws Exception {
        return send(server, "GET", path, headers);
    }

    private HttpResponse<String> post(AdminServer server, String path, String... headers) throws Exception {
        return send(server, "POST", path, headers);
    }

    private HttpResponse<String> send(AdminServer server, String method, String path, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), BodyHandlers.ofString());
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    // ---- probes

    @Test
    void healthzAndReadyzAnswerWithoutTheTokenEvenWhenOneIsSet() throws Exception {
        AdminServer server = start(TOKEN);

        HttpResponse<String> health = get(server, "/healthz");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("ok");
        assertThat(health.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
        assertThat(health.headers().firstValue("cache-control")).hasValue("no-store");

        HttpResponse<String> ready = get(server, "/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("ready");

        node.ready = false;
        HttpResponse<String> notReady = get(server, "/readyz");
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(notReady.body()).isEqualTo("not ready");
        assertThat(get(server, "/healthz").statusCode()).as("alive even when not ready").isEqualTo(200);

        assertThat(server.unauthorizedTotal()).isZero();
    }

    @Test
    void headOfAProbeIsItsGetWithoutTheBody() throws Exception {
        AdminServer server = start("");
        RawConnection c = raw(server);
        RawConnection.HttpResponse r = c.send("HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").read(true);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-length")).isEqualTo("2");
        // The connection is still in step: the next answer is exactly the next request's.
        r = c.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").read();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("ok");
    }

    // ---- reload

    @Test
    void aReloadThatAppliesAnswers200() throws Exception {
        AdminServer server = start("");
        HttpResponse<String> r = post(server, "/admin/reload");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.body()).isEqualTo("{\"status\":\"reloaded\"}");
        assertThat(node.reloads).hasValue(1);
    }

    @Test
    void aRejectedReloadAnswers400WithEveryErrorAsValidJson() throws Exception {
        List<String> errors = List.of(
                "aegis.yaml:12:5: routes[1].upstream: unknown upstream \"nowhere\" (did you mean \"app\"?)",
                "C:\\conf\\aegis.yaml:3:1: node: tab\there, newline\nthere, bell\u0007, line sep\u2028",
                "caf\u00e9.yaml:1:1: emoji \uD83D\uDE00 and a lone surrogate \uD800");
        node.reload = () -> CompletableFuture.completedFuture(new ReloadResult(false, errors));
        AdminServer server = start("");

        HttpResponse<String> r = post(server, "/admin/reload");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.body()).doesNotContain("\n").doesNotContain("\u0007").doesNotContain("\u2028");
        JsonNode body = json.readTree(r.body());
        assertThat(body.get("status").asText()).isEqualTo("rejected");
        assertThat(body.get("errors")).hasSize(3);
        assertThat(body.get("errors").get(0).asText()).isEqualTo(errors.get(0));
        assertThat(body.get("errors").get(1).asText()).isEqualTo(errors.get(1));
        assertThat(body.get("errors").get(2).asText()).startsWith("caf\u00e9.yaml:1:1: emoji \uD83D\uDE00");
    }

    @Test
    void aReloadCompletedLaterOnAnotherThreadIsAnsweredAndPipelinedAnswersStayInOrder() throws Exception {
        CompletableFuture<ReloadResult> pending = new CompletableFuture<>();
        node.reload = () -> pending;
        AdminServer server = start("");
        RawConnection c = raw(server);
        // Two requests in one write: the probe must not overtake the reload that is still compiling.
        c.send("POST /admin/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
                + "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(c.closedWithin(200)).as("nothing answered, nothing closed, while the reload runs").isFalse();
        c.timeout(10_000);
        Thread completer = Thread.ofPlatform().start(() -> pending.complete(new ReloadResult(true, List.of())));
        completer.join();

        RawConnection.HttpResponse first = c.read();
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.text()).isEqualTo("{\"status\":\"reloaded\"}");
        RawConnection.HttpResponse second = c.read();
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.text()).isEqualTo("ok");
    }

    @Test
    void aReloadThatFailsIs500WithoutAStackTrace() throws Exception {
        node.reload = () -> CompletableFuture.failedFuture(new IllegalStateException("disk on fire at line 42"));
        AdminServer server = start("");
        HttpResponse<String> r = post(server, "/admin/reload");
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).isEqualTo("{\"error\":\"internal error\"}");

        node.reload = () -> {
            throw new IllegalStateException("thrown, not returned");
        };
        r = post(server, "/admin/reload");
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("thrown");
        assertThat(get(server, "/healthz").statusCode()).as("the server carries on").isEqualTo(200);
    }

    // ---- token

    @Test
    void withATokenEverythingButTheProbesNeedsIt() throws Exception {
        AdminServer server = start(TOKEN);

        HttpResponse<String> missing = post(server, "/admin/reload");
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("www-authenticate")).hasValueSatisfying(
                v -> assertThat(v).startsWith("Bearer"));
        assertThat(json.readTree(missing.body()).get("error").asText()).isNotEmpty();

        assertThat(post(server, "/admin/reload", "Authorization", bearer("s3cret-tokeN")).statusCode())
                .as("wrong token, same length").isEqualTo(401);
        assertThat(post(server, "/admin/reload", "Authorization", bearer("s3cret")).statusCode())
                .as("a prefix of the token").isEqualTo(401);
        assertThat(post(server, "/admin/reload", "Authorization", bearer(TOKEN + "x")).statusCode())
                .as("the token and more").isEqualTo(401);
        assertThat(post(server, "/admin/reload", "Authorization", "Basic " + TOKEN).statusCode())
                .as("another scheme").isEqualTo(401);
        assertThat(post(server, "/admin/reload", "Authorization", "Bearer").statusCode())
                .as("no token after the scheme").isEqualTo(401);
        assertThat(get(server, "/no/such/thing").statusCode())
                .as("without the token, not even a 404 tells what exists").isEqualTo(401);
        assertThat(node.reloads).as("no refused request reached the node").hasValue(0);
        assertThat(server.unauthorizedTotal()).isEqualTo(7);

        HttpResponse<String> ok = post(server, "/admin/reload", "Authorization", bearer(TOKEN));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(post(server, "/admin/reload", "Authorization", "bearer " + TOKEN).statusCode())
                .as("the scheme is case-insensitive (RFC 9110 §11.1)").isEqualTo(200);
        assertThat(get(server, "/no/such/thing", "Authorization", bearer(TOKEN)).statusCode()).isEqualTo(404);
        assertThat(node.reloads).hasValue(2);
        assertThat(server.unauthorizedTotal()).isEqualTo(7);
    }

    @Test
    void withoutATokenOnlyAddressesAndLocalhostMayBeTheHostExceptForProbes() throws Exception {
        AdminServer server = start("");
        RawConnection c = raw(server);
        RawConnection.HttpResponse r = c.send("POST /admin/reload HTTP/1.1\r\nHost: rebound.example\r\n"
                + "Content-Length: 0\r\n\r\n").read();
        assertThat(r.status()).as("a name a web page could have rebound to this address").isEqualTo(403);
        assertThat(r.text()).contains("admin.token");
        assertThat(node.reloads).hasValue(0);
        assertThat(c.send("GET /healthz HTTP/1.1\r\nHost: lb.internal\r\n\r\n").read().status()).isEqualTo(200);
        for (String host : List.of("127.0.0.1:9901", "localhost", "localhost:9901", "[::1]:9901", "10.1.2.3")) {
            assertThat(c.send("POST /admin/reload HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 0\r\n\r\n")
                    .read().status()).as(host).isEqualTo(200);
        }
        AdminServer withToken = start(TOKEN);
        RawConnection d = raw(withToken);
        assertThat(d.send("POST /admin/reload HTTP/1.1\r\nHost: admin.example\r\nContent-Length: 0\r\n"
                + "Authorization: Bearer " + TOKEN + "\r\n\r\n").read().status())
                .as("with a token any Host is fine").isEqualTo(200);
    }

    @Test
    void twoAuthorizationFieldsAreRefused() throws Exception {
        AdminServer server = start(TOKEN);
        RawConnection c = raw(server);
        RawConnection.HttpResponse r = c.send("POST /admin/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
                + "Authorization: Bearer " + TOKEN + "\r\nAuthorization: Bearer " + TOKEN + "\r\n\r\n").read();
        assertThat(r.status()).isEqualTo(401);
        assertThat(server.unauthorizedTotal()).isEqualTo(1);
        // A 401 keeps the connection: the right token on the same connection goes through.
        r = c.send("POST /admin/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nAuthorization: Bearer "
                + TOKEN + "\r\n\r\n").read();
        assertThat(r.status()).isEqualTo(200);
    }

    @Test
    void aTokenThatCannotTravelInAHeaderIsRefusedAtStart() {
        assertThatThrownBy(() -> AdminServer.start(ANY_PORT, "tok en", node))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("admin.token");
        assertThatThrownBy(() -> AdminServer.start(ANY_PORT, TOKEN + "\n", node))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- 404, 405, never a proxy

    @Test
    void unknownPathsAre404AndKnownPathsWithTheWrongMethod405WithAllow() throws Exception {
        AdminServer server = start("");

        HttpResponse<String> notFound = get(server, "/admin/nothing");
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(notFound.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(json.readTree(notFound.body()).get("error").asText()).isEqualTo("not found");
        assertThat(get(server, "/healthz/").statusCode()).as("paths match exactly").isEqualTo(404);
        assertThat(get(server, "/heal%74hz").statusCode()).as("paths are not percent-decoded").isEqualTo(404);

        HttpResponse<String> getReload = get(server, "/admin/reload");
        assertThat(getReload.statusCode()).isEqualTo(405);
        assertThat(getReload.headers().firstValue("allow")).hasValue("POST");
        assertThat(node.reloads).hasValue(0);

        HttpResponse<String> postHealth = post(server, "/healthz");
        assertThat(postHealth.statusCode()).isEqualTo(405);
        assertThat(postHealth.headers().firstValue("allow")).hasValue("GET, HEAD");
        assertThat(json.readTree(postHealth.body()).get("error").asText()).isEqualTo("method not allowed");
    }

    @Test
    void aProxyLookingRequestIs404AndReachesNoOrigin() throws Exception {
        MockOrigin origin = MockOrigin.start("127.0.0.1", 0);
        toClose.add(origin);
        AdminServer server = start("");
        RawConnection c = raw(server);

        RawConnection.HttpResponse r = c.send("GET http://example.com/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").read();
        assertThat(r.status()).isEqualTo(404);
        r = c.send("GET http://127.0.0.1:" + origin.port() + "/ HTTP/1.1\r\nHost: 127.0.0.1:" + origin.port()
                + "\r\n\r\n").read();
        assertThat(r.status()).isEqualTo(404);
        r = c.send("GET http://admin/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").read();
        assertThat(r.status()).as("absolute-form names another origin, even with a known path").isEqualTo(404);
        r = c.send("CONNECT 127.0.0.1:" + origin.port() + " HTTP/1.1\r\nHost: 127.0.0.1:" + origin.port()
                + "\r\n\r\n").read();
        assertThat(r.status()).isEqualTo(404);

        assertThat(origin.connectionsAccepted()).isZero();
        assertThat(origin.requestsServed()).isZero();
    }

    // ---- malformed requests

    @Test
    void malformedRequestsAre400WithoutAStackTraceAndCloseTheConnection() throws Exception {
        AdminServer server = start("");
        for (String request : List.of(
                "this is not http\r\n\r\n",
                "GET /healthz HTTP/1.1\r\n\r\n",                                    // no Host (RFC 9112 §3.2)
                "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",              // two Hosts
                "GET /healthz?x=%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",               // broken percent-encoding
                "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Name: x\r\n\r\n")) {   // space in a field name
            try (RawConnection c = RawConnection.open(server.port())) {
                RawConnection.HttpResponse r = c.send(request).read();
                assertThat(r.status()).as(request).isEqualTo(400);
                assertThat(r.text()).as(request).startsWith("{\"error\":").doesNotContain("Exception")
                        .doesNotContain("\tat ");
                assertThat(c.closedWithin(5_000)).as(request).isTrue();
            }
        }
        try (RawConnection c = RawConnection.open(server.port())) {
            RawConnection.HttpResponse r = c.send("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .read();
            assertThat(r.status()).isEqualTo(414);
        }
        assertThat(get(server, "/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void aBodyOverOneMebibyteIs413AndClosesTheConnection() throws Exception {
        AdminServer server = start("");
        RawConnection c = raw(server);
        RawConnection.HttpResponse r = c.send("POST /admin/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
                + (2 * 1024 * 1024) + "\r\n\r\n").read();
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.text()).startsWith("{\"error\":");
        assertThat(c.closedWithin(5_000)).isTrue();
        assertThat(node.reloads).hasValue(0);

        // A body within the limit is fine (and read whole before the endpoint runs).
        RawConnection d = raw(server);
        r = d.send("POST /admin/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n")
                .send(new byte[100_000]).read();
        assertThat(r.status()).isEqualTo(200);
    }

    // ---- connections

    @Test
    void keepAliveServesManyRequestsOnOneConnectionAndHttp10ClosesUnlessAsked() throws Exception {
        AdminServer server = start("");
        RawConnection c = raw(server);
        for (int i = 0; i < 20; i++) {
            RawConnection.HttpResponse r = c.send(i % 2 == 0
                    ? "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    : "POST /admin/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("connection")).isNull();
        }
        assertThat(node.reloads).hasValue(10);

        RawConnection old = raw(server);
        RawConnection.HttpResponse r = old.send("GET /healthz HTTP/1.0\r\n\r\n").read();
        assertThat(r.status()).isEqualTo(200);
        assertThat(old.closedWithin(5_000)).isTrue();

        RawConnection kept = raw(server);
        r = kept.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
        assertThat(r.header("connection")).isEqualToIgnoringCase("keep-alive");
        r = kept.send("GET /readyz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
        assertThat(r.text()).isEqualTo("ready");

        RawConnection closing = raw(server);
        r = closing.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").read();
        assertThat(r.header("connection")).isEqualToIgnoringCase("close");
        assertThat(closing.closedWithin(5_000)).isTrue();
    }

    @Test
    void closingWhileAReloadIsPendingEndsCleanly() throws Exception {
        CompletableFuture<ReloadResult> pending = new CompletableFuture<>();
        CountDownLatch asked = new CountDownLatch(1);
        node.reload = () -> {
            asked.countDown();
            return pending;
        };
        AdminServer server = start("");
        try (RawConnection c = RawConnection.open(server.port())) {
            c.send("POST /admin/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
            assertThat(asked.await(5, TimeUnit.SECONDS)).isTrue();
            // The connection is busy (its reload pending): closing must still close it, and at once.
            server.close();
            assertThat(c.closedWithin(5_000)).isTrue();
            // Completing after the server is gone has no one to answer and must not throw anywhere.
            pending.complete(new ReloadResult(true, List.of()));
        }
        server.close(); // idempotent
    }

    // ---- listening

    @Test
    void portZeroPicksAFreePortAndABusyPortIsAClearError() {
        AdminServer a = start("");
        AdminServer b = start("");
        assertThat(a.port()).isPositive();
        assertThat(b.port()).isPositive().isNotEqualTo(a.port());

        assertThatThrownBy(() -> AdminServer.start(new HostPort("127.0.0.1", a.port()), "", node))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("cannot listen on 127.0.0.1:" + a.port());
    }
}
