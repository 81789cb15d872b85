package dev.aegis.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** The G-Counter and PN-Counter are CRDTs: merge is commutative, associative, idempotent, and replicas converge. */
class GCounterPropertiesTest {

    /** A replica owned by node {@code self} holding the given counts (index = node). */
    static GCounter replica(int self, List<Long> counts) {
        GCounter c = new GCounter(self);
        for (int i = 0; i < counts.size(); i++) {
            c.mergeSlot(i, counts.get(i));
        }
        return c;
    }

    static List<Long> state(GCounter c, int nodes) {
        List<Long> s = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            s.add(c.slot(i));
        }
        return s;
    }

    static GCounter copy(GCounter c, int self, int nodes) {
        return replica(self, state(c, nodes));
    }

    @Property
    void mergeIsCommutative(@ForAll @Size(4) List<@LongRange(max = 1_000_000) Long> a,
                            @ForAll @Size(4) List<@LongRange(max = 1_000_000) Long> b) {
        GCounter ab = replica(0, a);
        ab.merge(replica(1, b));
        GCounter ba = replica(1, b);
        ba.merge(replica(0, a));
        assertThat(state(ab, 4)).isEqualTo(state(ba, 4));
        assertThat(ab.value()).isEqualTo(ba.value());
    }

    @Property
    void mergeIsAssociative(@ForAll @Size(4) List<@LongRange(max = 1_000_000) Long> a,
                            @ForAll @Size(4) List<@LongRange(max = 1_000_000) Long> b,
                            @ForAll @Size(4) List<@LongRange(max = 1_000_000) Long> c) {
        GCounter left = replica(0, a);       // (a ⊔ b) ⊔ c
        left.merge(replica(1, b));
        left.merge(replica(2, c));
        GCounter bc = replica(1, b);          // a ⊔ (b ⊔ c)
        bc.merge(replica(2, c));
        GCounter right = replica(0, a);
        right.merge(bc);
        assertThat(state(left, 4)).isEqualTo(state(right, 4));
    }

    @Property
    void mergeIsIdempotent(@ForAll @Size(4) List<@LongRange(max = 1_000_000) Long> a,
                           @ForAll @Size(4) List<@LongRange(max = 1_000_000) Long> b) {
        GCounter x = replica(0, a);
        x.merge(replica(1, b));
        List<Long> once = state(x, 4);
        assertThat(x.merge(replica(1, b))).isFalse();
        assertThat(x.merge(copy(x, 2, 4))).isFalse();
        assertThat(state(x, 4)).isEqualTo(once);
    }

    /**
     * Three replicas increment at random; every replica's delta slots (its own count after each round) are
     * delivered to the others shuffled, duplicated, some late. Once all are delivered, every replica holds the
     * same state and its value is exactly the number of increments made anywhere.
     */
    @Property(tries = 200)
    void replicasConvergeUnderReorderingAndDuplicates(@ForAll @IntRange(min = 1, max = 30) int rounds,
                                                     @ForAll long seed) {
        Random rnd = new Random(seed);
        int n = 3;
        GCounter[] r = new GCounter[n];
        for (int i = 0; i < n; i++) {
            r[i] = new GCounter(i);
        }
        long total = 0;
        List<long[]> inFlight = new ArrayList<>(); // {to, node, count}
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < n; i++) {
                int k = rnd.nextInt(5);
                r[i].add(k);
                total += k;
                for (int to = 0; to < n; to++) {
                    if (to != i) {
                        int copies = 1 + rnd.nextInt(2);
                        for (int c = 0; c < copies; c++) {
                            inFlight.add(new long[] {to, i, r[i].localValue()});
                        }
                    }
                }
            }
            Collections.shuffle(inFlight, rnd);
            // deliver a random part now, keep the rest for later rounds (delay)
            int deliver = rnd.nextInt(inFlight.size() + 1);
            for (int d = 0; d < deliver; d++) {
                long[] m = inFlight.remove(inFlight.size() - 1);
                r[(int) m[0]].mergeSlot((int) m[1], m[2]);
            }
        }
        Collections.shuffle(inFlight, rnd);
        for (long[] m : inFlight) {
            r[(int) m[0]].mergeSlot((int) m[1], m[2]);
        }
        for (int i = 0; i < n; i++) {
            assertThat(state(r[i], n)).isEqualTo(state(r[0], n));
            assertThat(r[i].value()).isEqualTo(total);
        }
    }

    @Property
    void pnCounterConverges(@ForAll @Size(max = 40) List<@IntRange(min = -5, max = 5) Integer> ops,
                            @ForAll long seed) {
        Random rnd = new Random(seed);
        PNCounter a = new PNCounter(0);
        PNCounter b = new PNCounter(1);
        long expected = 0;
        for (int op : ops) {
            (rnd.nextBoolean() ? a : b).add(op);
            expected += op;
        }
        PNCounter a2 = new PNCounter(0);
        a2.merge(a);
        a.merge(b);
        b.merge(a2);
        b.merge(a2); // duplicate
        assertThat(a.value()).isEqualTo(expected);
        assertThat(b.value()).isEqualTo(expected);
    }

    @Property
    void aRestartedNodeCountsOnTopOfWhatPeersRemember(@ForAll @LongRange(min = 1, max = 10_000) long before,
                                                      @ForAll @LongRange(max = 100) long after) {
        GCounter restarted = new GCounter(0); // lost its count; a peer remembers `before`
        restarted.mergeSlot(0, before);
        restarted.add(after);
        assertThat(restarted.localValue()).isEqualTo(before + after);
    }

    @Property
    void aMergeKeepsEverySlotWhateverOwnsTheHighest(@ForAll @IntRange(min = 0, max = 5) int self,
                                                   @ForAll @Size(6) List<@LongRange(max = 1000) Long> counts) {
        GCounter other = replica(self == 0 ? 1 : 0, counts);
        GCounter into = new GCounter(self); // knows no other node yet
        into.merge(other);
        assertThat(state(into, 6)).isEqualTo(state(other, 6));
    }
}
