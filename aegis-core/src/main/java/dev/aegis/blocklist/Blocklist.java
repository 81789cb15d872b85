package dev.aegis.blocklist;

import dev.aegis.config.Cidr;
import dev.aegis.crdt.HybridClock;
import dev.aegis.crdt.LwwExpiringSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster-wide blocklist of one node: networks (a single address is a /32 or /128) with an expiry. Writes go
 * to the replicated set; lookups read an immutable index rebuilt off the request path whenever the set changed,
 * so a request does one hash lookup for its exact address plus one test per network wider than a host.
 */
public final class Blocklist {
    private final LwwExpiringSet set;
    private final HybridClock clock;
    private volatile Index index = new Index(-1, Long.MAX_VALUE, Map.of(), List.of());

    /** An entry as the admin API shows it. */
    public record Ban(String network, long expiresAtMillis, String by) {
    }

    private record Index(long version, long nextExpiry, Map<String, Long> hosts, List<Map.Entry<Cidr, Long>> networks) {
    }

    public Blocklist(LwwExpiringSet set, HybridClock clock) {
        this.set = set;
        this.clock = clock;
    }

    /** The replicated set (for sync). */
    public LwwExpiringSet set() {
        return set;
    }

    /**
     * Bans {@code addressOrCidr} for {@code ttl}.
     *
     * @return the canonical network
     * @throws IllegalArgumentException with a message for the user when it is not an address or CIDR
     */
    public String add(String addressOrCidr, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        String network = Cidr.parse(addressOrCidr.strip()).toString();
        set.add(network, clock.wallMillis() + ttl.toMillis());
        return network;
    }

    /**
     * Merges a peer's entry; an element that is not a canonical network is ignored (a peer of another version or
     * a stray publisher must not be able to break lookups). True when the blocklist changed.
     */
    public boolean merge(LwwExpiringSet.Entry entry) {
        try {
            if (!Cidr.parse(entry.element()).toString().equals(entry.element())) {
                return false;
            }
        } catch (IllegalArgumentException e) {
            return false;
        }
        return set.merge(entry);
    }

    /** Lifts a ban; false when there was none. */
    public boolean remove(String addressOrCidr) {
        return set.remove(Cidr.parse(addressOrCidr.strip()).toString());
    }

    /** The bans in force. */
    public List<Ban> bans() {
        List<Ban> out = new ArrayList<>();
        for (LwwExpiringSet.Entry e : set.present(clock.wallMillis())) {
            out.add(new Ban(e.element(), e.added().expiresAtMillis(), e.added().node()));
        }
        out.sort(java.util.Comparator.comparing(Ban::network));
        return out;
    }

    /**
     * Whether {@code address} (textual IPv4 or IPv6) is banned now. Lock-free; with no network wider than a host
     * banned, an IPv4 lookup allocates nothing.
     */
    public boolean blocks(String address) {
        if (address == null) {
            return false;
        }
        long now = clock.wallMillis();
        Index ix = current(now);
        if (ix.hosts.isEmpty() && ix.networks.isEmpty()) {
            return false;
        }
        Long until = ix.hosts.get(address);
        if (until == null && address.indexOf(':') >= 0) {
            // IPv6 arrives in more than one spelling (0:0:0:0:0:0:0:1, ::1); the index holds RFC 5952's
            byte[] bytes = Cidr.parseAddress(address);
            if (bytes != null) {
                String canonical = new Cidr(bytes, bytes.length * 8).toString();
                until = ix.hosts.get(canonical.substring(0, canonical.lastIndexOf('/')));
            }
        }
        if (until != null && now < until) {
            return true;
        }
        if (ix.networks.isEmpty()) {
            return false;
        }
        byte[] bytes = Cidr.parseAddress(address);
        for (Map.Entry<Cidr, Long> n : ix.networks) {
            if (now < n.getValue() && n.getKey().contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    private Index current(long now) {
        Index ix = index;
        long v = set.version();
        if (ix.version == v && now < ix.nextExpiry) {
            return ix;
        }
        // Rebuilt by the first request after a change (rare: bans are few and change seldom); racing rebuilds
        // produce the same index, so no lock is needed.
        Map<String, Long> hosts = new HashMap<>();
        List<Map.Entry<Cidr, Long>> networks = new ArrayList<>();
        long next = Long.MAX_VALUE;
        for (LwwExpiringSet.Entry e : set.present(now)) {
            Cidr c;
            try {
                c = Cidr.parse(e.element());
            } catch (IllegalArgumentException bad) {
                continue; // never written by add() or accepted by merge(); skipped rather than failing requests
            }
            long until = e.added().expiresAtMillis();
            next = Math.min(next, until);
            if (c.prefixLength() == c.network().length * 8) {
                hosts.put(formatHost(c), until);
            } else {
                networks.add(Map.entry(c, until));
            }
        }
        ix = new Index(v, next, Map.copyOf(hosts), List.copyOf(networks));
        index = ix;
        return ix;
    }

    /** The textual address a client IP arrives as, for a /32 or /128 network. */
    private static String formatHost(Cidr c) {
        String s = c.toString();
        return s.substring(0, s.lastIndexOf('/'));
    }
}
