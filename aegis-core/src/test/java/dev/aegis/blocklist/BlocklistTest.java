package dev.aegis.blocklist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.crdt.HybridClock;
import dev.aegis.crdt.LwwExpiringSet;
import dev.aegis.crdt.Stamp;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Bans by address and network, their expiry, and what a peer may not slip in. */
class BlocklistTest {
    final AtomicLong now = new AtomicLong(1_000_000);
    final HybridClock clock = new HybridClock(now::get);
    final Blocklist list = new Blocklist(new LwwExpiringSet("a", clock), clock);

    @Test
    void hostsAndNetworksAreBannedUntilTheyExpire() {
        assertThat(list.add(" 203.0.113.7 ", Duration.ofMinutes(1))).isEqualTo("203.0.113.7/32");
        list.add("198.51.100.0/24", Duration.ofMinutes(2));
        list.add("2001:db8::1", Duration.ofMinutes(1));
        assertThat(list.blocks("203.0.113.7")).isTrue();
        assertThat(list.blocks("203.0.113.8")).isFalse();
        assertThat(list.blocks("198.51.100.99")).isTrue();
        assertThat(list.blocks("2001:db8:0:0:0:0:0:1")).as("another spelling of the same address").isTrue();
        now.addAndGet(60_000);
        assertThat(list.blocks("203.0.113.7")).isFalse();
        assertThat(list.blocks("198.51.100.99")).isTrue();
        assertThat(list.remove("198.51.100.0/24")).isTrue();
        assertThat(list.blocks("198.51.100.99")).isFalse();
        assertThat(list.remove("198.51.100.0/24")).isFalse();
    }

    @Test
    void badInputIsRefusedWithAMessage() {
        assertThatThrownBy(() -> list.add("10.0.0.1/8", Duration.ofMinutes(1)))
                .hasMessageContaining("did you mean `10.0.0.0/8`");
        assertThatThrownBy(() -> list.add("example.com", Duration.ofMinutes(1)))
                .hasMessageContaining("not an IPv4 or IPv6 address");
        assertThatThrownBy(() -> list.add("10.0.0.1", Duration.ZERO)).hasMessageContaining("ttl");
    }

    @Test
    void aPeersEntryThatIsNoCanonicalNetworkIsIgnored() {
        Stamp add = new Stamp(clock.now(), "b", now.get() + 60_000);
        assertThat(list.merge(new LwwExpiringSet.Entry("not-an-address", add, null))).isFalse();
        assertThat(list.merge(new LwwExpiringSet.Entry("10.0.0.1/8", add, null))).isFalse();
        assertThat(list.merge(new LwwExpiringSet.Entry("10.0.0.0/8", add, null))).isTrue();
        assertThat(list.blocks("10.1.2.3")).isTrue();
        assertThat(list.set().drainDelta()).as("a peer's entry is not sent back").isEmpty();
    }
}
