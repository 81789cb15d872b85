package dev.aegis.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aegis.server.AccessLog;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A node's WAF audit log kept in memory, so a test can read the line a request wrote. */
public final class AuditCapture {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(3);

    private final ByteArrayOutputStream stream = new ByteArrayOutputStream();

    /** A new audit log writing here: the {@code auditLog} of {@code AegisServer.start(config, accessLog, auditLog)}. */
    public AccessLog log() {
        return AccessLog.audit(stream);
    }

    /** All that has been written so far. */
    public String text() {
        // The log's writer thread writes through ByteArrayOutputStream's synchronized methods.
        synchronized (stream) {
            return stream.toString(StandardCharsets.UTF_8);
        }
    }

    /** The first line naming {@code requestId}, as written, once it is there (up to 3 seconds). */
    public String lineText(String requestId) {
        if (!Await.until(WAIT, () -> text().contains(requestId))) {
            throw new AssertionError("no audit line for " + requestId + " within " + WAIT.toSeconds() + "s");
        }
        for (String line : text().split("\n")) {
            if (line.contains(requestId)) {
                return line;
            }
        }
        throw new AssertionError("no audit line for " + requestId);
    }

    /** The audit line of request {@code requestId}, parsed, once it is written (up to 3 seconds). */
    public JsonNode line(String requestId) {
        String line = lineText(requestId);
        try {
            return JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new AssertionError("the audit line for " + requestId + " is not JSON: " + line, e);
        }
    }
}
