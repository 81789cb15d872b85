package dev.aegis.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.origin.MockOrigin;
import dev.aegis.testing.NodeFixture;
import dev.aegis.testing.RawConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero-downtime reload: 100 reloads through the admin API while keep-alive clients keep sending, with an
 * invalid config in the middle. No request fails, no client connection drops, the invalid file is refused
 * with its errors and the previous config keeps serving.
 */
class ReloadUnderLoadTest {
    @TempDir
    Path dir;

    private static String config(int originA, int originB, String routeB) {
        return """
                node: { listen: "127.0.0.1:0", workers: 2 }
                admin: { listen: "127.0.0.1:0" }
                upstreams:
                  a: { servers: [ { address: "127.0.0.1:%d" } ] }
                  b: { servers: [ { address: "127.0.0.1:%d" } ] }
                routes:
                  - { name: all, match: { path: { prefix: / } }, upstream: a }
                  - { name: special, match: { path: { prefix: /special/ } }, upstream: %s }
                """.formatted(originA, originB, routeB);
    }

    @Test
    void hundredReloadsUnderLoadDropNothing() throws Exception {
        try (MockOrigin a = MockOrigin.start("127.0.0.1", 0); MockOrigin b = MockOrigin.start("127.0.0.1", 0)) {
            Path file = dir.resolve("aegis.yaml");
            Files.writeString(file, config(a.port(), b.port(), "a"));
            try (NodeFixture node = NodeFixture.fromFile(file)) {
                HttpClient admin = HttpClient.newHttpClient();
                URI reloadUri = URI.create("http://127.0.0.1:" + node.admin.port() + "/admin/reload");
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicLong ok = new AtomicLong();
                AtomicInteger failed = new AtomicInteger();
                AtomicInteger dropped = new AtomicInteger();
                List<CompletableFuture<Void>> clients = new ArrayList<>();
                java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(4);
                for (int t = 0; t < 4; t++) {
                    clients.add(CompletableFuture.runAsync(() -> {
                        // One connection per client for the whole test: a drop shows as an exception here.
                        try (RawConnection c = RawConnection.open(node.port())) {
                            int i = 0;
                            while (running.get()) {
                                String path = (i++ % 2 == 0) ? "/api/users" : "/special/x";
                                RawConnection.HttpResponse r = c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n")
                                        .read();
                                if (r == null) {
                                    dropped.incrementAndGet();
                                    return;
                                }
                                if (r.status() == 200) {
                                    ok.incrementAndGet();
                                } else {
                                    failed.incrementAndGet();
                                }
                            }
                        } catch (Exception e) {
                            dropped.incrementAndGet();
                        }
                    }, threads));
                }
                int applied = 0;
                for (int i = 0; i < 100; i++) {
                    // Every reload lands between requests of a running load: wait for a few more answers first.
                    long seen = ok.get();
                    assertThat(dev.aegis.testing.Await.until(java.time.Duration.ofSeconds(5),
                            () -> ok.get() >= seen + 4)).isTrue();
                    if (i == 50) {
                        Files.writeString(file, config(a.port(), b.port(), "nowhere") + "  - { name: broken }\n");
                        HttpResponse<String> r = admin.send(HttpRequest.newBuilder(reloadUri)
                                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                        assertThat(r.statusCode()).isEqualTo(400);
                        assertThat(r.body()).contains("aegis.yaml:").contains("nowhere");
                        continue;
                    }
                    Files.writeString(file, config(a.port(), b.port(), i % 2 == 0 ? "b" : "a"));
                    HttpResponse<String> r = admin.send(HttpRequest.newBuilder(reloadUri)
                            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    applied++;
                }
                running.set(false);
                CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get();
                threads.shutdown();
                assertThat(applied).isEqualTo(99);
                assertThat(failed.get()).as("failed requests").isZero();
                assertThat(dropped.get()).as("dropped client connections").isZero();
                assertThat(ok.get()).isGreaterThan(400);
                // The last applied config (i = 99, odd) routes /special/ to a; after it, b took no more.
                long bBefore = b.requestsServed();
                try (RawConnection c = RawConnection.open(node.port())) {
                    assertThat(c.send("GET /special/y HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
                }
                assertThat(b.requestsServed()).isEqualTo(bBefore);
            }
        }
    }
}
