package dev.aegis.cli;

import dev.aegis.config.AegisConfig;
import dev.aegis.config.ConfigError;
import dev.aegis.config.ConfigLoader;
import dev.aegis.config.ConfigResult;
import dev.aegis.admin.AdminServer;
import dev.aegis.admin.NodeAdminEndpoints;
import dev.aegis.origin.MockOrigin;
import dev.aegis.server.AccessLog;
import dev.aegis.server.AegisServer;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code aegis run}: starts the node (and, on the embedded default, the mock origin) until SIGTERM/SIGINT. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Start the node. Without --config it runs the embedded default: the node on :8080 in front "
                + "of the built-in mock origin on 127.0.0.1:9000.")
final class RunCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML config file.")
    Path config;

    @Option(names = "--log-format", defaultValue = "text", paramLabel = "text|json",
            description = "Access log format (default: ${DEFAULT-VALUE}).")
    String logFormat;

    @Option(names = "--access-log", defaultValue = "stdout", paramLabel = "stdout|off|FILE",
            description = "Where the access log goes (default: ${DEFAULT-VALUE}).")
    String accessLog;

    @Option(names = "--audit-log", defaultValue = "stderr", paramLabel = "stderr|stdout|off|FILE",
            description = "Where WAF audit lines (JSON) go (default: ${DEFAULT-VALUE}).")
    String auditLog;

    @Option(names = "--watch", description = "Reload when the config file changes (off by default; SIGHUP and "
            + "POST /admin/reload always reload).")
    boolean watch;

    @Override
    public Integer call() throws InterruptedException {
        AegisConfig cfg;
        MockOrigin origin = null;
        if (config != null) {
            ConfigResult result = ConfigLoader.load(config);
            if (result instanceof ConfigResult.Invalid invalid) {
                for (ConfigError e : invalid.errors()) {
                    System.err.println(e);
                }
                System.err.println("aegis: not starting: " + invalid.errors().size() + " config error(s)");
                return 1;
            }
            cfg = ((ConfigResult.Valid) result).config();
        } else {
            cfg = ConfigLoader.embeddedDefault();
            try {
                origin = MockOrigin.start("127.0.0.1", 9000);
                System.err.println("aegis: embedded default config; mock origin on 127.0.0.1:" + origin.port());
            } catch (RuntimeException e) {
                System.err.println("aegis: cannot start the mock origin on 127.0.0.1:9000: " + rootMessage(e)
                        + " (is another one running? the node still starts and proxies to it)");
            }
        }
        if (!logFormat.equals("text") && !logFormat.equals("json")) {
            System.err.println("aegis: --log-format must be text or json, not " + logFormat);
            return 2;
        }
        AccessLog log;
        try {
            log = openAccessLog();
        } catch (IOException e) {
            System.err.println("aegis: cannot open access log " + accessLog + ": " + e.getMessage());
            return 1;
        }
        AegisServer server;
        try {
            server = AegisServer.start(cfg, log, openAuditLog());
        } catch (RuntimeException e) {
            System.err.println("aegis: " + rootMessage(e));
            if (origin != null) {
                origin.close();
            }
            return 1;
        }
        AdminServer admin;
        try {
            admin = AdminServer.start(cfg.admin().listen(), cfg.admin().token(), new NodeAdminEndpoints(server, config));
        } catch (RuntimeException e) {
            System.err.println("aegis: " + rootMessage(e));
            server.close();
            if (origin != null) {
                origin.close();
            }
            return 1;
        }
        if (config == null) {
            // Without a file there is nothing to re-read; SIGHUP must not stop the node (the JVM's default).
            Signal.handle(new Signal("HUP"), sig -> System.err.println(
                    "aegis: SIGHUP ignored: the node runs the embedded default; start it with --config FILE to reload"));
        } else {
            Signal.handle(new Signal("HUP"), sig -> Thread.ofPlatform().name("aegis-reload").start(() -> server.reload(config)));
            if (watch) {
                ConfigWatcher.start(config, () -> server.reload(config));
            }
        }
        CountDownLatch stopped = new CountDownLatch(1);
        MockOrigin startedOrigin = origin;
        onStopSignal(() -> {
            System.err.println("aegis: stopping: draining in-flight requests (up to "
                    + cfg.node().drainTimeout().toSeconds() + "s)");
            boolean clean = server.shutdownGracefully(cfg.node().drainTimeout());
            admin.close();
            if (startedOrigin != null) {
                startedOrigin.close();
            }
            System.err.println(clean ? "aegis: stopped" : "aegis: stopped (drain deadline reached)");
            stopped.countDown();
        });
        stopped.await();
        return 0;
    }

    private AccessLog openAuditLog() {
        try {
            return switch (auditLog) {
                case "off" -> AccessLog.OFF;
                case "stderr" -> AccessLog.audit(new FileOutputStream(java.io.FileDescriptor.err));
                case "stdout" -> AccessLog.audit(new FileOutputStream(java.io.FileDescriptor.out));
                default -> AccessLog.audit(new FileOutputStream(auditLog, true));
            };
        } catch (IOException e) {
            throw new IllegalStateException("cannot open audit log " + auditLog + ": " + e.getMessage(), e);
        }
    }

    private AccessLog openAccessLog() throws IOException {
        boolean json = logFormat.equals("json");
        return switch (accessLog) {
            case "off" -> AccessLog.OFF;
            case "stdout" -> AccessLog.to(new FileOutputStream(java.io.FileDescriptor.out), json);
            default -> {
                OutputStream out = new FileOutputStream(accessLog, true);
                yield AccessLog.to(out, json);
            }
        };
    }

    /**
     * Runs {@code action} once on SIGTERM or SIGINT on a thread of its own, so the JVM exits 0 after a graceful stop
     * rather than 143 from the default handler.
     */
    static void onStopSignal(Runnable action) {
        AtomicBoolean once = new AtomicBoolean();
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), sig -> {
                if (once.compareAndSet(false, true)) {
                    Thread.ofPlatform().name("aegis-stop").start(action);
                }
            });
        }
    }

    static String rootMessage(Throwable t) {
        String m = t.getMessage();
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t.getMessage() != null && (m == null || !m.contains(t.getMessage()))) {
                m = (m == null ? "" : m + ": ") + t.getMessage();
            }
        }
        return m == null ? t.toString() : m;
    }
}
