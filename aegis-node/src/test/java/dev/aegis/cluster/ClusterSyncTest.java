package dev.aegis.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.admin.AdminServer;
import dev.aegis.admin.NodeAdminEndpoints;
import dev.aegis.config.AegisConfig;
import dev.aegis.config.HostPort;
import dev.aegis.origin.MockOrigin;
import dev.aegis.server.AccessLog;
import dev.aegis.server.AegisServer;
import dev.aegis.testing.Await;
import dev.aegis.testing.NatsServer;
import dev.aegis.testing.NodeFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three real nodes on their own ports, synced through a real {@code nats-server}: one global limit, bans that
 * reach every node, a partition survived, a late joiner that converges before it is ready.
 *
 * <p>The nodes' rate-limit clock is held still inside one window (time is injected), so the counts the test
 * makes are all in the same window whatever the wall clock does; sync, heartbeats and NATS run in real time.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterSyncTest {
    static final AtomicLong WALL = new AtomicLong(1_800_000_000_000L); // a multiple of every window used here
    static NatsServer nats;
    static MockOrigin origin;
    static final List<AegisServer> nodes = new ArrayList<>();
    static AdminServer adminA;
    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    static final String CLUSTER = "t" + Long.toHexString(System.nanoTime());

    static final String YAML = """
            node: { id: "${ID}", listen: "127.0.0.1:0", workers: 2 }
            upstreams:
              app:
                servers: [ { address: "127.0.0.1:${ORIGIN}" } ]
            client_ip: { trusted_proxies: [ 127.0.0.1/32 ], header: X-Forwarded-For }
            routes:
              - name: global
                match: { path: { prefix: /global } }
                upstream: app
                rate_limit: { key: route, limit: 1000, window: 10s }
              - name: partition
                match: { path: { prefix: /partition } }
                upstream: app
                rate_limit: { key: route, limit: 600, window: 10s, on_sync_loss: local_share }
              - name: guarded
                match: { path: { prefix: /guarded } }
                upstream: app
                waf: { mode: block }
              - name: all
                match: { path: { prefix: / } }
                upstream: app
            waf: { mode: off, auto_ban: { after: 3, window: 1m, ban: 10m } }
            cluster: { name: "${CLUSTER}", nats: { url: "${NATS}" }, sync_interval: 100ms }
            """;

    /** A node of the cluster; {@code natsUrl} null: a node on its own (no {@code cluster.nats}). */
    static AegisServer node(String id, String natsUrl) {
        String yaml = natsUrl == null ? YAML.replace("nats: { url: \"${NATS}\" }, ", "") : YAML;
        AegisConfig config = NodeFixture.parse(yaml, Map.of("ID", id, "ORIGIN", Integer.toString(origin.port()),
                "CLUSTER", CLUSTER, "NATS", natsUrl == null ? "" : natsUrl));
        return AegisServer.start(config, AccessLog.OFF, AccessLog.OFF, WALL::get);
    }

    @BeforeAll
    static void start() throws Exception {
        nats = NatsServer.start();
        origin = MockOrigin.start("127.0.0.1", 0);
        for (String id : List.of("edge-a", "edge-b", "edge-c")) {
            nodes.add(node(id, nats.url()));
        }
        adminA = AdminServer.start(new HostPort("127.0.0.1", 0), null, new NodeAdminEndpoints(nodes.get(0), null));
        assertThat(Await.until(Duration.ofSeconds(15), () -> nodes.stream().allMatch(
                n -> n.ready() && n.cluster().connected() && n.cluster().liveNodes() == 3)))
                .as("three nodes connected and aware of each other").isTrue();
    }

    @AfterAll
    static void stop() {
        if (adminA != null) {
            adminA.close();
        }
        nodes.forEach(AegisServer::close);
        if (origin != null) {
            origin.close();
        }
        if (nats != null) {
            nats.close();
        }
    }

    static int get(AegisServer node, String path, String clientIp) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
                .timeout(Duration.ofSeconds(5));
        if (clientIp != null) {
            b.header("X-Forwarded-For", clientIp);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /** {@code perNode} requests to each node at once, one client thread per node; the count of 200s per node. */
    static int[] spread(String path, int perNode) throws InterruptedException {
        return spread(path, perNode, 0);
    }

    /**
     * Like {@link #spread(String, int)}; with {@code untilNanos} (a {@link System#nanoTime()}) each client also goes
     * on sending until then, so the nodes are under load for the whole of that time.
     */
    static int[] spread(String path, int perNode, long untilNanos) throws InterruptedException {
        int[] ok = new int[nodes.size()];
        AtomicInteger other = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int k = 0; k < perNode || System.nanoTime() < untilNanos; k++) {
                    int status = get(nodes.get(n), path, null);
                    if (status == 200) {
                        ok[n]++;
                    } else if (status != 429) {
                        other.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(other.get()).as("answers other than 200 and 429").isZero();
        return ok;
    }

    static long total(AegisServer node, String route) {
        return node.cluster().counters().total("route:" + route, Duration.ofSeconds(10),
                WALL.get() / 10_000, "");
    }

    @Test
    @Order(1)
    void oneGlobalLimitAcrossThreeNodes() throws Exception {
        long t0 = System.nanoTime();
        int[] ok = spread("/global", 700);
        double seconds = (System.nanoTime() - t0) / 1e9;
        int admitted = ok[0] + ok[1] + ok[2];
        System.out.printf("global limit 1000 over three nodes: admitted %d (%d + %d + %d) of 2100 sent at %.0f req/s%n",
                admitted, ok[0], ok[1], ok[2], 2100 / seconds);
        assertThat(admitted).isBetween(1000, 1050);
        assertThat(Await.until(Duration.ofSeconds(2), () -> nodes.stream().allMatch(n -> total(n, "global") == admitted)))
                .as("every node's count is the number admitted").isTrue();
    }

    @Test
    @Order(2)
    void aSingleNodeAdmitsExactlyItsLimit() throws Exception {
        try (AegisServer alone = node("edge-alone", null)) {
            int ok = 0;
            for (int i = 0; i < 1100; i++) {
                int s = get(alone, "/global", null);
                assertThat(s).isIn(200, 429);
                ok += s == 200 ? 1 : 0;
            }
            assertThat(ok).isEqualTo(1000);
        }
    }

    @Test
    @Order(3)
    void aBanOnOneNodeIsEnforcedOnAllWithin300ms() throws Exception {
        List<Long> millis = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            String ip = "198.51.100." + i;
            assertThat(get(nodes.get(1), "/", ip)).isEqualTo(200);
            long t0 = System.nanoTime();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminA.port()
                    + "/admin/blocklist")).POST(HttpRequest.BodyPublishers.ofString(
                    "{\"address\":\"" + ip + "\",\"ttl\":\"10m\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            assertThat(Await.until(Duration.ofSeconds(5), () -> get(nodes.get(1), "/", ip) == 403
                    && get(nodes.get(2), "/", ip) == 403)).isTrue();
            millis.add((System.nanoTime() - t0) / 1_000_000);
        }
        Collections.sort(millis);
        long median = (millis.get(9) + millis.get(10)) / 2;
        System.out.println("ban convergence ms (sorted): " + millis + " median " + median);
        assertThat(median).isLessThan(300);
        assertThat(get(nodes.get(0), "/", "198.51.100.1")).isEqualTo(403);
        // the list shows them, and lifting a ban also travels
        HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminA.port()
                + "/admin/blocklist")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(list.body()).contains("\"network\":\"198.51.100.7/32\"").contains("\"by\":\"edge-a\"");
        HttpResponse<String> del = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminA.port()
                + "/admin/blocklist?address=198.51.100.7")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(del.statusCode()).isEqualTo(200);
        assertThat(Await.until(Duration.ofSeconds(2), () -> get(nodes.get(2), "/", "198.51.100.7") == 200)).isTrue();
    }

    @Test
    @Order(4)
    void badBlocklistRequestsGetClearAnswers() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminA.port()
                + "/admin/blocklist")).POST(HttpRequest.BodyPublishers.ofString("{\"address\":\"10.0.0.1/8\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("host bits set").contains("10.0.0.0/8");
        r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminA.port()
                + "/admin/blocklist")).POST(HttpRequest.BodyPublishers.ofString("{\"address\":\"10.0.0.1\",\"ttl\":\"soon\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("ttl");
        r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminA.port()
                + "/admin/cluster")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"node\":\"edge-a\"").contains("\"live_nodes\":3")
                .contains("\"id\":\"edge-b\"").contains("\"id\":\"edge-c\"").contains("\"lag_ms\"");
    }

    @Test
    @Order(5)
    void aPartitionKeepsNodesServingAndNoCountIsLostOrDoubled() throws Exception {
        int[] before = spread("/partition", 50);
        int admittedBefore = before[0] + before[1] + before[2];
        assertThat(admittedBefore).isEqualTo(150);
        assertThat(Await.until(Duration.ofSeconds(2), () -> nodes.stream().allMatch(n -> total(n, "partition") == 150)))
                .isTrue();

        nats.stop();
        long cut = System.nanoTime();
        assertThat(Await.until(Duration.ofSeconds(5), () -> nodes.stream().noneMatch(n -> n.cluster().inSync())))
                .as("every node notices the bus is gone").isTrue();
        // 5 s without NATS, under load all along: each node answers every request (200 or 429) on its own counts,
        // limit 600 / 3 nodes last seen = 200 each
        int[] during = spread("/partition", 300, cut + 5_000_000_000L);
        for (int i = 0; i < 3; i++) {
            assertThat(before[i] + during[i]).as("node %d under local_share", i).isEqualTo(200);
        }
        nats.resume();
        assertThat(Await.until(Duration.ofSeconds(15), () -> nodes.stream().allMatch(n -> n.cluster().inSync())))
                .as("every node reconnects").isTrue();
        long reconnected = System.nanoTime();
        int admitted = admittedBefore + during[0] + during[1] + during[2];
        assertThat(Await.until(Duration.ofSeconds(2), () -> nodes.stream().allMatch(n -> total(n, "partition") == admitted)))
                .as("counters agree with what was admitted: nothing lost, nothing doubled").isTrue();
        long agreeMs = (System.nanoTime() - reconnected) / 1_000_000;
        System.out.println("partition: admitted " + admitted + ", counters agreed " + agreeMs
                + " ms after the last node reconnected");
        assertThat(agreeMs).as("agreement within about one sync interval").isLessThan(250);
        // the cluster as a whole is at its limit now
        assertThat(spread("/partition", 5)).containsOnly(0);
    }

    @Test
    @Order(6)
    void aClientTheWafKeepsBlockingIsBannedOnEveryNode() {
        String attacker = "203.0.113.50";
        // blocks on nodes b, a, b: node a itself sees only two of them before the fourth
        for (int i = 1; i <= 3; i++) {
            assertThat(get(nodes.get(i % 2), "/guarded?id=1%27%20OR%20%271%27=%271", attacker)).isEqualTo(403);
        }
        // the blocks counted on b reach a with the next sync
        assertThat(Await.until(Duration.ofSeconds(2), () -> nodes.get(0).cluster().counters().total("waf-auto-ban",
                Duration.ofMinutes(1), WALL.get() / 60_000, attacker) == 3)).isTrue();
        assertThat(get(nodes.get(2), "/", attacker)).as("three blocks are not more than three").isEqualTo(200);
        assertThat(get(nodes.get(0), "/guarded?q=%3Cscript%3Ealert(1)%3C/script%3E", attacker)).isEqualTo(403);
        // the fourth block, on node a (its second), bans the client cluster-wide: node c refuses its clean requests
        assertThat(Await.until(Duration.ofSeconds(2), () -> get(nodes.get(2), "/", attacker) == 403)).isTrue();
        // node c having the ban says nothing of when b gets it: each node merges the sync message on its own
        assertThat(Await.until(Duration.ofSeconds(2), () -> nodes.get(1).cluster().blocklist().blocks(attacker)))
                .as("node b has the ban too").isTrue();
        assertThat(get(nodes.get(2), "/", "203.0.113.51")).isEqualTo(200);
    }

    @Test
    @Order(7)
    void aCachePurgeOnOneNodeReachesEveryNode() throws Exception {
        // node c stores the object (the key includes the Host this client sends: 127.0.0.1:port of c)
        String target = "/cache/60?purge=cluster";
        HttpResponse<String> first = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + nodes.get(2).port() + target)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(first.headers().firstValue("x-cache")).contains("MISS");
        HttpResponse<String> hit = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + nodes.get(2).port() + target)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(hit.headers().firstValue("x-cache")).contains("HIT");
        // purged through node a's admin API
        HttpResponse<String> purge = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminA.port()
                + "/admin/cache/purge")).POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"http://127.0.0.1:"
                + nodes.get(2).port() + target + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(purge.statusCode()).as(purge.body()).isEqualTo(200);
        assertThat(purge.body()).contains("\"cluster\":\"sent\"");
        assertThat(Await.until(Duration.ofSeconds(2), () -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodes.get(2).port()
                        + target)).build(), HttpResponse.BodyHandlers.ofString()).headers().firstValue("x-cache")
                        .orElse("").equals("MISS");
            } catch (Exception e) {
                return false;
            }
        })).as("node c no longer has it").isTrue();
    }

    @Test
    @Order(8)
    void aJoiningNodeConvergesBeforeItIsReady() {
        AegisServer late = node("edge-d", nats.url());
        try {
            assertThat(Await.until(Duration.ofSeconds(10), late::ready)).isTrue();
            assertThat(total(late, "global")).isEqualTo(total(nodes.get(0), "global"));
            assertThat(total(late, "partition")).isEqualTo(600);
            assertThat(get(late, "/", "198.51.100.3")).isEqualTo(403);
            assertThat(Await.until(Duration.ofSeconds(5), () -> nodes.get(0).cluster().liveNodes() == 4)).isTrue();
        } finally {
            late.close();
        }
    }
}
