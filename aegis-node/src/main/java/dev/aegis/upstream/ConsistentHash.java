package dev.aegis.upstream;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Consistent hashing on a ring of virtual nodes: the same key (client IP, header value or path) goes to the same
 * server while that server is eligible, and adding or removing one of N servers moves only about 1/N of the keys.
 *
 * <p>Each server owns {@value #VNODES_PER_WEIGHT} × weight points at {@code hash64(key + "#" + i)}. A point's
 * position depends only on its own server's key, never on N or on config order, so removing a server removes only
 * its points and only the keys that fell on them move (to the next point clockwise); an added server takes keys only
 * onto its own points. A key maps to the first point at or after {@code hash64(key)}, walking on past points of
 * servers that are unavailable or excluded, which is exactly where those keys would go if the server were removed.
 *
 * <p>The ring is built once per group and config snapshot and never changes, so lookups share it without locks.
 */
final class ConsistentHash implements Balancer {
    /**
     * Points per unit of weight. A server's share of the hash space has a relative spread of about
     * 1/sqrt(points): with ketama's 160 the worst server of groups of 3 to 10 (six naming schemes, equal and
     * unequal weights) was 4.6 points off its weight share, past the 3 allowed; at 1000 it is 1.6 points
     * (BalancerTest measures it). 8 KiB per unit of weight.
     */
    static final int VNODES_PER_WEIGHT = 1000;
    /**
     * Most points in one ring (8 bytes each, so 2 MiB). Groups whose weights sum past 262 reach it; their point
     * counts are then scaled down in proportion, which makes them depend on the other servers' weights, so removing
     * a server of such a group also moves a few keys between the others.
     */
    static final int MAX_POINTS = 1 << 18;
    /**
     * A point is its 48-bit position in the high bits and its server's rank in the low 16, so the ring is one sorted
     * {@code long[]} (no parallel owner array, no boxed sort). The rank orders servers by key, so points at the same
     * 48-bit position (about one ring in ten thousand has such a pair) are ordered independently of config order.
     */
    private static final int RANK_BITS = 16;
    private static final long RANK_MASK = (1L << RANK_BITS) - 1;

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    /** Sorted (signed) points: position in the high 48 bits, owner rank in the low 16. */
    private final long[] ring;
    /** Rank (low bits of a point) to index in the group. */
    private final int[] indexOfRank;
    /** For requests without a key (for example the configured header is absent). */
    private final SmoothWeightedRoundRobin fallback;

    ConsistentHash(ServerState[] group) {
        if (group.length > 1 << RANK_BITS) {
            throw new IllegalArgumentException("a hash group holds at most " + (1 << RANK_BITS) + " servers");
        }
        this.fallback = new SmoothWeightedRoundRobin(group.length);
        Integer[] byKey = new Integer[group.length];
        long totalWeight = 0;
        for (int i = 0; i < group.length; i++) {
            byKey[i] = i;
            totalWeight += group[i].server.weight();
        }
        Arrays.sort(byKey, Comparator.comparing(i -> group[i].server.key()));
        this.indexOfRank = new int[group.length];
        int points = 0;
        for (int rank = 0; rank < group.length; rank++) {
            indexOfRank[rank] = byKey[rank];
            points += pointsFor(group[byKey[rank]].server.weight(), totalWeight);
        }
        this.ring = new long[points];
        int n = 0;
        for (int rank = 0; rank < group.length; rank++) {
            UpstreamServer server = group[indexOfRank[rank]].server;
            for (int v = 0, count = pointsFor(server.weight(), totalWeight); v < count; v++) {
                ring[n++] = (hash64(server.key() + "#" + v) & ~RANK_MASK) | rank;
            }
        }
        Arrays.sort(ring);
    }

    static int pointsFor(int weight, long totalWeight) {
        if (totalWeight * VNODES_PER_WEIGHT <= MAX_POINTS) {
            return VNODES_PER_WEIGHT * weight;
        }
        return (int) Math.max(1, (long) weight * MAX_POINTS / totalWeight);
    }

    @Override
    public ServerState pick(ServerState[] group, long nowNanos, CharSequence hashKey, long excludeMask) {
        if (hashKey == null) {
            return fallback.pick(group, nowNanos, null, excludeMask);
        }
        if (group.length != indexOfRank.length) {
            throw new IllegalArgumentException("ring built for " + indexOfRank.length + " servers, not " + group.length);
        }
        // Checking first bounds the walk below: without an eligible server it would go round the whole ring.
        if (!anyEligible(group, nowNanos, excludeMask)) {
            return null;
        }
        int start = ceiling(hash64(hashKey) & ~RANK_MASK);
        int length = ring.length;
        for (int step = 0; step < length; step++) {
            int at = start + step;
            if (at >= length) {
                at -= length;
            }
            ServerState owner = group[indexOfRank[(int) (ring[at] & RANK_MASK)]];
            if (owner.eligible(nowNanos, excludeMask)) {
                return owner;
            }
        }
        return null; // the last eligible server went away during the walk
    }

    private static boolean anyEligible(ServerState[] group, long nowNanos, long excludeMask) {
        for (ServerState s : group) {
            if (s.eligible(nowNanos, excludeMask)) {
                return true;
            }
        }
        return false;
    }

    /** Index of the first point at or after {@code position} (rank bits zero), wrapping to 0 past the last one. */
    private int ceiling(long position) {
        int low = 0;
        int high = ring.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (ring[mid] < position) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low == ring.length ? 0 : low;
    }

    /**
     * 64-bit hash of the UTF-16 chars of {@code text}, without allocating: FNV-1a over each char, then murmur3's
     * fmix64 finalizer, because FNV-1a alone spreads keys that differ only in their last chars (IPs, "#7" suffixes)
     * poorly over the high bits the ring order depends on.
     */
    static long hash64(CharSequence text) {
        long h = FNV_OFFSET;
        for (int i = 0, n = text.length(); i < n; i++) {
            h ^= text.charAt(i);
            h *= FNV_PRIME;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** Each server's exact share of the hash space (the fraction of all keys it gets when all are eligible). */
    double[] shares() {
        double[] share = new double[indexOfRank.length];
        int length = ring.length;
        for (int i = 0; i < length; i++) {
            // The arc (previous point, this point] belongs to this point's owner; unsigned arithmetic wraps the ring.
            long arc = (ring[i] & ~RANK_MASK) - (ring[i == 0 ? length - 1 : i - 1] & ~RANK_MASK);
            double size = length == 1 ? 0x1p64 : (arc >>> 1) * 2.0 + (arc & 1);
            share[indexOfRank[(int) (ring[i] & RANK_MASK)]] += size / 0x1p64;
        }
        return share;
    }
}
