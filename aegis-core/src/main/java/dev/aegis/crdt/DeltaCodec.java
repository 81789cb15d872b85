package dev.aegis.crdt;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The binary form of a {@link Delta}: a version byte, then varints and a table of the strings it names, so a
 * counter id or node id repeated across slots costs its bytes once.
 *
 * <pre>
 * version=1  kind  origin:ref  sentMillis:varlong
 * strings:   count:varint ( length:varint utf8-bytes )*          -- referenced by index below; origin is first
 * slots:     count:varint ( counter:ref node:ref count:varlong )*
 * entries:   count:varint ( element:ref flags:byte [added: hlc:varlong node:ref expires:varlong]
 *                                                  [removed: hlc:varlong node:ref] )*
 * purges:    count:varint ( text:ref )*                           -- cache purges (=URL or ^PREFIX)
 * </pre>
 * A message of another version, or malformed, is refused with {@link IllegalArgumentException}; decoding never
 * allocates more than the message's length can justify.
 */
public final class DeltaCodec {
    /** The format written; readers refuse any other. */
    public static final byte VERSION = 1;
    private static final int ADDED = 1;
    private static final int REMOVED = 2;

    private DeltaCodec() {
    }

    public static byte[] encode(Delta d) {
        Map<String, Integer> refs = new HashMap<>();
        List<String> table = new ArrayList<>();
        ref(d.origin(), refs, table);
        for (Delta.Slot s : d.slots()) {
            ref(s.counter(), refs, table);
            ref(s.node(), refs, table);
        }
        for (LwwExpiringSet.Entry e : d.entries()) {
            ref(e.element(), refs, table);
            if (e.added() != null) {
                ref(e.added().node(), refs, table);
            }
            if (e.removed() != null) {
                ref(e.removed().node(), refs, table);
            }
        }
        for (String p : d.purges()) {
            ref(p, refs, table);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 + 16 * (d.slots().size() + d.entries().size()));
        out.write(VERSION);
        out.write(d.kind().ordinal());
        writeVarLong(out, d.sentMillis());
        writeVarLong(out, table.size());
        for (String s : table) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            writeVarLong(out, b.length);
            out.write(b, 0, b.length);
        }
        writeVarLong(out, d.slots().size());
        for (Delta.Slot s : d.slots()) {
            writeVarLong(out, refs.get(s.counter()));
            writeVarLong(out, refs.get(s.node()));
            writeVarLong(out, s.count());
        }
        writeVarLong(out, d.entries().size());
        for (LwwExpiringSet.Entry e : d.entries()) {
            writeVarLong(out, refs.get(e.element()));
            out.write((e.added() != null ? ADDED : 0) | (e.removed() != null ? REMOVED : 0));
            if (e.added() != null) {
                writeVarLong(out, e.added().hlc());
                writeVarLong(out, refs.get(e.added().node()));
                writeVarLong(out, e.added().expiresAtMillis());
            }
            if (e.removed() != null) {
                writeVarLong(out, e.removed().hlc());
                writeVarLong(out, refs.get(e.removed().node()));
            }
        }
        writeVarLong(out, d.purges().size());
        for (String p : d.purges()) {
            writeVarLong(out, refs.get(p));
        }
        return out.toByteArray();
    }

    public static Delta decode(byte[] bytes) {
        Reader in = new Reader(bytes);
        int version = in.u8();
        if (version != VERSION) {
            throw new IllegalArgumentException("sync message version " + version + ", this node reads " + VERSION);
        }
        int kind = in.u8();
        if (kind >= Delta.Kind.values().length) {
            throw new IllegalArgumentException("unknown sync message kind " + kind);
        }
        long sent = in.varLong();
        int strings = in.count(1);
        if (strings == 0) {
            throw new IllegalArgumentException("sync message without an origin");
        }
        String[] table = new String[strings];
        for (int i = 0; i < strings; i++) {
            table[i] = in.string();
        }
        int nSlots = in.count(3);
        List<Delta.Slot> slots = new ArrayList<>(nSlots);
        for (int i = 0; i < nSlots; i++) {
            String counter = table[in.ref(strings)];
            String node = table[in.ref(strings)];
            long count = in.varLong();
            if (count < 0) {
                throw new IllegalArgumentException("negative count in sync message");
            }
            slots.add(new Delta.Slot(counter, node, count));
        }
        int nEntries = in.count(2);
        List<LwwExpiringSet.Entry> entries = new ArrayList<>(nEntries);
        for (int i = 0; i < nEntries; i++) {
            String element = table[in.ref(strings)];
            int flags = in.u8();
            Stamp added = null;
            Stamp removed = null;
            if ((flags & ADDED) != 0) {
                long hlc = in.varLong();
                added = new Stamp(hlc, table[in.ref(strings)], in.varLong());
            }
            if ((flags & REMOVED) != 0) {
                long hlc = in.varLong();
                removed = new Stamp(hlc, table[in.ref(strings)], 0);
            }
            entries.add(new LwwExpiringSet.Entry(element, added, removed));
        }
        int nPurges = in.count(1);
        List<String> purges = new ArrayList<>(nPurges);
        for (int i = 0; i < nPurges; i++) {
            purges.add(table[in.ref(strings)]);
        }
        if (in.pos != bytes.length) {
            throw new IllegalArgumentException((bytes.length - in.pos) + " bytes after the end of a sync message");
        }
        return new Delta(Delta.Kind.values()[kind], table[0], sent, slots, entries, purges);
    }

    private static void ref(String s, Map<String, Integer> refs, List<String> table) {
        if (!refs.containsKey(s)) {
            refs.put(s, table.size());
            table.add(s);
        }
    }

    private static void writeVarLong(ByteArrayOutputStream out, long v) {
        // unsigned LEB128: counts, times and indexes are never negative
        while ((v & ~0x7FL) != 0) {
            out.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static final class Reader {
        final byte[] b;
        int pos;

        Reader(byte[] b) {
            this.b = b;
        }

        int u8() {
            if (pos >= b.length) {
                throw new IllegalArgumentException("sync message ends early");
            }
            return b[pos++] & 0xFF;
        }

        long varLong() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int x = u8();
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException("varint longer than 64 bits in sync message");
        }

        /** A count of items each at least {@code minBytes} long: larger than the rest of the message is malformed. */
        int count(int minBytes) {
            long n = varLong();
            if (n < 0 || n > (long) (b.length - pos) / minBytes) {
                throw new IllegalArgumentException("sync message claims " + n + " items in " + (b.length - pos)
                        + " bytes");
            }
            return (int) n;
        }

        int ref(int size) {
            long r = varLong();
            if (r < 0 || r >= size) {
                throw new IllegalArgumentException("string reference " + r + " outside the table of " + size);
            }
            return (int) r;
        }

        String string() {
            int len = count(1);
            String s = new String(b, pos, len, StandardCharsets.UTF_8);
            pos += len;
            return s;
        }
    }
}
