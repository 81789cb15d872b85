package dev.aegis.cachetier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.admin.AdminServer;
import dev.aegis.admin.NodeAdminEndpoints;
import dev.aegis.config.HostPort;
import dev.aegis.origin.MockOrigin;
import dev.aegis.server.AccessLog;
import dev.aegis.server.AegisServer;
import dev.aegis.testing.Await;
import dev.aegis.testing.NodeFixture;
import dev.aegis.testing.RawConnection;
import dev.aegis.testing.RawConnection.HttpResponse;
import dev.aegis.testing.ShopRequests;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The cache through a real node and the mock origin: each RFC 9111 directive, Vary, conditional requests, the
 * Age and X-Cache headers, request collapsing, stale objects, purges. The origin's {@code /response-headers}
 * answers with whatever headers the query names and counts its fetches, so each test states its own response.
 * An {@code Age} from the origin makes an object stale on arrival, so no test waits for time to pass but one.
 */
class CacheThroughNodeTest {
    static MockOrigin origin;
    static AegisServer node;
    static AdminServer admin;

    @BeforeAll
    static void start() {
        origin = MockOrigin.start("127.0.0.1", 0);
        node = AegisServer.start(NodeFixture.parse("""
                node: { id: cache-test, listen: "127.0.0.1:0", workers: 2 }
                upstreams:
                  app:
                    servers: [ { address: "127.0.0.1:${ORIGIN}" } ]
                    timeouts: { connect: 1s, response_header: 5s, idle: 5s }
                routes:
                  - name: cookies
                    priority: 10
                    match: { path: { prefix: / }, headers: { X-Cookie-Ok: "1" } }
                    upstream: app
                    cache: { store_set_cookie: true }
                  - name: heuristic
                    priority: 10
                    match: { path: { prefix: / }, headers: { X-Heuristic: "1" } }
                    upstream: app
                    cache: { heuristic: true }
                  - name: ttl
                    match: { path: { exact: /1k } }
                    upstream: app
                    cache: { default_ttl: 30s }
                  - name: bytes
                    match: { path: { prefix: /bytes/ } }
                    upstream: app
                    cache: { default_ttl: 30s }
                  - name: nocache
                    match: { path: { prefix: /16k } }
                    upstream: app
                    cache: { enabled: false }
                  - name: all
                    match: { path: { prefix: / } }
                    upstream: app
                    cache: { ignore_params: [ "utm_*" ] }
                waf: { mode: "off" }
                cache: { max_object: 512KiB }
                """, Map.of("ORIGIN", "" + origin.port())), AccessLog.OFF, AccessLog.OFF);
        admin = AdminServer.start(new HostPort("127.0.0.1", 0), null, new NodeAdminEndpoints(node, null));
    }

    @AfterAll
    static void stop() {
        admin.close();
        node.close();
        origin.close();
    }

    /** {@code /response-headers} answering with these header name, value pairs, made unique by the test's name. */
    static String rh(TestInfo t, String... kv) {
        StringBuilder b = new StringBuilder("/response-headers?t=" + t.getTestMethod().orElseThrow().getName());
        for (int i = 0; i < kv.length; i += 2) {
            b.append('&').append(kv[i]).append('=').append(URLEncoder.encode(kv[i + 1], StandardCharsets.UTF_8));
        }
        return b.toString();
    }

    static HttpResponse get(String target, String... headers) throws Exception {
        return ShopRequests.get(node.port(), target, headers);
    }

    static long fetches(String target) {
        return origin.requestTargets().stream().filter(t -> t.equals(target)).count();
    }

