package dev.aegis.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.config.RateLimitPolicy;
import dev.aegis.config.RateLimitPolicy.SyncLossPolicy;
import dev.aegis.crdt.Delta;
import dev.aegis.crdt.NodeIndex;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The sliding-window limiter on one node and between replicas, with time held still or moved by the test. */
class RateLimiterTest {
    final AtomicLong wall = new AtomicLong(1_000_000_000L); // a window boundary for 1 s and 10 s windows
    final AtomicLong nanos = new AtomicLong(1);

    CounterStore store(String node) {
        return new CounterStore(node, new NodeIndex(), 100_000, Duration.ofMillis(100), wall::get, nanos::get);
    }

    static SyncStatus status(boolean inSync, int live) {
        return new SyncStatus() {
            @Override
            public boolean inSync() {
                return inSync;
            }

            @Override
            public int liveNodes() {
                return live;
            }
        };
    }

    static RateLimitPolicy policy(long limit, Duration window, SyncLossPolicy onLoss) {
        return new RateLimitPolicy("client_ip", limit, window, onLoss);
    }

    int admitted(RateLimiter limiter, String key, int tries) {
        int ok = 0;
        for (int i = 0; i < tries; i++) {
            if (limiter.acquire(key).allowed()) {
                ok++;
            }
        }
        return ok;
    }

    @Test
    void aSingleNodeAdmitsExactlyItsLimit() {
        RateLimiter limiter = new RateLimiter("r", policy(1000, Duration.ofSeconds(10), SyncLossPolicy.LOCAL_SHARE),
                store("a"), SyncStatus.SINGLE_NODE, wall::get);
        assertThat(admitted(limiter, "k", 1500)).isEqualTo(1000);
        RateDecision denied = limiter.acquire("k");
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.limit()).isEqualTo(1000);
        assertThat(denied.resetSeconds()).isEqualTo(10);
        assertThat(admitted(limiter, "other", 5)).isEqualTo(5); // keys are counted apart
    }

    @Test
    void twoThreadsTogetherAdmitExactlyTheLimit() throws Exception {
        RateLimiter limiter = new RateLimiter("r", policy(10_000, Duration.ofSeconds(10), SyncLossPolicy.LOCAL_SHARE),
                store("a"), SyncStatus.SINGLE_NODE, wall::get);
        AtomicInteger ok = new AtomicInteger();
        Thread[] threads = new Thread[2];
        for (int t = 0; t < 2; t++) {
            threads[t] = new Thread(() -> ok.addAndGet(admitted(limiter, "k", 8_000)));
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(ok.get()).isEqualTo(10_000);
    }

    @Test
    void theSlidingWindowWeighsThePreviousWindow() {
        RateLimiter limiter = new RateLimiter("r", policy(100, Duration.ofSeconds(1), SyncLossPolicy.LOCAL_SHARE),
                store("a"), SyncStatus.SINGLE_NODE, wall::get);
        assertThat(admitted(limiter, "k", 100)).isEqualTo(100);
        wall.addAndGet(1_000); // next window starts: the previous one still weighs 100 %
        assertThat(admitted(limiter, "k", 10)).isZero();
        wall.addAndGet(250); // 75 % of the previous window is still inside the sliding window: 75 counted
        assertThat(admitted(limiter, "k", 100)).isEqualTo(25);
        wall.addAndGet(1_750); // two windows later nothing remains
        assertThat(admitted(limiter, "k", 150)).isEqualTo(100);
    }

    @Test
    void replicasShareOneLimit() {
        CounterStore a = store("a");
        CounterStore b = store("b");
        RateLimitPolicy p = policy(100, Duration.ofSeconds(10), SyncLossPolicy.LOCAL_SHARE);
        RateLimiter la = new RateLimiter("r", p, a, status(true, 2), wall::get);
        RateLimiter lb = new RateLimiter("r", p, b, status(true, 2), wall::get);
        assertThat(admitted(la, "k", 60)).isEqualTo(60);
        b.merge(a.drainDelta());
        assertThat(admitted(lb, "k", 60)).isEqualTo(40);
        a.merge(b.drainDelta());
        assertThat(admitted(la, "k", 10)).isZero();
        // a duplicate or stale delta changes nothing
        a.merge(List.of(new Delta.Slot(CounterStore.id("r", 10_000, 100_000, "k"), "b", 5)));
        assertThat(a.total("r", Duration.ofSeconds(10), 100_000, "k")).isEqualTo(100);
    }

    @Test
    void outOfSyncTheSyncLossPolicyDecides() {
        RateLimitPolicy share = policy(90, Duration.ofSeconds(10), SyncLossPolicy.LOCAL_SHARE);
        RateLimitPolicy full = policy(90, Duration.ofSeconds(10), SyncLossPolicy.LOCAL_FULL);
        RateLimitPolicy deny = policy(90, Duration.ofSeconds(10), SyncLossPolicy.DENY);
        SyncStatus lost = status(false, 3);
        assertThat(admitted(new RateLimiter("s", share, store("a"), lost, wall::get), "k", 100)).isEqualTo(30);
        assertThat(admitted(new RateLimiter("f", full, store("a"), lost, wall::get), "k", 100)).isEqualTo(90);
        RateDecision d = new RateLimiter("d", deny, store("a"), lost, wall::get).acquire("k");
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason()).isEqualTo("sync-loss-deny");
    }

    @Test
    void peersPaceIsPredictedBetweenSyncs() {
        CounterStore a = store("a");
        CounterStore b = store("b");
        RateLimitPolicy p = policy(1000, Duration.ofSeconds(10), SyncLossPolicy.LOCAL_SHARE);
        RateLimiter lb = new RateLimiter("r", p, b, status(true, 2), wall::get);
        RateLimiter la = new RateLimiter("r", p, a, status(true, 2), wall::get);
        // b sees a count 100 per 100 ms
        for (int i = 1; i <= 3; i++) {
            admitted(la, "k", 100);
            nanos.addAndGet(100_000_000);
            b.merge(a.drainDelta());
        }
        // 100 ms after a's last delta, b expects a to have admitted about 100 more
        nanos.addAndGet(99_000_000);
        int ok = admitted(lb, "k", 1000);
        assertThat(ok).isBetween(595, 605); // 1000 - 300 known - ~100 predicted
    }
}
