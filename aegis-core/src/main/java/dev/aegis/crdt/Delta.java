package dev.aegis.crdt;

import java.util.List;

/**
 * One sync message between nodes: who sent it and when, the counter slots it carries (only what changed since the
 * sender's previous delta, or everything in a full state) and the set entries. {@link DeltaCodec} gives its bytes.
 *
 * @param kind what the message is for
 * @param origin the sending node's id
 * @param sentMillis the sender's wall clock when it sent the message (a receiver's sync lag is measured from it)
 * @param slots counter slots: counter id, node id, that node's count
 * @param entries blocklist entries
 * @param purges cache purges to apply: {@code =URL} (exact) or {@code ^PREFIX}, normalised URLs
 */
public record Delta(Kind kind, String origin, long sentMillis, List<Slot> slots, List<LwwExpiringSet.Entry> entries,
                    List<String> purges) {

    /** What a sync message is for. */
    public enum Kind {
        /** What changed on the sender since its previous delta. */
        DELTA,
        /** The sender's whole state: the answer to a {@link #STATE_REQUEST}. */
        FULL_STATE,
        /** A node announces it is alive (carries nothing). */
        HEARTBEAT,
        /** A node that joins or returns asks the others for their state. */
        STATE_REQUEST
    }

    /** Node {@code node}'s count in counter {@code counter}. */
    public record Slot(String counter, String node, long count) {
    }

    public Delta {
        slots = List.copyOf(slots);
        entries = List.copyOf(entries);
        purges = List.copyOf(purges);
    }

    /** Without purges. */
    public Delta(Kind kind, String origin, long sentMillis, List<Slot> slots, List<LwwExpiringSet.Entry> entries) {
        this(kind, origin, sentMillis, slots, entries, List.of());
    }

    /** A message with nothing but its kind, origin and time (heartbeat, state request). */
    public static Delta empty(Kind kind, String origin, long sentMillis) {
        return new Delta(kind, origin, sentMillis, List.of(), List.of());
    }
}
