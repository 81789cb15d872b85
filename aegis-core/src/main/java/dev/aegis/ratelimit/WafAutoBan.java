package dev.aegis.ratelimit;

import dev.aegis.blocklist.Blocklist;
import dev.aegis.config.WafConfig;
import java.util.function.LongSupplier;

/**
 * {@code waf.auto_ban}: counts the WAF's blocks per client address cluster-wide (a sliding window, like a rate
 * limit) and puts a client blocked more than {@code after} times on the shared blocklist, so an attack stopped
 * on one node is stopped on every node.
 */
public final class WafAutoBan {
    private final WafConfig.AutoBan config;
    private final CounterStore store;
    private final Blocklist blocklist;
    private final LongSupplier wallMillis;
    private final long windowMillis;

    public WafAutoBan(WafConfig.AutoBan config, CounterStore store, Blocklist blocklist, LongSupplier wallMillis) {
        this.config = config;
        this.store = store;
        this.blocklist = blocklist;
        this.wallMillis = wallMillis;
        this.windowMillis = Math.max(1, config.window().toMillis());
    }

    /** Counts one block of {@code clientIp}; true when it put the client on the blocklist. */
    public boolean blocked(String clientIp) {
        if (clientIp == null || clientIp.isEmpty()) {
            return false;
        }
        long now = wallMillis.getAsLong();
        long window = Math.floorDiv(now, windowMillis);
        double prevWeight = (double) (windowMillis - (now - window * windowMillis)) / windowMillis;
        WindowCounter cur = store.counter("waf-auto-ban", windowMillis, window, clientIp);
        cur.admitted.incrementAndGet();
        store.counted(cur);
        WindowCounter prev = store.peek("waf-auto-ban", windowMillis, window - 1, clientIp);
        double blocks = cur.value() + (prev == null ? 0 : prev.value() * prevWeight);
        if (blocks > config.after() && !blocklist.blocks(clientIp)) {
            blocklist.add(clientIp, config.ban());
            return true;
        }
        return false;
    }
}
