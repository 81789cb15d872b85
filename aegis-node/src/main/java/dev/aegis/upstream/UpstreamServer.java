package dev.aegis.upstream;

import dev.aegis.config.HostPort;
import java.net.InetSocketAddress;

/**
 * One origin server of a group. {@code key} ({@code host:port}) names it in logs and keys its pooled
 * connections, so connections survive a reload that keeps the server.
 */
public record UpstreamServer(String key, InetSocketAddress address, int weight) {

    /** Resolves the configured address once, at config compile time (never on the request path). */
    public static UpstreamServer of(HostPort hostPort, int weight) {
        InetSocketAddress address = new InetSocketAddress(hostPort.host(), hostPort.port());
        if (address.isUnresolved()) {
            // Refuse now: an unresolved address would be looked up again on every connect, on an event loop.
            throw new IllegalArgumentException("upstream server " + hostPort + ": cannot resolve " + hostPort.host());
        }
        return new UpstreamServer(hostPort.toString(), address, weight);
    }
}
