package dev.aegis.cachetier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.origin.MockOrigin;
import dev.aegis.server.AccessLog;
import dev.aegis.server.AegisServer;
import dev.aegis.testing.Await;
import dev.aegis.testing.NodeFixture;
import dev.aegis.testing.RawConnection.HttpResponse;
import dev.aegis.testing.RedisServer;
import dev.aegis.testing.ShopRequests;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two nodes sharing a real redis-server: a hit on B for an object stored through A, and B without Redis. */
class RedisTierTest {
    static RedisServer redis;
    static MockOrigin origin;
    static AegisServer a;
    static AegisServer b;

    static AegisServer node(String id) {
        return AegisServer.start(NodeFixture.parse("""
                node: { id: "${ID}", listen: "127.0.0.1:0", workers: 1 }
                upstreams: { app: { servers: [ { address: "127.0.0.1:${ORIGIN}" } ] } }
                routes: [ { name: all, match: { path: { prefix: / } }, upstream: app } ]
                waf: { mode: "off" }
                cache: { redis: { url: "${REDIS}" } }
                """, Map.of("ID", id, "ORIGIN", "" + origin.port(), "REDIS", redis.url())), AccessLog.OFF,
                AccessLog.OFF);
    }

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        origin = MockOrigin.start("127.0.0.1", 0);
        a = node("cache-a");
        b = node("cache-b");
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
        origin.close();
        redis.close();
    }

    static long fetches(String target) {
        return origin.requestTargets().stream().filter(t -> t.equals(target)).count();
    }

    static boolean inRedis(String target) {
        try {
            return redis.command("KEYS", "aegis:cache:*").contains(target);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void anObjectStoredThroughAIsAHitOnBAndBServesWithoutRedis() throws Exception {
        String u = "/cache/60?shared=1";
        // ready means the Redis tier's first connection attempt is over: before that a store stays in memory only
        assertThat(Await.until(Duration.ofSeconds(10), () -> a.ready() && b.ready())).isTrue();
        HttpResponse first = ShopRequests.get(a.port(), u);
        assertThat(first.header("x-cache")).isEqualTo("MISS");
        assertThat(Await.until(Duration.ofSeconds(5), () -> inRedis(u))).as("stored in Redis").isTrue();
        HttpResponse onB = ShopRequests.get(b.port(), u);
        assertThat(onB.header("x-cache")).isEqualTo("HIT");
        assertThat(onB.text()).isEqualTo(first.text());
        assertThat(fetches(u)).isEqualTo(1);

        redis.stop();
        String v = "/cache/60?shared=2";
        HttpResponse miss = ShopRequests.get(b.port(), v);
        assertThat(miss.status()).isEqualTo(200);
        assertThat(miss.header("x-cache")).isEqualTo("MISS");
        assertThat(ShopRequests.get(b.port(), v).header("x-cache")).as("memory-only").isEqualTo("HIT");
        assertThat(ShopRequests.get(b.port(), u).header("x-cache")).isEqualTo("HIT");
        redis.resume();
    }
}
