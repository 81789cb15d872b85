package dev.aegis.origin;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one {@link MockOrigin} shares across its connections and event-loop threads: the counters and records
 * tests read, and the state of its cacheable resources. Lock-free, because under load every request of every
 * connection passes through it.
 */
final class OriginState {
    static final int TARGETS_KEPT = 100_000;

    private record Target(long seq, String uri) {}

    private record Completed(HttpRequest request, long bodyBytes) {}

    private final LongAdder accepted = new LongAdder();
    private final AtomicLong open = new AtomicLong();
    private final LongAdder requests = new LongAdder();

    // A ring of the last TARGETS_KEPT request-targets. Each slot remembers its sequence number so a snapshot
    // taken while writers lap the ring can tell a current entry from an overwritten or not yet written one.
    private final AtomicLong targetSeq = new AtomicLong();
    private final AtomicReferenceArray<Target> targets = new AtomicReferenceArray<>(TARGETS_KEPT);
    private volatile long targetBase;

    private volatile Completed last;

    // Never reset: a proxy cache may still hold an earlier fetch, and its number must stay distinguishable.
    private final AtomicLong cacheFetches = new AtomicLong();
    private final long lastModifiedMillis;
    private final AsciiString lastModified;

    OriginState() {
        // HTTP dates have one-second resolution (RFC 9110 §5.6.7); compare If-Modified-Since at that resolution.
        lastModifiedMillis = System.currentTimeMillis() / 1000 * 1000;
        lastModified = HttpDate.format(lastModifiedMillis);
    }

    void connectionOpened() {
        accepted.increment();
        open.incrementAndGet();
    }

    void connectionClosed() {
        open.decrementAndGet();
    }

    void requestReceived(String uri) {
        requests.increment();
        long seq = targetSeq.getAndIncrement();
        targets.setRelease((int) (seq % TARGETS_KEPT), new Target(seq, uri));
    }

    void requestCompleted(HttpRequest request, long bodyBytes) {
        // Kept as the decoded head and converted on demand: nothing is copied per request under load. The
        // head is not modified after this point, and the volatile write publishes it.
        last = new Completed(request, bodyBytes);
    }

    long nextCacheFetch() {
        return cacheFetches.incrementAndGet();
    }

    long lastModifiedMillis() {
        return lastModifiedMillis;
    }

    AsciiString lastModified() {
        return lastModified;
    }

    long connectionsAccepted() {
        return accepted.sum();
    }

    long openConnections() {
        return open.get();
    }

    long requestsServed() {
        return requests.sum();
    }

    List<String> requestTargets() {
        long end = targetSeq.get();
        long start = Math.max(targetBase, end - TARGETS_KEPT);
        List<String> out = new ArrayList<>((int) (end - start));
        for (long seq = start; seq < end; seq++) {
            Target t = targets.getAcquire((int) (seq % TARGETS_KEPT));
            if (t != null && t.seq() == seq) {
                out.add(t.uri());
            }
        }
        return out;
    }

    RecordedRequest lastRequest() {
        Completed c = last;
        if (c == null) {
            return null;
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : c.request().headers()) {
            headers.computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(h.getValue());
        }
        return new RecordedRequest(c.request().method().name(), c.request().uri(), headers, c.bodyBytes());
    }

    void resetCounters() {
        accepted.reset();
        requests.reset();
        targetBase = targetSeq.get();
        last = null;
    }
}
