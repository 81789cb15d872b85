package dev.aegis.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;

/**
 * A real {@code nats-server} process (Debian's package; {@code ./scripts/test} installs it when missing) on a free
 * loopback port, which a test can stop and start again on the same port to cut the cluster off.
 */
public final class NatsServer implements AutoCloseable {
    private final int port;
    private final LocalServerProcess process;

    private NatsServer(int port) throws IOException {
        this.port = port;
        this.process = new LocalServerProcess("nats-server", List.of(LocalServerProcess.binary("nats-server").toString(),
                "-a", "127.0.0.1", "-p", Integer.toString(port)), this::accepts);
    }

    /** Starts one on a free port; fails the test with a hint when the binary is missing. */
    public static NatsServer start() throws IOException {
        NatsServer server = new NatsServer(LocalServerProcess.freePort());
        server.resume();
        return server;
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Starts the process (again) and waits until it accepts connections. */
    public void resume() throws IOException {
        process.start();
    }

    /** Kills the process: every client loses its connection. */
    public void stop() {
        process.stop();
    }

    @Override
    public void close() {
        stop();
    }
}
