package dev.aegis.admin;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard's files, served from the jar: the page, its script, and the charting library (uPlot, taken from
 * the npm registry by the build, see aegis-node/pom.xml). Read once, then kept.
 */
final class Dashboard {
    private static final String DIR = "/dev/aegis/admin/dashboard/";
    private static final Map<String, AdminResponse> FILES = new ConcurrentHashMap<>();

    private Dashboard() {
    }

    static AdminResponse file(String name) {
        return FILES.computeIfAbsent(name, Dashboard::load);
    }

    private static AdminResponse load(String name) {
        try (InputStream in = Dashboard.class.getResourceAsStream(DIR + name)) {
            if (in == null) {
                return AdminResponse.error(404, "the dashboard file " + name + " is not in this build");
            }
            return new AdminResponse(200, contentType(name), in.readAllBytes());
        } catch (IOException e) {
            return AdminResponse.error(500, "the dashboard file " + name + " could not be read");
        }
    }

    static String contentType(String name) {
        if (name.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        return "application/octet-stream";
    }
}
