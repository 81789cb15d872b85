package dev.aegis.server;

import dev.aegis.pipeline.RequestRecord;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * One line per request, read from its {@link RequestRecord}. Event loops only format the line and hand it to a
 * lock-free queue; a background thread writes, so a slow terminal or disk never stalls the request path.
 * Lines beyond {@code MAX_QUEUED} are dropped and counted rather than growing the heap.
 */
public final class AccessLog implements AutoCloseable {
    /** Writes nothing. */
    public static final AccessLog OFF = new AccessLog(null, false);

    private static final int MAX_QUEUED = 100_000;

    private final ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong dropped = new java.util.concurrent.atomic.AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final boolean json;
    private final boolean audit;
    private final Writer out;
    private final Thread writer;

    private AccessLog(OutputStream stream, boolean json) {
        this(stream, json, false);
    }

    private AccessLog(OutputStream stream, boolean json, boolean audit) {
        this.json = json;
        this.audit = audit;
        if (stream == null) {
            this.out = null;
            this.writer = null;
            return;
        }
        this.out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 64 * 1024);
        this.writer = Thread.ofPlatform().name("aegis-access-log").daemon().start(this::drainLoop);
    }

    /** The WAF audit log: one JSON line per scored request, written to {@code stream}. */
    public static AccessLog audit(OutputStream stream) {
        return new AccessLog(stream, true, true);
    }

    /** A log writing to {@code stream}, as text or as JSON lines. */
    public static AccessLog to(OutputStream stream, boolean json) {
        return new AccessLog(stream, json);
    }

    /** Queues the line for {@code record}. Called on an event loop when a request is complete. */
    public void log(RequestRecord record) {
        if (out == null) {
            return;
        }
        if (queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        queue.add(audit ? auditJson(record) : json ? json(record) : text(record));
    }

    /** Lines dropped because the writer could not keep up. */
    public long dropped() {
        return dropped.get();
    }

    private void drainLoop() {
        try {
            while (true) {
                String line = queue.poll();
                if (line == null) {
                    out.flush();
                    if (closed.get() && queue.isEmpty()) {
                        return;
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                    continue;
                }
                queued.decrementAndGet();
                out.write(line);
                out.write('\n');
            }
        } catch (IOException e) {
            System.err.println("aegis: access log stopped: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        if (writer != null && closed.compareAndSet(false, true)) {
            try {
                writer.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static double millis(long nanos) {
        return Math.round(nanos / 1000.0) / 1000.0;
    }

    static String text(RequestRecord r) {
        StringBuilder b = new StringBuilder(200);
        b.append(Instant.ofEpochMilli(r.startEpochMillis)).append(' ')
                .append(r.clientIp == null ? r.peerAddress : r.clientIp).append(" \"")
                .append(r.method).append(' ').append(r.uri).append("\" ").append(r.status)
                .append(" in=").append(r.bytesIn).append(" out=").append(r.bytesOut)
                .append(" rid=").append(r.requestId)
                .append(" route=").append(r.route == null ? "-" : r.route.name())
                .append(" upstream=").append(r.upstream == null ? "-" : r.upstream)
                .append(" server=").append(r.upstreamServer == null ? "-" : r.upstreamServer)
                .append(" total_ms=").append(millis(r.totalNanos))
                .append(" connect_ms=").append(millis(r.upstreamConnectNanos))
                .append(" header_ms=").append(millis(r.upstreamHeaderNanos))
                .append(" attempts=").append(r.attempts);
        if (r.cacheStatus != null) {
            b.append(" cache=").append(r.cacheStatus);
        }
        if (r.rateLimited) {
            b.append(" rate_limited");
        }
        if (r.attemptLog != null) {
            b.append(" [").append(r.attemptLog).append(']');
        }
        if (r.error != null) {
            b.append(" error=\"").append(r.error.detail().replace('"', '\'')).append('"');
        }
        if (r.clientAborted) {
            b.append(" client_aborted");
        }
        return b.toString();
    }

    static String json(RequestRecord r) {
        StringBuilder b = new StringBuilder(300).append('{');
        requestFields(b, r);
        field(b, "upstream", r.upstream).append(',');
        field(b, "server", r.upstreamServer).append(',');
        if (r.cacheStatus != null) {
            field(b, "cache", r.cacheStatus).append(',');
        }
        if (r.rateLimited) {
            b.append("\"rate_limited\":true,");
        }
        b.append("\"status\":").append(r.status).append(",\"bytes_in\":").append(r.bytesIn)
                .append(",\"bytes_out\":").append(r.bytesOut)
                .append(",\"total_ms\":").append(millis(r.totalNanos))
                .append(",\"connect_ms\":").append(millis(r.upstreamConnectNanos))
                .append(",\"header_ms\":").append(millis(r.upstreamHeaderNanos))
                .append(",\"attempts\":").append(r.attempts).append(',');
        field(b, "attempt_log", r.attemptLog == null ? null : r.attemptLog.toString()).append(',');
        field(b, "error", r.error == null ? null : r.error.detail());
        if (r.clientAborted) {
            b.append(",\"client_aborted\":true");
        }
        return b.append('}').toString();
    }

    /**
     * The audit line: who, which route, the score, whether it was blocked (by the score or a custom rule, or with
     * 413 for a body over {@code waf.body_limit} under {@code body_over_limit: block}), {@code body_truncated} when
     * the body was longer than {@code waf.body_limit}, and each match with its rule, family, target and the
     * fragment that matched (already truncated by the engine).
     */
    static String auditJson(RequestRecord r) {
        StringBuilder b = new StringBuilder(300).append('{');
        requestFields(b, r);
        b.append("\"score\":").append(r.wafScore).append(",\"blocked\":")
                .append(r.error instanceof dev.aegis.pipeline.ProxyError.Blocked
                        || r.error instanceof dev.aegis.pipeline.ProxyError.BodyTooLargeForInspection);
        if (r.wafBodyTruncated) {
            b.append(",\"body_truncated\":true");
        }
        b.append(",\"matches\":[");
        for (int i = 0; i < r.wafMatches.size(); i++) {
            dev.aegis.waf.WafMatch m = r.wafMatches.get(i);
            b.append(i == 0 ? "{" : ",{").append("\"rule_id\":").append(m.ruleId()).append(',');
            field(b, "family", m.family()).append(',');
            field(b, "target", m.target()).append(',');
            field(b, "fragment", m.fragment()).append(",\"severity\":").append(m.severity()).append('}');
        }
        return b.append("]}").toString();
    }

    /** The fields the access and audit lines both start with, so the two always name a request alike. */
    private static void requestFields(StringBuilder b, RequestRecord r) {
        field(b, "time", Instant.ofEpochMilli(r.startEpochMillis).toString()).append(',');
        field(b, "request_id", r.requestId).append(',');
        field(b, "client_ip", r.clientIp == null ? r.peerAddress : r.clientIp).append(',');
        field(b, "method", r.method).append(',');
        field(b, "path", r.uri).append(',');
        field(b, "route", r.route == null ? null : r.route.name()).append(',');
    }

    private static StringBuilder field(StringBuilder b, String name, String value) {
        b.append('"').append(name).append("\":");
        if (value == null) {
            return b.append("null");
        }
        JsonString.appendQuoted(b, value);
        return b;
    }
}
