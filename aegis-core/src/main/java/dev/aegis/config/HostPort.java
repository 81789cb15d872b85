package dev.aegis.config;

/** A {@code host:port} listen or server address as written in the config ({@code [::1]:80} for IPv6). */
public record HostPort(String host, int port) {

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
