package dev.aegis.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.config.RateLimitPolicy;
import dev.aegis.crdt.NodeIndex;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * An attacker rotating addresses: one million distinct client keys within one minute leave the counters under
 * their cap and the heap under a bound, with every eviction counted.
 */
class CounterStoreMemoryTest {

    static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void aMillionDistinctKeysStayUnderTheCap() {
        AtomicLong wall = new AtomicLong(1_700_000_000_000L);
        long cap = 50_000;
        CounterStore store = new CounterStore("a", new NodeIndex(), cap, Duration.ofMillis(100), wall::get,
                System::nanoTime);
        RateLimiter limiter = new RateLimiter("r", new RateLimitPolicy("client_ip", 100, Duration.ofMinutes(1),
                RateLimitPolicy.SyncLossPolicy.LOCAL_SHARE), store, SyncStatus.SINGLE_NODE, wall::get);
        long before = usedHeapAfterGc();
        for (int i = 0; i < 1_000_000; i++) {
            String ip = "10." + (i >>> 16 & 0xFF) + "." + (i >>> 8 & 0xFF) + "." + (i & 0xFF);
            assertThat(limiter.acquire(ip).allowed()).isTrue();
            if ((i & 0xFFFF) == 0) {
                wall.addAndGet(3_000); // a minute of traffic, all in one window and the next
                store.drainDelta(); // what the sync thread does every interval
            }
        }
        store.drainDelta();
        long after = usedHeapAfterGc();
        assertThat(store.size()).isLessThanOrEqualTo(cap);
        assertThat(store.evictions()).isGreaterThanOrEqualTo(1_000_000 - cap);
        // ~200 bytes a counter at the cap: well under 64 MiB whatever the collector keeps around
        assertThat(after - before).as("heap growth in bytes").isLessThan(64L << 20);
    }
}
