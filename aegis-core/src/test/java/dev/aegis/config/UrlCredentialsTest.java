package dev.aegis.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UrlCredentialsTest {
    @Test
    void passwordsAndLoneTokensAreHiddenHostsAndUsersStay() {
        assertThat(UrlCredentials.redact("redis://:secret@cache:6379")).isEqualTo("redis://:<redacted>@cache:6379");
        assertThat(UrlCredentials.redact("redis://app:secret@cache:6379/0"))
                .isEqualTo("redis://app:<redacted>@cache:6379/0");
        assertThat(UrlCredentials.redact("nats://t0ken@nats:4222")).isEqualTo("nats://<redacted>@nats:4222");
        assertThat(UrlCredentials.redact("redis://cache:6379")).isEqualTo("redis://cache:6379");
        assertThat(UrlCredentials.redact(null)).isNull();
    }

    @Test
    void aPasswordWithCommasSlashesOrAtSignsDoesNotLeak() {
        assertThat(UrlCredentials.redact("redis://:pa,ss@cache:6379")).isEqualTo("redis://:<redacted>@cache:6379");
        assertThat(UrlCredentials.redact("redis://u:a/b@cache:6379")).isEqualTo("redis://u:<redacted>@cache:6379");
        assertThat(UrlCredentials.redact("redis://u:p@ss@cache:6379")).isEqualTo("redis://u:<redacted>@cache:6379");
    }

    @Test
    void eachUrlOfANatsServerListIsRedacted() {
        assertThat(UrlCredentials.redact("nats://a:1@n1:4222,nats://n2:4222,nats://tok@n3:4222"))
                .isEqualTo("nats://a:<redacted>@n1:4222,nats://n2:4222,nats://<redacted>@n3:4222");
    }
}
