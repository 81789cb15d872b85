package dev.aegis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.admin.AdminServer;
import dev.aegis.admin.NodeAdminEndpoints;
import dev.aegis.config.HostPort;
import dev.aegis.origin.MockOrigin;
import dev.aegis.server.AccessLog;
import dev.aegis.server.AegisServer;
import dev.aegis.testing.Await;
import dev.aegis.testing.NodeFixture;
import dev.aegis.testing.RawConnection.HttpResponse;
import dev.aegis.testing.ShopRequests;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rate limits through a real node whose NATS server does not exist: it starts, serves, and enforces its routes'
 * limits (the sync-loss policy on its own counts) with the 429 answer's headers, per key.
 */
class RateLimitThroughNodeTest {
    static final AtomicLong WALL = new AtomicLong(1_800_000_000_000L);
    static MockOrigin origin;
    static AegisServer node;
    static AdminServer admin;

    @BeforeAll
    static void start() throws Exception {
        origin = MockOrigin.start("127.0.0.1", 0);
        int deadPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            deadPort = s.getLocalPort(); // closed again: nothing listens there
        }
        node = AegisServer.start(NodeFixture.parse("""
                node: { id: lonely, listen: "127.0.0.1:0", workers: 2 }
                upstreams:
                  app: { servers: [ { address: "127.0.0.1:${ORIGIN}" } ] }
                routes:
                  - name: keyed
                    match: { path: { prefix: /keyed } }
                    upstream: app
                    rate_limit: { key: "header:X-Api-Key", limit: 3, window: 1m, on_sync_loss: local_full }
                  - name: denied
                    match: { path: { prefix: /denied } }
                    upstream: app
                    rate_limit: { key: client_ip, limit: 100, window: 1m, on_sync_loss: deny }
                  - name: all
                    match: { path: { prefix: / } }
                    upstream: app
                cluster: { name: lonely, nats: { url: "nats://127.0.0.1:${DEAD}" } }
                """, Map.of("ORIGIN", "" + origin.port(), "DEAD", "" + deadPort)), AccessLog.OFF, AccessLog.OFF,
                WALL::get);
        admin = AdminServer.start(new HostPort("127.0.0.1", 0), null, new NodeAdminEndpoints(node, null));
    }

    @AfterAll
    static void stop() {
        admin.close();
        node.close();
        origin.close();
    }

    @Test
    void aDeadNatsServerLeavesTheNodeServingAndReadySoon() throws Exception {
        assertThat(ShopRequests.get(node.port(), "/").status()).isEqualTo(200);
        assertThat(Await.until(Duration.ofSeconds(6), node::ready)).as("ready without NATS after a few seconds")
                .isTrue();
        HttpResponse cluster = ShopRequests.get(admin.port(), "/admin/cluster", ShopRequests.ADMIN_HOST);
        assertThat(cluster.text()).contains("\"clustered\":true").contains("\"connected\":false")
                .contains("\"in_sync\":false").contains("\"live_nodes\":1");
    }

    @Test
    void overTheLimitTheAnswerIs429WithRetryAfterAndRateLimitHeaders() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(ShopRequests.get(node.port(), "/keyed", "X-Api-Key", "alpha").status()).isEqualTo(200);
        }
        HttpResponse r = ShopRequests.get(node.port(), "/keyed", "X-Api-Key", "alpha");
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.header("retry-after")).isEqualTo("60");
        assertThat(r.header("ratelimit-limit")).isEqualTo("3");
        assertThat(r.header("ratelimit-remaining")).isEqualTo("0");
        assertThat(r.header("ratelimit-reset")).isEqualTo("60");
        assertThat(r.text()).contains("429 Too Many Requests").contains("request id: " + r.header("x-request-id"));
        // another key has its own count; a request without the keyed header is not limited
        assertThat(ShopRequests.get(node.port(), "/keyed", "X-Api-Key", "beta").status()).isEqualTo(200);
        for (int i = 0; i < 5; i++) {
            assertThat(ShopRequests.get(node.port(), "/keyed").status()).isEqualTo(200);
        }
        // the sliding window: 30 s into the next window half of the previous one still counts (3 × 0.5 = 1.5)
        WALL.addAndGet(60_000 + 30_000);
        assertThat(ShopRequests.get(node.port(), "/keyed", "X-Api-Key", "alpha").status()).isEqualTo(200);
        assertThat(ShopRequests.get(node.port(), "/keyed", "X-Api-Key", "alpha").status()).isEqualTo(429);
        HttpResponse counter = ShopRequests.get(admin.port(), "/admin/ratelimit?route=keyed&key=alpha",
                ShopRequests.ADMIN_HOST);
        assertThat(counter.text()).contains("\"total\":1").contains("\"local\":1").contains("\"limit\":3");
    }

    @Test
    void onSyncLossDenyRefusesWhileTheNodeCannotSync() throws Exception {
        HttpResponse r = ShopRequests.get(node.port(), "/denied");
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.header("retry-after")).isNotNull();
    }

    @Test
    void anUnknownRouteInTheCounterQueryIsA404ThatNamesTheRoutes() throws Exception {
        HttpResponse r = ShopRequests.get(admin.port(), "/admin/ratelimit?route=nope", ShopRequests.ADMIN_HOST);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.text()).contains("keyed").contains("denied");
    }
}
