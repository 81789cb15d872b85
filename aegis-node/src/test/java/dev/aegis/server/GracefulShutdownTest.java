package dev.aegis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.origin.MockOrigin;
import dev.aegis.testing.Await;
import dev.aegis.testing.NodeFixture;
import dev.aegis.testing.RawConnection;
import dev.aegis.testing.RawConnection.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A graceful stop lets requests in flight finish, closes idle connections and takes no new ones. */
class GracefulShutdownTest {

    @Test
    void inFlightRequestsFinishAndNewConnectionsAreRefused() throws Exception {
        try (MockOrigin origin = MockOrigin.start("127.0.0.1", 0)) {
            NodeFixture node = NodeFixture.simple(origin.port(), "");
            int port = node.port();
            try (RawConnection busy = RawConnection.open(port); RawConnection idle = RawConnection.open(port)) {
                assertThat(idle.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
                busy.send("GET /delay/1500 HTTP/1.1\r\nHost: a\r\n\r\n");
                assertThat(Await.until(Duration.ofSeconds(5), () -> origin.requestsServed() == 2)).isTrue();
                CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(
                        () -> node.server.shutdownGracefully(Duration.ofSeconds(10)));
                assertThat(idle.closedWithin(1000)).as("idle keep-alive connection closed").isTrue();
                HttpResponse r = busy.read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("connection")).isEqualToIgnoringCase("close");
                assertThat(stopped.get()).as("drained before the deadline").isTrue();
            }
            assertThatThrownBy(() -> RawConnection.open(port).send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read())
                    .isInstanceOf(java.io.IOException.class);
        }
    }

    @Test
    void theDeadlineCutsRequestsThatTakeTooLong() throws Exception {
        try (MockOrigin origin = MockOrigin.start("127.0.0.1", 0)) {
            NodeFixture node = NodeFixture.simple(origin.port(), "");
            try (RawConnection busy = RawConnection.open(node.port())) {
                busy.send("GET /delay/1800 HTTP/1.1\r\nHost: a\r\n\r\n");
                assertThat(Await.until(Duration.ofSeconds(5), () -> origin.requestsServed() == 1)).isTrue();
                assertThat(node.server.shutdownGracefully(Duration.ofMillis(300))).isFalse();
                assertThat(busy.closedWithin(2000)).isTrue();
            }
        }
    }
}
