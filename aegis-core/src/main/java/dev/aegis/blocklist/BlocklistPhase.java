package dev.aegis.blocklist;

import dev.aegis.pipeline.Outcome;
import dev.aegis.pipeline.Phase;
import dev.aegis.pipeline.ProxyError;
import dev.aegis.pipeline.RequestHead;
import dev.aegis.pipeline.RequestRecord;

/** The blocklist phase: right after the client IP is known, a banned client gets 403 before anything else. */
public final class BlocklistPhase implements Phase {
    private final Blocklist blocklist;

    public BlocklistPhase(Blocklist blocklist) {
        this.blocklist = blocklist;
    }

    @Override
    public String name() {
        return "blocklist";
    }

    @Override
    public Outcome apply(RequestHead head, RequestRecord record) {
        String ip = record.clientIp != null ? record.clientIp : record.peerAddress;
        return blocklist.blocks(ip) ? Outcome.fail(new ProxyError.Blocklisted(ip)) : Outcome.proceed();
    }
}
