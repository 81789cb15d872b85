package dev.aegis.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.config.AegisConfig;
import dev.aegis.origin.MockOrigin;
import dev.aegis.server.AccessLog;
import dev.aegis.server.AegisServer;
import dev.aegis.testing.Await;
import dev.aegis.testing.NatsServer;
import dev.aegis.testing.NodeFixture;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A node's join needs its NATS connection to carry the node's own messages, nothing else: a lost PING does not keep
 * it out of sync, and a connection that jnats calls connected but that does not carry the node's messages is
 * dropped and made again. Both run a real {@code nats-server} with a relay in front of it for one of two nodes.
 *
 * <p>Why a PING: jnats pairs each PONG with the oldest PING it waits for, so after one lost PING every later PONG
 * answers the PING before it and every flush on that connection times out, while jnats's keep-alive, quiet as long
 * as the peers' messages arrive, suspects nothing. A join that ended with a flush failed that way for good in
 * {@link ClusterSyncTest} once, on a loaded machine.
 */
class NatsRoundTripTest {
    static final String YAML = """
            node: { id: "${ID}", listen: "127.0.0.1:0", workers: 1 }
            upstreams:
              app:
                servers: [ { address: "127.0.0.1:${ORIGIN}" } ]
            routes:
              - { name: all, match: { path: { prefix: / } }, upstream: app }
            cluster: { name: "rt${RUN}", nats: { url: "${NATS}" }, sync_interval: 100ms }
            """;

    static AegisServer node(String id, String natsUrl, MockOrigin origin, String run) {
        AegisConfig config = NodeFixture.parse(YAML, Map.of("ID", id, "ORIGIN", Integer.toString(origin.port()),
                "NATS", natsUrl, "RUN", run));
        return AegisServer.start(config, AccessLog.OFF, AccessLog.OFF, System::currentTimeMillis);
    }

    /** Two nodes in sync, one through the relay; runs {@code scenario} with the relay and the relayed node. */
    private static void withRelayedNode(Scenario scenario) throws Exception {
        String run = Long.toHexString(System.nanoTime());
        try (NatsServer nats = NatsServer.start(); FaultyRelay relay = new FaultyRelay(nats.port());
             MockOrigin origin = MockOrigin.start("127.0.0.1", 0);
             AegisServer direct = node("edge-direct", nats.url(), origin, run);
             AegisServer relayed = node("edge-relayed", "nats://127.0.0.1:" + relay.port(), origin, run)) {
            assertThat(Await.until(Duration.ofSeconds(10), () -> direct.cluster().inSync()
                    && relayed.cluster().inSync() && relayed.cluster().liveNodes() == 2)).as("both joined").isTrue();
            scenario.run(relay, relayed, "rt" + run);
        }
    }

    interface Scenario {
        void run(FaultyRelay relay, AegisServer relayed, String cluster) throws Exception;
    }

    @Test
    void aLostPingDoesNotKeepTheNodeOutOfSync() throws Exception {
        withRelayedNode((relay, relayed, cluster) -> {
            int before = relay.connections();
            // The reconnection loses the first PING after its handshake's (jnats's own, or a flush).
            relay.onNextConnection(2, null);
            relay.cutConnections();
            assertThat(Await.until(Duration.ofSeconds(5), () -> relay.dropped() == 1))
                    .as("jnats reconnects through the relay, which drops a PING: %s", relay.trace).isTrue();
            // (a join may wait for jnats to finish the reconnection its lost PING held up, and be retried)
            assertThat(Await.until(Duration.ofSeconds(10), () -> relayed.cluster().inSync()))
                    .as("in sync on that connection: %s", relay.trace).isTrue();
            assertThat(relay.connections()).isEqualTo(before + 1);
        });
    }

    @Test
    void aConnectionThatDoesNotCarryTheNodesMessagesIsMadeAgain() throws Exception {
        withRelayedNode((relay, relayed, cluster) -> {
            int before = relay.connections();
            // The reconnection loses every message the node sends itself; the peers' messages still reach it.
            relay.onNextConnection(0, "aegis." + cluster + ".echo.");
            relay.cutConnections();
            // Three joins of 2 s each fail on it; then the node makes a new connection, which works.
            assertThat(Await.until(Duration.ofSeconds(20), () -> relayed.cluster().inSync()
                    && relay.connections() == before + 2)).as("in sync again on a new connection: %s", relay.trace)
                    .isTrue();
            assertThat(relay.dropped()).isGreaterThanOrEqualTo(3);
        });
    }

