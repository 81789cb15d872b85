package dev.aegis.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** Sync messages survive the round trip, and malformed ones are refused with a message, never a crash. */
class DeltaCodecTest {

    @Property
    void roundTrips(@ForAll @Size(max = 30) List<@LongRange(max = Long.MAX_VALUE) Long> counts,
                    @ForAll @IntRange(min = 0, max = 3) int kind, @ForAll @LongRange(max = Long.MAX_VALUE) long sent) {
        List<Delta.Slot> slots = new ArrayList<>();
        List<LwwExpiringSet.Entry> entries = new ArrayList<>();
        for (int i = 0; i < counts.size(); i++) {
            slots.add(new Delta.Slot("route:api\n1000\n" + i + "\nk" + (i % 3), "node-" + (i % 4), counts.get(i)));
            entries.add(new LwwExpiringSet.Entry("192.0.2." + i + "/32",
                    i % 3 == 1 ? null : new Stamp(counts.get(i), "node-" + (i % 2), i * 1000L),
                    i % 2 == 0 ? null : new Stamp(counts.get(i) / 2, "ñode-é", 0)));
        }
        Delta d = new Delta(Delta.Kind.values()[kind], "edge-1", sent, slots, entries,
                counts.size() % 2 == 0 ? List.of() : List.of("=GET http://a/x", "^GET http://a/static/"));
        assertThat(DeltaCodec.decode(DeltaCodec.encode(d))).isEqualTo(d);
    }

    @Test
    void anotherVersionIsRefused() {
        byte[] b = DeltaCodec.encode(Delta.empty(Delta.Kind.HEARTBEAT, "a", 1));
        b[0] = 2;
        assertThatThrownBy(() -> DeltaCodec.decode(b)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version 2");
    }

    @Property(tries = 2000)
    void garbageIsRefusedCleanly(@ForAll @Size(max = 64) byte[] bytes) {
        try {
            DeltaCodec.decode(bytes);
        } catch (IllegalArgumentException expected) {
            // refused with a message: fine
        }
    }

    @Property(tries = 500)
    void truncatedOrFlippedMessagesAreRefusedCleanly(@ForAll @IntRange(min = 0, max = 200) int cut,
                                                     @ForAll @IntRange(min = 0, max = 255) int flip) {
        List<Delta.Slot> slots = List.of(new Delta.Slot("c1", "a", 5), new Delta.Slot("c2", "b", 1L << 40));
        byte[] full = DeltaCodec.encode(new Delta(Delta.Kind.DELTA, "a", 123, slots,
                List.of(new LwwExpiringSet.Entry("10.0.0.0/8", new Stamp(9, "a", 99), null))));
        byte[] b = java.util.Arrays.copyOf(full, Math.min(full.length, cut));
        if (b.length > 0) {
            b[flip % b.length] ^= (byte) flip;
        }
        try {
            DeltaCodec.decode(b);
        } catch (IllegalArgumentException expected) {
            // refused with a message: fine
        }
    }
}
