package dev.aegis.testing;

import dev.aegis.config.AegisConfig;
import dev.aegis.config.ConfigLoader;
import dev.aegis.config.ConfigResult;
import dev.aegis.server.AccessLog;
import dev.aegis.server.AegisServer;
import java.util.Map;

/**
 * A real node on an ephemeral loopback port, configured from YAML text in which {@code ${NAME}} placeholders
 * are filled from {@code vars} (the config loader's own env interpolation, fed by the test instead of the
 * process environment).
 */
public final class NodeFixture implements AutoCloseable {
    public final AegisServer server;
    /** The admin API, when started from a file ({@link #fromFile}); else null. */
    public final dev.aegis.admin.AdminServer admin;

    private NodeFixture(AegisServer server) {
        this(server, null);
    }

    private NodeFixture(AegisServer server, dev.aegis.admin.AdminServer admin) {
        this.server = server;
        this.admin = admin;
    }

    /**
     * A node and its admin API started from a config file, as {@code aegis run --config} does, so that tests can
     * change the file and reload it ({@code POST /admin/reload}). The file should set {@code admin.listen} to
     * port 0.
     */
    public static NodeFixture fromFile(java.nio.file.Path file) {
        ConfigResult result = ConfigLoader.load(file);
        if (result instanceof ConfigResult.Invalid invalid) {
            throw new IllegalArgumentException("test config invalid: " + invalid.errors());
        }
        AegisConfig config = ((ConfigResult.Valid) result).config();
        AegisServer server = AegisServer.start(config, AccessLog.to(System.out, false));
        dev.aegis.admin.AdminServer admin = dev.aegis.admin.AdminServer.start(config.admin().listen(),
                config.admin().token(), new dev.aegis.admin.NodeAdminEndpoints(server, file));
        return new NodeFixture(server, admin);
    }

    public static AegisConfig parse(String yaml, Map<String, String> vars) {
        ConfigResult result = ConfigLoader.parse(yaml, "test.yaml", vars::get);
        if (result instanceof ConfigResult.Invalid invalid) {
            throw new IllegalArgumentException("test config invalid: " + invalid.errors());
        }
        return ((ConfigResult.Valid) result).config();
    }

    public static NodeFixture start(String yaml, Map<String, String> vars) {
        // The access log goes to the test output file (target/surefire-reports/*-output.txt) for diagnosis.
        return new NodeFixture(AegisServer.start(parse(yaml, vars), AccessLog.to(System.out, false)));
    }

    /** A node with one route {@code /} to one upstream group {@code app} made of {@code originPort}. */
    public static NodeFixture simple(int originPort, String extraYaml) {
        return start("""
                node: { id: aegis-test, listen: "127.0.0.1:0", workers: 2, drain_timeout: 5s }
                upstreams:
                  app:
                    servers: [ { address: "127.0.0.1:${ORIGIN}" } ]
                    timeouts: { connect: 1s, response_header: 2s, idle: 2s }
                routes:
                  - name: all
                    match: { path: { prefix: / } }
                    upstream: app
                """ + extraYaml, Map.of("ORIGIN", Integer.toString(originPort)));
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
        server.close();
    }
}
