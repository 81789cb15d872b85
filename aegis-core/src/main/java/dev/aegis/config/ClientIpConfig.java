package dev.aegis.config;

import java.util.List;

/** How the client address is found: trusted proxy networks (CIDR strings, validated) and the header they set. */
public record ClientIpConfig(List<String> trustedProxies, String header) {
    public ClientIpConfig {
        trustedProxies = List.copyOf(trustedProxies);
    }
}