    /**
     * A TCP relay in front of a real {@code nats-server}. It reads the client's side of the NATS protocol line by line
     * (passing message payloads through unread), so that on the next connection it can lose the client's n-th
     * {@code PING} or every message the client publishes under a subject prefix; and it cuts every connection on
     * demand. What the server sends passes untouched.
     */
    static final class FaultyRelay implements AutoCloseable {
        private final int natsPort;
        private final ServerSocket listener;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final AtomicInteger connections = new AtomicInteger();
        private final AtomicInteger dropped = new AtomicInteger();
        private final AtomicReference<Fault> next = new AtomicReference<>();
        /** The verbs the client sent on the faulty connection, for a failure's message. */
        final List<String> trace = new CopyOnWriteArrayList<>();
        private volatile boolean closed;

        /** What the next connection loses: its {@code ping}-th PING (0: none), and PUBs to {@code subjectPrefix}. */
        private record Fault(int ping, String subjectPrefix) {
        }

        FaultyRelay(int natsPort) throws IOException {
            this.natsPort = natsPort;
            this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofPlatform().daemon().name("relay-accept").start(this::acceptLoop);
        }

        int port() {
            return listener.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        /** PINGs and messages lost so far. */
        int dropped() {
            return dropped.get();
        }

        void onNextConnection(int ping, String subjectPrefix) {
            next.set(new Fault(ping, subjectPrefix));
        }

        void cutConnections() {
            for (Socket s : sockets) {
                closeQuietly(s);
                sockets.remove(s); // one by one: a connection accepted meanwhile stays listed, to be cut later
            }
        }

        private void acceptLoop() {
            while (!closed) {
                try {
                    Socket client = listener.accept();
                    Socket server = new Socket(InetAddress.getLoopbackAddress(), natsPort);
                    sockets.add(client);
                    sockets.add(server);
                    Fault fault = next.getAndSet(null);
                    connections.incrementAndGet();
                    Thread.ofPlatform().daemon().start(() -> pump(server, client));
                    Thread.ofPlatform().daemon().start(() -> clientToServer(client, server, fault));
                } catch (IOException e) {
                    if (!closed) {
                        throw new IllegalStateException("relay accept failed", e);
                    }
                }
            }
        }

        private void pump(Socket from, Socket to) {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // cut: the other side notices
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }

        private void clientToServer(Socket client, Socket server, Fault fault) {
            try (InputStream in = new BufferedInputStream(client.getInputStream());
                 OutputStream out = server.getOutputStream()) {
                int pings = 0;
                byte[] line;
                while ((line = readLine(in)) != null) {
                    String text = new String(line, StandardCharsets.US_ASCII).trim();
                    String[] words = text.split(" ");
                    if (fault != null && trace.size() < 40) {
                        trace.add(words[0]);
                    }
                    if (words[0].equals("PING") && fault != null && ++pings == fault.ping()) {
                        dropped.incrementAndGet();
                        continue;
                    }
                    boolean message = words[0].equals("PUB") || words[0].equals("HPUB");
                    // the payload (and its CRLF) follows the line: read it whole, not as lines
                    byte[] payload = message ? in.readNBytes(Integer.parseInt(words[words.length - 1]) + 2) : null;
                    if (message && fault != null && fault.subjectPrefix() != null
                            && words[1].startsWith(fault.subjectPrefix())) {
                        dropped.incrementAndGet();
                        continue;
                    }
                    out.write(line);
                    if (payload != null) {
                        out.write(payload);
                    }
                    out.flush();
                }
            } catch (IOException e) {
                // cut
            } finally {
                closeQuietly(client);
                closeQuietly(server);
            }
        }

        /** One protocol line including its CRLF, or null at the end of the stream. */
        private static byte[] readLine(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream(64);
            int c;
            while ((c = in.read()) != -1) {
                b.write(c);
                if (c == '\n') {
                    return b.toByteArray();
                }
            }
            return b.size() == 0 ? null : b.toByteArray();
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        @Override
        public void close() {
            closed = true;
            try {
                listener.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            cutConnections();
        }
    }
}
