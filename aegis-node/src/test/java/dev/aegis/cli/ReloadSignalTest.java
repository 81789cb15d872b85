package dev.aegis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.origin.MockOrigin;
import dev.aegis.testing.Await;
import dev.aegis.testing.RawConnection;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reload as operators trigger it on a running node process: SIGHUP, and {@code --watch} on the file. */
class ReloadSignalTest {
    @TempDir
    Path dir;
    MockOrigin a;
    MockOrigin b;
    Process node;
    int port;
    Path config;

    @AfterEach
    void stop() throws InterruptedException {
        if (node != null) {
            node.destroy();
            node.waitFor(10, TimeUnit.SECONDS);
            node.destroyForcibly();
        }
        a.close();
        b.close();
    }

    private void write(MockOrigin target) throws IOException {
        Files.writeString(config, """
                node: { listen: "127.0.0.1:%d", workers: 1 }
                admin: { listen: "127.0.0.1:0" }
                upstreams:
                  app: { servers: [ { address: "127.0.0.1:%d" } ] }
                routes:
                  - { name: all, match: { path: { prefix: / } }, upstream: app }
                """.formatted(port, target.port()));
    }

    private void startNode(String... extra) throws Exception {
        a = MockOrigin.start("127.0.0.1", 0);
        b = MockOrigin.start("127.0.0.1", 0);
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        config = dir.resolve("aegis.yaml");
        write(a);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx64m", "--enable-native-access=ALL-UNNAMED", "-cp",
                classpath, AegisCommand.class.getName(), "run", "--config", config.toString(), "--access-log", "off"));
        cmd.addAll(List.of(extra));
        node = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("node.log").toFile())
                .start();
        assertThat(Await.until(Duration.ofSeconds(20), this::answers)).as("node started").isTrue();
    }

    private boolean answers() {
        try (RawConnection c = RawConnection.open(port)) {
            return c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n").read().status() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether a request now reaches {@code target}. */
    private boolean servedBy(MockOrigin target) {
        long before = target.requestsServed();
        try (RawConnection c = RawConnection.open(port)) {
            c.send("GET /api/users HTTP/1.1\r\nHost: x\r\n\r\n").read();
        } catch (IOException e) {
            return false;
        }
        return target.requestsServed() > before;
    }

    @Test
    void sighupReloadsTheFile() throws Exception {
        startNode();
        assertThat(servedBy(a)).isTrue();
        write(b);
        new ProcessBuilder("kill", "-HUP", Long.toString(node.pid())).start().waitFor();
        assertThat(Await.until(Duration.ofSeconds(5), () -> servedBy(b))).isTrue();
        assertThat(node.isAlive()).isTrue();
        // the log line follows the swap (the old health checks are stopped in between): wait for it
        assertThat(Await.until(Duration.ofSeconds(5), () -> {
            try {
                return Files.readString(dir.resolve("node.log")).contains("reloaded");
            } catch (IOException e) {
                return false;
            }
        })).as("the reload is logged").isTrue();
    }

    @Test
    void watchReloadsWhenTheFileChanges() throws Exception {
        startNode("--watch");
        assertThat(servedBy(a)).isTrue();
        write(b);
        assertThat(Await.until(Duration.ofSeconds(10), () -> servedBy(b))).isTrue();
        // A broken edit is refused and the node keeps serving the last good config.
        Files.writeString(config, Files.readString(config).replace("upstream: app", "upstream: ap"));
        assertThat(Await.until(Duration.ofSeconds(10), () -> {
            try {
                return Files.readString(dir.resolve("node.log")).contains("refused");
            } catch (IOException e) {
                return false;
            }
        })).isTrue();
        assertThat(servedBy(b)).isTrue();
    }
}
