package dev.aegis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.origin.MockOrigin;
import dev.aegis.testing.Await;
import dev.aegis.testing.NodeFixture;
import dev.aegis.testing.RawConnection;
import dev.aegis.testing.RawConnection.HttpResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the client gets when the origin refuses, resets, stalls or vanishes, and what happens when the client does. */
class FailureTest {

    private static HttpResponse getOnce(NodeFixture node, String path) throws Exception {
        try (RawConnection c = RawConnection.open(node.port())) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
        }
    }

    @Test
    void refusedOriginIs502WithTheRequestId() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        try (NodeFixture node = NodeFixture.simple(deadPort, "")) {
            HttpResponse r = getOnce(node, "/");
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.text()).contains("request id: " + r.header("x-request-id"));
        }
    }

    @Test
    void resetAndDroppedConnectionsAre502() throws Exception {
        try (MockOrigin origin = MockOrigin.start("127.0.0.1", 0);
             NodeFixture node = NodeFixture.simple(origin.port(), "")) {
            assertThat(getOnce(node, "/reset").status()).isEqualTo(502);
            assertThat(getOnce(node, "/drop").status()).isEqualTo(502);
            assertThat(getOnce(node, "/").status()).isEqualTo(200);
        }
    }

    @Test
    void slowResponseHeaderIs504() throws Exception {
        try (MockOrigin origin = MockOrigin.start("127.0.0.1", 0);
             NodeFixture node = NodeFixture.simple(origin.port(), "")) {
            long start = System.nanoTime();
            HttpResponse r = getOnce(node, "/delay/5000"); // response_header timeout is 2s
            assertThat(r.status()).isEqualTo(504);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(4500);
        }
    }

    @Test
    void connectTimeoutIs504() throws Exception {
        // A listener whose accept queue is full: the kernel drops further SYNs, so connect() never completes.
        try (ServerSocket full = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            List<Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    Socket s = new Socket();
                    try {
                        s.connect(full.getLocalSocketAddress(), 200);
                        fillers.add(s);
                    } catch (java.io.IOException e) {
                        s.close();
                        break; // the queue is full now
                    }
                }
                try (NodeFixture node = NodeFixture.simple(full.getLocalPort(), "")) {
                    HttpResponse r = getOnce(node, "/");
                    assertThat(r.status()).isEqualTo(504);
                    assertThat(r.text()).contains("in time");
                }
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    @Test
    void originStallingMidBodyCutsTheClientAfterTheIdleTimeout() throws Exception {
        try (ServerSocket raw = new ServerSocket(0);
             NodeFixture node = NodeFixture.simple(raw.getLocalPort(), "")) {
            Thread originThread = Thread.ofPlatform().start(() -> {
                try (Socket s = raw.accept()) {
                    InputStream in = s.getInputStream();
                    in.read(new byte[4096]);
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly-part".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    // stall: send nothing more and wait for the proxy to close this connection (bounded)
                    s.setSoTimeout(10_000);
                    while (in.read() >= 0) {
                        // nothing more is expected from the proxy
                    }
                } catch (Exception ignored) {
                    // the proxy closing on us is the point
                }
            });
            try (RawConnection c = RawConnection.open(node.port())) {
                c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                assertThat(c.readLine()).startsWith("HTTP/1.1 200");
                long start = System.nanoTime();
                assertThat(c.closedWithin(5000)).isTrue(); // idle timeout is 2s
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(1000L, 4900L);
            }
            // the proxy gave up on the stalled upstream connection too: the origin's read ends
            originThread.join(5000);
            assertThat(originThread.isAlive()).as("upstream connection still open").isFalse();
        }
    }

    @Test
    void clientLeavingMidDownloadReleasesTheUpstreamConnection() throws Exception {
        try (MockOrigin origin = MockOrigin.start("127.0.0.1", 0);
             NodeFixture node = NodeFixture.simple(origin.port(), "")) {
            try (RawConnection c = RawConnection.open(node.port())) {
                c.send("GET /bytes/1073741824 HTTP/1.1\r\nHost: a\r\n\r\n");
                assertThat(c.readLine()).startsWith("HTTP/1.1 200");
                c.drain(1024 * 1024);
            }
            // The origin sees its connection closed: the proxy did not keep streaming into the void.
            assertThat(Await.until(java.time.Duration.ofSeconds(5), () -> origin.openConnections() == 0)).isTrue();
            // And the node still serves.
            assertThat(getOnce(node, "/").status()).isEqualTo(200);
        }
    }
}
