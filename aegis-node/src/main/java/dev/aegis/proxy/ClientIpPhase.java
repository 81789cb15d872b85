package dev.aegis.proxy;

import dev.aegis.config.Cidr;
import dev.aegis.config.ClientIpConfig;
import dev.aegis.pipeline.Outcome;
import dev.aegis.pipeline.Phase;
import dev.aegis.pipeline.RequestHead;
import dev.aegis.pipeline.RequestRecord;
import io.netty.util.NetUtil;
import java.util.List;

/**
 * Decides the client address. It is the TCP peer, unless the peer is a trusted proxy: then it is the right-most
 * address of the forwarding header that is not itself a trusted proxy. Never the left-most, which the client
 * writes itself (the rule of nginx's {@code real_ip_recursive} and Envoy's trusted hops). An entry that is not an
 * IP address stops the walk: the address to its right is the last one a trusted hop vouched for.
 */
final class ClientIpPhase implements Phase {
    private final Cidr[] trusted;
    private final String header;

    ClientIpPhase(ClientIpConfig config) {
        this.trusted = config.trustedProxies().stream().map(Cidr::parse).toArray(Cidr[]::new);
        this.header = config.header();
    }

    @Override
    public String name() {
        return "client_ip";
    }

    @Override
    public Outcome apply(RequestHead head, RequestRecord record) {
        String peer = head.peerAddress();
        record.clientIp = peer;
        if (trusted.length == 0 || !isTrusted(NetUtil.createByteArrayFromIpAddressString(peer))) {
            return Outcome.proceed();
        }
        record.peerTrusted = true;
        List<String> values = head.headers(header);
        String client = peer;
        for (int v = values.size() - 1; v >= 0; v--) {
            String value = values.get(v);
            int end = value.length();
            while (end > 0) {
                int comma = value.lastIndexOf(',', end - 1);
                String entry = value.substring(comma + 1, end).trim();
                end = comma < 0 ? 0 : comma;
                byte[] address = NetUtil.createByteArrayFromIpAddressString(entry);
                if (address == null) {
                    record.clientIp = client;
                    return Outcome.proceed();
                }
                client = entry;
                if (!isTrusted(address)) {
                    record.clientIp = client;
                    return Outcome.proceed();
                }
            }
        }
        record.clientIp = client; // every hop was trusted: the left-most is as good as it gets
        return Outcome.proceed();
    }

    private boolean isTrusted(byte[] address) {
        if (address == null) {
            return false;
        }
        for (Cidr cidr : trusted) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
