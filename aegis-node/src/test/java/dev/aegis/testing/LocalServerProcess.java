package dev.aegis.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A server from the distribution's packages run by a test ({@code nats-server}, {@code redis-server}): found on the
 * PATH or in the usual directories, started on a free loopback port with its output in a temporary log, and
 * stopped (and started again on the same port) at will.
 */
final class LocalServerProcess implements AutoCloseable {
    private final String name;
    private final List<String> command;
    private final BooleanSupplier up;
    private final Path log;
    private Process process;

    LocalServerProcess(String name, List<String> command, BooleanSupplier up) throws IOException {
        this.name = name;
        this.command = List.copyOf(command);
        this.up = up;
        this.log = Files.createTempFile(name, ".log");
    }

    /** The installed binary; a failure that says how to install it when missing. */
    static Path binary(String name) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : (path + ":/usr/sbin:/usr/bin:/usr/local/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name);
            }
        }
        throw new IllegalStateException(name + " is not installed: run ./scripts/test (it installs it), or "
                + "apt-get install " + name);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts the process and waits until it answers. */
    void start() throws IOException {
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        if (!Await.until(Duration.ofSeconds(10), up)) {
            throw new IllegalStateException(name + " did not start: " + Files.readString(log));
        }
    }

    /** Kills the process: every client loses its connection. */
    void stop() {
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
