package dev.aegis.metrics;

import dev.aegis.pipeline.RequestRecord;
import dev.aegis.waf.WafMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The last N requests the WAF matched on, for {@code GET /admin/waf/recent} and the dashboard: a ring that event
 * loops write to without locks (a slot per sequence number; a reader may see a slot overwritten under it, and
 * then simply shows the newer decision).
 */
public final class RecentWafDecisions {
    /** One request the WAF matched on, as the admin API shows it. */
    public record Decision(long seq, long epochMillis, String requestId, String clientIp, String method, String uri,
            String route, int score, boolean blocked, List<WafMatch> matches) {
    }

    private final AtomicReferenceArray<Decision> ring;
    private final AtomicLong next = new AtomicLong();

    RecentWafDecisions(int capacity) {
        ring = new AtomicReferenceArray<>(capacity);
    }

    void add(RequestRecord r, boolean blocked) {
        long seq = next.getAndIncrement();
        String uri = r.uri == null ? "" : r.uri.length() > 512 ? r.uri.substring(0, 512) : r.uri;
        ring.set((int) (seq % ring.length()), new Decision(seq, r.startEpochMillis, r.requestId,
                r.clientIp != null ? r.clientIp : r.peerAddress, r.method, uri,
                r.route == null ? NodeMetrics.NO_ROUTE : r.route.name(), r.wafScore, blocked, r.wafMatches));
    }

    /** Up to {@code limit} decisions, newest first. */
    public List<Decision> newest(int limit) {
        long end = next.get();
        List<Decision> out = new ArrayList<>(Math.min(limit, ring.length()));
        for (long seq = end - 1; seq >= 0 && seq >= end - ring.length() && out.size() < limit; seq--) {
            Decision d = ring.get((int) (seq % ring.length()));
            if (d != null && d.seq() == seq) {
                out.add(d);
            }
        }
        return out;
    }

    /** How many decisions were recorded since start. */
    public long total() {
        return next.get();
    }
}
