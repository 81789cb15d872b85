package dev.aegis.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.origin.MockOrigin;
import dev.aegis.testing.NodeFixture;
import dev.aegis.testing.RawConnection;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Route precedence and 404 through a real node: each route sends to its own origin, and we see which answered. */
class RoutingTest {
    static MockOrigin a;
    static MockOrigin b;
    static MockOrigin c;
    static NodeFixture node;

    @BeforeAll
    static void start() {
        a = MockOrigin.start("127.0.0.1", 0);
        b = MockOrigin.start("127.0.0.1", 0);
        c = MockOrigin.start("127.0.0.1", 0);
        node = NodeFixture.start("""
                node: { listen: "127.0.0.1:0", workers: 1 }
                upstreams:
                  a: { servers: [ { address: "127.0.0.1:${A}" } ] }
                  b: { servers: [ { address: "127.0.0.1:${B}" } ] }
                  c: { servers: [ { address: "127.0.0.1:${C}" } ] }
                routes:
                  - name: api-prefix
                    match: { path: { prefix: /api/ } }
                    upstream: a
                  - name: api-users-exact
                    match: { path: { exact: /api/users } }
                    upstream: b
                  - name: regex-orders
                    match: { path: { regex: "/api/orders(/[0-9]+)?" } }
                    upstream: c
                  - name: urgent
                    priority: 10
                    match: { path: { prefix: /api/ }, headers: { X-Urgent: "yes" } }
                    upstream: c
                  - name: host-only
                    match: { host: "*.shop.test", path: { prefix: / }, methods: [GET] }
                    upstream: b
                """, Map.of("A", "" + a.port(), "B", "" + b.port(), "C", "" + c.port()));
    }

    @AfterAll
    static void stop() {
        node.close();
        a.close();
        b.close();
        c.close();
    }

    private static String served(String request) throws Exception {
        long ra = a.requestsServed();
        long rb = b.requestsServed();
        long rc = c.requestsServed();
        try (RawConnection conn = RawConnection.open(node.port())) {
            int status = conn.send(request).read().status();
            if (status == 404) {
                return "404";
            }
        }
        return a.requestsServed() > ra ? "a" : b.requestsServed() > rb ? "b" : c.requestsServed() > rc ? "c" : "none";
    }

    @Test
    void exactBeatsPrefix() throws Exception {
        assertThat(served("GET /api/users HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo("b");
        assertThat(served("GET /api/users?page=2 HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo("b");
        assertThat(served("GET /api/products HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo("a");
    }

    @Test
    void prefixBeatsRegexAtEqualPriority() throws Exception {
        // Both /api/ and the regex match: the documented order puts a prefix before a regex.
        assertThat(served("GET /api/orders/7 HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo("a");
    }

    @Test
    void priorityBeatsSpecificity() throws Exception {
        assertThat(served("GET /api/users HTTP/1.1\r\nHost: x\r\nX-Urgent: yes\r\n\r\n")).isEqualTo("c");
    }

    @Test
    void hostAndMethodConditions() throws Exception {
        // A host-specific route outranks host-less ones at equal priority, whatever their paths.
        assertThat(served("GET /api/products HTTP/1.1\r\nHost: WWW.shop.test:8080\r\n\r\n")).isEqualTo("b");
        assertThat(served("GET /other HTTP/1.1\r\nHost: www.shop.test\r\n\r\n")).isEqualTo("b");
        assertThat(served("POST /other HTTP/1.1\r\nHost: www.shop.test\r\nContent-Length: 0\r\n\r\n")).isEqualTo("404");
    }

    @Test
    void noRouteIs404AndKeepsTheConnection() throws Exception {
        try (RawConnection conn = RawConnection.open(node.port())) {
            RawConnection.HttpResponse r = conn.send("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.text()).contains("request id: " + r.header("x-request-id"));
            assertThat(conn.send("GET /api/users HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
        }
    }
}
