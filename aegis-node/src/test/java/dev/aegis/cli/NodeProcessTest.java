package dev.aegis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.origin.MockOrigin;
import dev.aegis.testing.Await;
import dev.aegis.testing.RawConnection;
import dev.aegis.testing.RawConnection.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node as users run it: a separate JVM started through the CLI with a 64 MiB heap. A gigabyte streams up and
 * down through it (so nothing aggregates bodies), and SIGTERM drains in-flight work and exits 0.
 */
class NodeProcessTest {
    private static final long GIB = 1L << 30;

    @TempDir
    Path dir;
    MockOrigin origin;
    Process node;
    int port;

    @BeforeEach
    void start() throws Exception {
        origin = MockOrigin.start("127.0.0.1", 0);
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path config = dir.resolve("aegis.yaml");
        Files.writeString(config, """
                node: { listen: "127.0.0.1:%d", workers: 1, drain_timeout: 10s }
                admin: { listen: "127.0.0.1:0" }
                upstreams:
                  app: { servers: [ { address: "127.0.0.1:%d" } ] }
                routes:
                  - { name: all, match: { path: { prefix: / } }, upstream: app }
                limits: { max_body_bytes: 2GiB }
                """.formatted(port, origin.port()));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        node = new ProcessBuilder(List.of(java, "-Xmx64m", "-XX:MaxDirectMemorySize=64m",
                "--enable-native-access=ALL-UNNAMED", "-cp", classpath, AegisCommand.class.getName(),
                "run", "--config", config.toString(), "--access-log", "off"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("node.log").toFile()).start();
        boolean up = Await.until(Duration.ofSeconds(20), () -> healthy(port) || !node.isAlive());
        if (!up || !node.isAlive()) {
            throw new AssertionError("node did not start: " + Files.readString(dir.resolve("node.log")));
        }
    }

    private static boolean healthy(int port) {
        try (RawConnection c = RawConnection.open(port)) {
            return c.send("GET /health HTTP/1.1\r\nHost: a\r\n\r\n").read().status() == 200;
        } catch (IOException notYet) {
            return false;
        }
    }

    @AfterEach
    void stop() {
        if (node != null && node.isAlive()) {
            node.destroyForcibly();
        }
        origin.close();
    }

    @Test
    void streamsAGigabyteEachWayWithA64MiBHeap() throws Exception {
        try (RawConnection c = RawConnection.open(port)) {
            // Download.
            c.send("GET /bytes/" + GIB + " HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readLine()).startsWith("HTTP/1.1 200");
            String line;
            while (!(line = c.readLine()).isEmpty()) {
                if (line.toLowerCase().startsWith("content-length")) {
                    assertThat(line).endsWith(Long.toString(GIB));
                }
            }
            assertThat(c.drain(GIB)).isEqualTo(GIB);

            // Upload, echoed back while it is still being sent.
            c.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: " + GIB + "\r\n\r\n");
            OutputStream out = c.output();
            CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
                byte[] block = new byte[64 * 1024];
                try {
                    for (long sent = 0; sent < GIB; sent += block.length) {
                        out.write(block);
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            assertThat(c.readLine()).startsWith("HTTP/1.1 200");
            while (!c.readLine().isEmpty()) {
                // headers
            }
            assertThat(c.drain(GIB)).isEqualTo(GIB);
            upload.get(60, TimeUnit.SECONDS);
            // Still in sync and alive afterwards.
            assertThat(c.send("GET /health HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
        }
        assertThat(node.isAlive()).as("node survived with -Xmx64m").isTrue();
    }

    @Test
    void sigtermDrainsInFlightRequestsThenExitsZero() throws Exception {
        try (RawConnection c = RawConnection.open(port)) {
            c.send("GET /delay/1000 HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(Await.until(java.time.Duration.ofSeconds(5),
                    () -> origin.requestTargets().contains("/delay/1000"))).isTrue();
            node.destroy(); // SIGTERM
            HttpResponse r = c.read();
            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(node.waitFor(15, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).isZero();
        try (InputStream log = Files.newInputStream(dir.resolve("node.log"))) {
            assertThat(new String(log.readAllBytes())).contains("stopped");
        }
    }
}
