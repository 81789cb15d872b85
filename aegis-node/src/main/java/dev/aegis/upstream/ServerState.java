package dev.aegis.upstream;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live state of one server of an {@link UpstreamGroup} (in-flight requests, passive and active health, counters),
 * read by the balancer on every pick and shared by all event loops, so it holds only atomics and volatiles.
 *
 * <p>Time is always passed in as {@link System#nanoTime()} values, so tests advance it instead of sleeping. Deadlines
 * are compared as {@code now - deadline < 0}, which stays right when nanoTime wraps or is negative.
 *
 * <p>Passive health works like nginx's {@code max_fails}/{@code fail_timeout}: {@code failures} consecutive failed
 * attempts eject the server for {@code cooldown}. When it ejects, the consecutive-failure counter is left at
 * {@code failures - 1}, so after the cooldown the server is tried again but a single further failure ejects it again
 * (half-open); one success resets the counter to zero.
 */
public final class ServerState {
    /** {@link #ejectedUntil} when the server is not ejected; a real deadline equal to it is nudged by one. */
    private static final long NOT_EJECTED = Long.MIN_VALUE;

    public final UpstreamServer server;
    /** Position in the group; also this server's bit in a balancer's exclude mask. */
    public final int index;

    private final AtomicInteger inFlight = new AtomicInteger();
    // Incremented on every request by every event loop: a LongAdder keeps them from contending on one cache line.
    private final LongAdder requestsTotal = new LongAdder();
    private final AtomicLong failuresTotal = new AtomicLong();
    private final AtomicLong ejectionsTotal = new AtomicLong();

    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicLong ejectedUntil = new AtomicLong(NOT_EJECTED);

    private volatile boolean activeHealthy = true;
    private final AtomicInteger activeSuccesses = new AtomicInteger();
    private final AtomicInteger activeFailures = new AtomicInteger();

    public ServerState(UpstreamServer server, int index) {
        this.server = server;
        this.index = index;
    }

    // ---- load

    /** An attempt on this server begins; pair it with exactly one {@link #requestFinished()}. */
    public void requestStarted() {
        inFlight.incrementAndGet();
        requestsTotal.increment();
    }

    /** The attempt begun by {@link #requestStarted()} is over, whatever its outcome. */
    public void requestFinished() {
        inFlight.decrementAndGet();
    }

    /** Attempts in flight on this server, across all event loops (least_conn and p2c compare it). */
    public int inFlight() {
        return inFlight.get();
    }

    // ---- availability

    /** Whether a balancer may pick this server: the active check says healthy and passive health has not ejected it. */
    public boolean available(long nowNanos) {
        return activeHealthy && !ejected(nowNanos);
    }

    /** Available and its bit not set in {@code excludeMask}; servers past index 63 have no bit and are never excluded. */
    boolean eligible(long nowNanos, long excludeMask) {
        return (index >= 64 || (excludeMask & (1L << index)) == 0) && available(nowNanos);
    }

    // ---- passive health

    /** Passive health has ejected the server and its cooldown has not run out at {@code nowNanos}. */
    public boolean ejected(long nowNanos) {
        long until = ejectedUntil.get();
        return until != NOT_EJECTED && nowNanos - until < 0;
    }

    /** A successful attempt: the server is fully trusted again (counter back to zero). */
    public void recordSuccess() {
        // Read before write: most requests succeed, and a plain read keeps the cache line shared between loops.
        if (consecutiveFailures.get() != 0) {
            consecutiveFailures.set(0);
        }
    }

    /**
     * A failed attempt (connect error, reset, timeout). Ejects the server until {@code nowNanos + cooldownNanos} when
     * this is the {@code failuresThreshold}-th consecutive failure, or the first failure after a cooldown ran out.
     *
     * @return true only for the one call that ejected the server (so the caller logs the ejection once)
     */
    public boolean recordFailure(long nowNanos, int failuresThreshold, long cooldownNanos) {
        failuresTotal.incrementAndGet();
        int threshold = Math.max(1, failuresThreshold);
        int failures = consecutiveFailures.incrementAndGet();
        if (failures < threshold) {
            return false;
        }
        long until = ejectedUntil.get();
        if (until != NOT_EJECTED && nowNanos - until < 0) {
            return false; // already ejected: a late failure of a request that started before must not extend it
        }
        long deadline = nowNanos + cooldownNanos;
        if (deadline == NOT_EJECTED) {
            deadline++;
        }
        // Several loops may cross the threshold at once; only the one whose CAS wins ejects and reports it.
        if (!ejectedUntil.compareAndSet(until, deadline)) {
            return false;
        }
        ejectionsTotal.incrementAndGet();
        consecutiveFailures.set(threshold - 1); // half-open after the cooldown: one more failure re-ejects
        activeSuccesses.set(0); // the active check must see `healthy` passes after this before it lifts the ejection
        return true;
    }

    /** Lifts a passive ejection and forgets consecutive failures (an active check found the server healthy again). */
    public void clearEjection() {
        ejectedUntil.set(NOT_EJECTED);
        consecutiveFailures.set(0);
    }

    // ---- active health

    /**
     * The result of one active health check. {@code unhealthyThreshold} consecutive failures mark the server down;
     * {@code healthyThreshold} consecutive successes mark it up and lift a passive ejection. Passes while the server
     * is up and not ejected change nothing else, so they do not wipe a passive failure count that is building up.
     */
    public void activeResult(boolean ok, int healthyThreshold, int unhealthyThreshold) {
        if (ok) {
            activeFailures.set(0);
            if (activeSuccesses.incrementAndGet() >= Math.max(1, healthyThreshold)
                    && (!activeHealthy || ejectedUntil.get() != NOT_EJECTED)) {
                activeHealthy = true;
                clearEjection();
            }
        } else {
            activeSuccesses.set(0);
            if (activeFailures.incrementAndGet() >= Math.max(1, unhealthyThreshold)) {
                activeHealthy = false;
            }
        }
    }

    /** What the active health check last concluded; true until it has seen {@code unhealthy} failures in a row. */
    public boolean activeHealthy() {
        return activeHealthy;
    }

    // ---- observability

    /** Failed attempts on this server since it entered the config (carried over reloads). */
    public long failuresTotal() {
        return failuresTotal.get();
    }

    /** Times passive health ejected this server (carried over reloads). */
    public long ejectionsTotal() {
        return ejectionsTotal.get();
    }

    /** Attempts started on this server (carried over reloads). */
    public long requestsTotal() {
        return requestsTotal.sum();
    }

    // ---- reload

    /**
     * Carries the health of the same server in the group being replaced over to this one, so a reload neither
     * revives an ejected or down server nor forgets failures in progress; the totals carry over too, so metrics
     * counters stay monotonic. In-flight counts do not: requests started on the old snapshot finish on the old state.
     * Call before this state is published to any event loop.
     */
    public void copyHealthFrom(ServerState previous) {
        activeHealthy = previous.activeHealthy;
        activeSuccesses.set(previous.activeSuccesses.get());
        activeFailures.set(previous.activeFailures.get());
        consecutiveFailures.set(previous.consecutiveFailures.get());
        ejectedUntil.set(previous.ejectedUntil.get());
        requestsTotal.add(previous.requestsTotal.sum());
        failuresTotal.addAndGet(previous.failuresTotal.get());
        ejectionsTotal.addAndGet(previous.ejectionsTotal.get());
    }

    @Override
    public String toString() {
        return server.key() + "#" + index;
    }
}
