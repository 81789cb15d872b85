package dev.aegis.config;

/** The {@code admin} section: the admin API listener and its optional bearer token (empty string = none). */
public record AdminConfig(HostPort listen, String token) {
}