    @Test
    void maxAgeIsAHitWithAge(TestInfo t) throws Exception {
        String u = rh(t, "Cache-Control", "max-age=60");
        HttpResponse first = get(u);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("x-cache")).isEqualTo("MISS");
        HttpResponse second = get(u);
        assertThat(second.header("x-cache")).isEqualTo("HIT");
        assertThat(second.text()).isEqualTo(first.text());
        assertThat(second.header("age")).isNotNull();
        assertThat(Long.parseLong(second.header("age"))).isBetween(0L, 2L);
        assertThat(second.header("cache-control")).isEqualTo("max-age=60");
        assertThat(fetches(u)).isEqualTo(1);
    }

    @Test
    void sMaxAgeWinsOverMaxAgeAndExpiresCounts(TestInfo t) throws Exception {
        String shared = rh(t, "Cache-Control", "max-age=0, s-maxage=60");
        get(shared);
        assertThat(get(shared).header("x-cache")).isEqualTo("HIT");
        String expires = rh(t, "Expires", dev.aegis.cache.Rfc9111.formatDate(System.currentTimeMillis() + 60_000));
        get(expires);
        assertThat(get(expires).header("x-cache")).isEqualTo("HIT");
        String expired = rh(t, "Expires", "Thu, 01 Jan 1970 00:00:00 GMT", "x", "1");
        get(expired);
        assertThat(get(expired).header("x-cache")).isEqualTo("MISS");
    }

    @Test
    void noStorePrivateSetCookieAndVaryStarAreNotStored(TestInfo t) throws Exception {
        for (String[] h : new String[][] {{"Cache-Control", "no-store, max-age=60"},
                {"Cache-Control", "private, max-age=60"}, {"Cache-Control", "max-age=60", "Set-Cookie", "a=b"},
                {"Cache-Control", "max-age=60", "Vary", "*"}}) {
            String u = rh(t, h);
            get(u);
            assertThat(get(u).header("x-cache")).as(String.join(" ", h)).isEqualTo("MISS");
            assertThat(fetches(u)).isEqualTo(2);
        }
        // a route may allow Set-Cookie responses to be stored
        String u = rh(t, "Cache-Control", "max-age=60", "Set-Cookie", "a=b", "route", "cookies");
        get(u, "X-Cookie-Ok", "1");
        assertThat(get(u, "X-Cookie-Ok", "1").header("x-cache")).isEqualTo("HIT");
    }

    @Test
    void aResponseThatSaysNothingIsStoredOnlyWithTheRoutesDefaultTtl(TestInfo t) throws Exception {
        String u = rh(t, "X-Nothing", "said");
        get(u);
        assertThat(get(u).header("x-cache")).isEqualTo("MISS"); // default_ttl 0s: not stored
        get("/1k");
        HttpResponse hit = get("/1k");
        assertThat(hit.header("x-cache")).isEqualTo("HIT"); // route ttl: default_ttl 30s
        assertThat(hit.body()).hasSize(1024);
    }

    @Test
    void requestDirectives(TestInfo t) throws Exception {
        String u = rh(t, "Cache-Control", "max-age=60", "ETag", "\"v1\"");
        get(u);
        // no-cache: revalidated with the stored validator; the origin's 304 refreshes it
        HttpResponse revalidated = get(u, "Cache-Control", "no-cache");
        assertThat(revalidated.header("x-cache")).isEqualTo("REVALIDATED");
        assertThat(revalidated.status()).isEqualTo(200);
        assertThat(origin.lastRequest().headers().get("if-none-match")).containsExactly("\"v1\"");
        // no-store: straight through, nothing stored or used
        assertThat(get(u, "Cache-Control", "no-store").header("x-cache")).isEqualTo("BYPASS");
        // max-age=0: too old for this client
        assertThat(get(u, "Cache-Control", "max-age=0").header("x-cache")).isEqualTo("REVALIDATED");
        // only-if-cached on something never stored: 504
        HttpResponse notCached = get(rh(t, "x", "never"), "Cache-Control", "only-if-cached");
        assertThat(notCached.status()).isEqualTo(504);
        assertThat(get(u, "Cache-Control", "only-if-cached").header("x-cache")).isEqualTo("HIT");
    }

    @Test
    void authorizationIsNotSharedUnlessTheResponseSaysPublic(TestInfo t) throws Exception {
        String u = rh(t, "Cache-Control", "max-age=60");
        get(u, "Authorization", "Bearer x");
        assertThat(get(u, "Authorization", "Bearer x").header("x-cache")).isEqualTo("MISS");
        String pub = rh(t, "Cache-Control", "public, max-age=60");
        get(pub, "Authorization", "Bearer x");
        assertThat(get(pub, "Authorization", "Bearer x").header("x-cache")).isEqualTo("HIT");
    }

    @Test
    void varyKeepsOneObjectPerVariant(TestInfo t) throws Exception {
        String u = rh(t, "Cache-Control", "max-age=60", "Vary", "Accept-Language");
        HttpResponse en = get(u, "Accept-Language", "en");
        HttpResponse de = get(u, "Accept-Language", "de");
        assertThat(de.header("x-cache")).isEqualTo("MISS");
        assertThat(get(u, "Accept-Language", "en").text()).isEqualTo(en.text());
        assertThat(get(u, "Accept-Language", "de").text()).isEqualTo(de.text());
        assertThat(get(u, "Accept-Language", "de").header("x-cache")).isEqualTo("HIT");
        assertThat(fetches(u)).isEqualTo(2);
    }

    @Test
    void conditionalRequestsGet304FromTheCache(TestInfo t) throws Exception {
        String u = rh(t, "Cache-Control", "max-age=60", "ETag", "W/\"abc\"", "Last-Modified",
                "Tue, 01 Jan 2030 00:00:00 GMT");
        get(u);
        HttpResponse etag = get(u, "If-None-Match", "\"abc\"");
        assertThat(etag.status()).isEqualTo(304);
        assertThat(etag.header("x-cache")).isEqualTo("HIT");
        assertThat(etag.header("etag")).isEqualTo("W/\"abc\"");
        assertThat(etag.body()).isEmpty();
        assertThat(get(u, "If-None-Match", "\"other\"").status()).isEqualTo(200);
        assertThat(get(u, "If-Modified-Since", "Wed, 02 Jan 2030 00:00:00 GMT").status()).isEqualTo(304);
        assertThat(get(u, "If-Modified-Since", "Mon, 31 Dec 2029 00:00:00 GMT").status()).isEqualTo(200);
        assertThat(fetches(u)).isEqualTo(1);
    }

    @Test
    void headIsAnsweredFromTheGetObject(TestInfo t) throws Exception {
        String u = rh(t, "Cache-Control", "max-age=60");
        HttpResponse full = get(u);
        try (RawConnection c = RawConnection.open(node.port())) {
            HttpResponse head = c.send("HEAD " + u + " HTTP/1.1\r\nHost: shop.example\r\n\r\n").read(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("x-cache")).isEqualTo("HIT");
            assertThat(head.header("content-length")).isEqualTo("" + full.body().length);
        }
    }

    @Test
    void mustRevalidateIsNeverServedStaleButRevalidated(TestInfo t) throws Exception {
        String u = rh(t, "Cache-Control", "max-age=1, must-revalidate, stale-while-revalidate=60", "Age", "5",
                "ETag", "\"m\"");
        get(u);
        assertThat(get(u).header("x-cache")).isEqualTo("REVALIDATED");
    }

    @Test
    void staleWhileRevalidateAnswersStaleAndRefreshesInTheBackground(TestInfo t) throws Exception {
        String u = rh(t, "Cache-Control", "max-age=1, stale-while-revalidate=60", "Age", "5");
        get(u);
        HttpResponse stale = get(u);
        assertThat(stale.header("x-cache")).isEqualTo("STALE");
        assertThat(Await.until(Duration.ofSeconds(5), () -> fetches(u) == 2)).as("one background refresh").isTrue();
    }

    @Test
    void staleIfErrorAnswersWhenTheOriginFails(TestInfo t) throws Exception {
        String ok = rh(t, "Cache-Control", "max-age=1, stale-if-error=60", "Age", "5", "status", "200");
        get(ok);
        // the same URL now fails: the origin's mock takes the status from the query, so fail another object
        String u = rh(t, "Cache-Control", "max-age=1, stale-if-error=60", "Age", "5");
        assertThat(get(u).status()).isEqualTo(200);
        origin.close(); // the origin is gone
        try {
            HttpResponse stale = get(u);
            assertThat(stale.status()).isEqualTo(200);
            assertThat(stale.header("x-cache")).isEqualTo("STALE");
            String outside = rh(t, "Cache-Control", "max-age=1, stale-if-error=1", "Age", "100");
            assertThat(get(outside).status()).isIn(502, 503, 504);
        } finally {
            origin = MockOrigin.start("127.0.0.1", origin.port());
        }
    }

    @Test
    void ignoredAndReorderedParametersShareOneObject(TestInfo t) throws Exception {
        String u = rh(t, "Cache-Control", "max-age=60");
        get(u + "&a=1&b=2");
        assertThat(get(u + "&b=2&a=1&utm_source=mail").header("x-cache")).isEqualTo("HIT");
    }

    @Test
    void postsAndUncachedRoutesBypass(TestInfo t) throws Exception {
        HttpResponse post = ShopRequests.post(node.port(), rh(t, "Cache-Control", "max-age=60"), "text/plain", "x");
        assertThat(post.header("x-cache")).isEqualTo("BYPASS");
        assertThat(get("/16k").header("x-cache")).isNull();
    }

    @Test
    void fiveHundredConcurrentRequestsForAnExpiredObjectCauseOneOriginRequest(TestInfo t) throws Exception {
        // the origin answers in 300 ms, so every request arrives while the one revalidation is under way; the
        // refreshed object stays fresh for well over the time 500 requests take here
        String u = rh(t, "Cache-Control", "max-age=3", "ETag", "\"s\"", "delay", "300");
        get(u); // stored, then expired
        long stored = System.currentTimeMillis();
        assertThat(Await.until(Duration.ofSeconds(5), () -> System.currentTimeMillis() - stored > 3100)).isTrue();
        java.util.List<java.util.concurrent.CompletableFuture<HttpResponse>> all = new java.util.ArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(500);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            for (int i = 0; i < 500; i++) {
                all.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                        return get(u);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            go.countDown();
            for (var f : all) {
                f.get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        java.util.Map<String, Integer> statuses = new java.util.TreeMap<>();
        for (var f : all) {
            HttpResponse r = f.get();
            statuses.merge(r.status() + " " + r.header("x-cache"), 1, Integer::sum);
        }
        System.out.println("stampede: " + statuses + ", origin requests for the expired object " + (fetches(u) - 1)
                + ", the last with If-None-Match " + origin.lastRequest().headers().get("if-none-match"));
        assertThat(fetches(u)).as("the first fetch and exactly one revalidation").isEqualTo(2);
        assertThat(statuses.keySet()).allMatch(s -> s.startsWith("200"));
    }

    @Test
    void purgeByUrlAndByPrefix(TestInfo t) throws Exception {
        String a = rh(t, "Cache-Control", "max-age=60", "n", "a");
        String b = rh(t, "Cache-Control", "max-age=60", "n", "b");
        get(a);
        get(b);
        assertThat(get(a).header("x-cache")).isEqualTo("HIT");
        HttpResponse purge = ShopRequests.post(admin.port(), "/admin/cache/purge", "application/json",
                "{\"url\":\"http://shop.example" + a + "\"}", ShopRequests.ADMIN_HOST);
        assertThat(purge.status()).as(purge.text()).isEqualTo(200);
        assertThat(purge.text()).contains("\"memory\":1");
        assertThat(get(a).header("x-cache")).isEqualTo("MISS");
        assertThat(get(b).header("x-cache")).isEqualTo("HIT");
        // a prefix is of the normalised URL, whose parameters are sorted: prefixes are for paths
        purge = ShopRequests.post(admin.port(), "/admin/cache/purge", "application/json",
                "{\"prefix\":\"http://SHOP.example:80/response-headers\"}", ShopRequests.ADMIN_HOST);
        assertThat(purge.status()).isEqualTo(200);
        assertThat(purge.text()).containsPattern("\"memory\":[1-9]");
        assertThat(get(b).header("x-cache")).isEqualTo("MISS");
        HttpResponse bad = ShopRequests.post(admin.port(), "/admin/cache/purge", "application/json",
                "{\"url\":\"/relative\"}", ShopRequests.ADMIN_HOST);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.text()).contains("absolute URL");
    }

    @Test
    void aResponsesNoCacheAndProxyRevalidateMeanAskingTheOriginFirst(TestInfo t) throws Exception {
        String u = rh(t, "Cache-Control", "no-cache, max-age=60", "ETag", "\"n\"");
        get(u);
        assertThat(get(u).header("x-cache")).isEqualTo("REVALIDATED");
        String p = rh(t, "Cache-Control", "max-age=1, proxy-revalidate, stale-while-revalidate=60", "Age", "5",
                "ETag", "\"p\"");
        get(p);
        assertThat(get(p).header("x-cache")).isEqualTo("REVALIDATED");
    }

    @Test
    void lastModifiedAloneRevalidatesWithIfModifiedSince(TestInfo t) throws Exception {
        String u = rh(t, "Cache-Control", "max-age=60", "Last-Modified", "Tue, 01 Jan 2030 00:00:00 GMT");
        get(u);
        get(u, "Cache-Control", "no-cache");
        assertThat(origin.lastRequest().headers().get("if-modified-since"))
                .containsExactly("Tue, 01 Jan 2030 00:00:00 GMT");
    }

    @Test
    void heuristicFreshnessOnlyWhereTheRouteEnablesIt(TestInfo t) throws Exception {
        String u = rh(t, "Last-Modified", "Mon, 01 Jan 2001 00:00:00 GMT");
        get(u);
        assertThat(get(u).header("x-cache")).isEqualTo("MISS");
        get(u, "X-Heuristic", "1");
        assertThat(get(u, "X-Heuristic", "1").header("x-cache")).isEqualTo("HIT");
    }

    @Test
    void objectsOverMaxObjectStreamThroughWhole() throws Exception {
        HttpResponse first = get("/bytes/600000");
        assertThat(first.body()).hasSize(600_000);
        HttpResponse second = get("/bytes/600000");
        assertThat(second.header("x-cache")).isEqualTo("MISS");
        assertThat(second.body()).hasSize(600_000);
    }

    @Test
    void aClientThatGoesAwayMidBodyStoresNothing() throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            c.send("GET /bytes/400000 HTTP/1.1\r\nHost: shop.example\r\n\r\n");
            c.input().readNBytes(1000); // part of the head and body, then gone
        }
        assertThat(Await.until(Duration.ofSeconds(5), () -> origin.openConnections() == 0
                || origin.requestTargets().contains("/bytes/400000"))).isTrue();
        HttpResponse next = get("/bytes/400000");
        assertThat(next.body()).hasSize(400_000);
        HttpResponse hit = get("/bytes/400000");
        assertThat(hit.body()).as("whole, never truncated").hasSize(400_000);
        assertThat(hit.header("x-cache")).isEqualTo("HIT");
    }

    @Test
    void whatReachesTheOriginIsWhatTheKeyStandsFor(TestInfo t) throws Exception {
        String u = rh(t, "Cache-Control", "max-age=60");
        get(u + "&utm_source=mail", "Range", "bytes=0-3", "If-Match", "\"nope\"");
        var seen = origin.lastRequest();
        assertThat(seen.uri()).doesNotContain("utm_source");
        assertThat(seen.headers()).doesNotContainKeys("range", "if-match");
        HttpResponse hit = get(u);
        assertThat(hit.header("x-cache")).isEqualTo("HIT");
        assertThat(hit.status()).isEqualTo(200);
        // a path the origin would see differently from the key is not cached at all
        assertThat(get("/response-headers/../response-headers?x=1").header("x-cache")).isEqualTo("BYPASS");
    }

    @Test
    void aSuccessfulUnsafeRequestInvalidatesTheUrl(TestInfo t) throws Exception {
        String u = rh(t, "Cache-Control", "max-age=60");
        get(u);
        assertThat(get(u).header("x-cache")).isEqualTo("HIT");
        assertThat(ShopRequests.post(node.port(), u, "text/plain", "changed").status()).isEqualTo(200);
        assertThat(get(u).header("x-cache")).isEqualTo("MISS");
    }

    @Test
    void a304FromTheCacheHasNoLengthAndOnlyFor2xx(TestInfo t) throws Exception {
        String u = rh(t, "Cache-Control", "max-age=60", "ETag", "\"z\"");
        get(u);
        HttpResponse notModified = get(u, "If-None-Match", "\"z\"");
        assertThat(notModified.status()).isEqualTo(304);
        assertThat(notModified.header("content-length")).isNull();
        String missing = rh(t, "Cache-Control", "max-age=60", "ETag", "\"z\"", "status", "404");
        get(missing);
        HttpResponse stored404 = get(missing, "If-None-Match", "\"z\"");
        assertThat(stored404.status()).isEqualTo(404);
        assertThat(stored404.header("x-cache")).isEqualTo("HIT");
    }
}
