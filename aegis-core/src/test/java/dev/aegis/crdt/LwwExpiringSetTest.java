package dev.aegis.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The blocklist's set: last writer wins by hybrid clock, adds expire, and replicas converge whatever the order. */
class LwwExpiringSetTest {

    @Test
    void aRemovalIsNotUndoneByAnAddFromASkewedClock() {
        AtomicLong fast = new AtomicLong(1_000_000); // node a's clock runs 10 s ahead of b's
        AtomicLong slow = new AtomicLong(990_000);
        LwwExpiringSet a = new LwwExpiringSet("a", new HybridClock(fast::get));
        LwwExpiringSet b = new LwwExpiringSet("b", new HybridClock(slow::get));
        a.add("203.0.113.7/32", 2_000_000);
        b.merge(a.get("203.0.113.7/32"));
        assertThat(b.contains("203.0.113.7/32")).isTrue();
        b.remove("203.0.113.7/32"); // b's wall clock is behind the add, but its HLC has seen it
        a.merge(b.get("203.0.113.7/32"));
        assertThat(a.contains("203.0.113.7/32")).isFalse();
        assertThat(b.contains("203.0.113.7/32")).isFalse();
        // the original add, delivered again late, changes nothing
        LwwExpiringSet.Entry stale = new LwwExpiringSet.Entry("203.0.113.7/32",
                a.get("203.0.113.7/32").added(), null);
        b.merge(stale);
        assertThat(b.contains("203.0.113.7/32")).isFalse();
    }

    @Test
    void anAddExpires() {
        AtomicLong now = new AtomicLong(1_000);
        LwwExpiringSet s = new LwwExpiringSet("a", new HybridClock(now::get));
        s.add("10.0.0.0/8", 5_000);
        assertThat(s.contains("10.0.0.0/8")).isTrue();
        now.set(5_000);
        assertThat(s.contains("10.0.0.0/8")).isFalse();
        now.set(5_000 + 61_000);
        s.prune(now.get(), 60_000);
        assertThat(s.size()).isZero();
    }

    /** Three replicas with skewed clocks add and remove; entries exchanged shuffled and duplicated converge. */
    @Property(tries = 200)
    void replicasConverge(@ForAll @IntRange(min = 1, max = 40) int ops, @ForAll long seed) {
        Random rnd = new Random(seed);
        AtomicLong[] clocks = {new AtomicLong(100_000), new AtomicLong(95_000), new AtomicLong(107_000)};
        LwwExpiringSet[] r = new LwwExpiringSet[3];
        for (int i = 0; i < 3; i++) {
            r[i] = new LwwExpiringSet("n" + i, new HybridClock(clocks[i]::get));
        }
        String[] elements = {"192.0.2.1/32", "198.51.100.0/24", "2001:db8::/32"};
        List<Object[]> inFlight = new ArrayList<>();
        for (int op = 0; op < ops; op++) {
            int i = rnd.nextInt(3);
            clocks[i].addAndGet(rnd.nextInt(50));
            String el = elements[rnd.nextInt(elements.length)];
            if (rnd.nextBoolean()) {
                r[i].add(el, clocks[i].get() + 1_000_000);
            } else {
                r[i].remove(el);
            }
            for (LwwExpiringSet.Entry e : r[i].drainDelta()) {
                for (int to = 0; to < 3; to++) {
                    if (to != i) {
                        inFlight.add(new Object[] {to, e});
                        if (rnd.nextInt(3) == 0) {
                            inFlight.add(new Object[] {to, e});
                        }
                    }
                }
            }
            if (rnd.nextInt(3) == 0 && !inFlight.isEmpty()) {
                Collections.shuffle(inFlight, rnd);
                Object[] m = inFlight.remove(0);
                r[(int) m[0]].merge((LwwExpiringSet.Entry) m[1]);
            }
        }
        Collections.shuffle(inFlight, rnd);
        for (Object[] m : inFlight) {
            r[(int) m[0]].merge((LwwExpiringSet.Entry) m[1]);
        }
        Set<LwwExpiringSet.Entry> first = new HashSet<>(r[0].all());
        for (int i = 1; i < 3; i++) {
            assertThat(new HashSet<>(r[i].all())).isEqualTo(first);
        }
    }
}
