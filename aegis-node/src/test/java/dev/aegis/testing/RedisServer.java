package dev.aegis.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A real {@code redis-server} process (Debian's package; {@code ./scripts/test} installs it when missing) on a free
 * loopback port, without persistence, which a test can stop and start again; plus a raw one-command client.
 */
public final class RedisServer implements AutoCloseable {
    private final int port;
    private final LocalServerProcess process;

    private RedisServer(int port) throws IOException {
        this.port = port;
        this.process = new LocalServerProcess("redis-server", List.of(
                LocalServerProcess.binary("redis-server").toString(), "--port", Integer.toString(port), "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no"), this::answers);
    }

    public static RedisServer start() throws IOException {
        RedisServer server = new RedisServer(LocalServerProcess.freePort());
        server.resume();
        return server;
    }

    private boolean answers() {
        try {
            return command("PING").contains("PONG");
        } catch (IOException e) {
            return false;
        }
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public void resume() throws IOException {
        process.start();
    }

    /** Sends one command (RESP) and returns the raw reply text. */
    public String command(String... args) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(2000);
            StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
            for (String a : args) {
                byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
                b.append('$').append(bytes.length).append("\r\n").append(a).append("\r\n");
            }
            OutputStream out = s.getOutputStream();
            out.write(b.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[65536];
            int n = in.read(buf);
            return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.UTF_8);
        }
    }

    public void stop() {
        process.stop();
    }

    @Override
    public void close() {
        stop();
    }
}
