package dev.aegis.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real {@code nats-server} process (Debian's package; {@code ./scripts/test} installs it when missing) on a free
 * loopback port, which a test can stop and start again on the same port to cut the cluster off.
 */
public final class NatsServer implements AutoCloseable {
    private final Path binary;
    private final int port;
    private final Path log;
    private Process process;

    private NatsServer(Path binary, int port) throws IOException {
        this.binary = binary;
        this.port = port;
        this.log = Files.createTempFile("nats-server", ".log");
    }

    /** The installed binary, or null. */
    public static Path binary() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : (path + ":/usr/sbin:/usr/bin:/usr/local/bin").split(":")) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, "nats-server");
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** Starts one on a free port; fails the test with a hint when the binary is missing. */
    public static NatsServer start() throws IOException {
        Path bin = binary();
        if (bin == null) {
            throw new IllegalStateException("nats-server is not installed: run ./scripts/test (it installs it), "
                    + "or apt-get install nats-server");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        NatsServer server = new NatsServer(bin, port);
        server.resume();
        return server;
    }

    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Starts the process (again) and waits until it accepts connections. */
    public void resume() throws IOException {
        process = new ProcessBuilder(List.of(binary.toString(), "-a", "127.0.0.1", "-p", Integer.toString(port)))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        boolean up = Await.until(Duration.ofSeconds(10), () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        if (!up) {
            throw new IllegalStateException("nats-server did not start on " + port + ": " + Files.readString(log));
        }
    }

    /** Kills the process: every client loses its connection. */
    public void stop() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
