package dev.aegis.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class ServerStateTest {
    private static final int FAILURES = 3;
    private static final long COOLDOWN = 10_000_000_000L; // 10 s
    // Negative on purpose: nanoTime values may be, and deadlines must still compare right.
    private static final long T0 = -5_000_000_000L;

    private static ServerState server() {
        return new ServerState(new UpstreamServer("10.0.0.1:80", InetSocketAddress.createUnresolved("10.0.0.1", 80), 1), 0);
    }

    @Test
    void startsAvailableAndActiveHealthy() {
        ServerState s = server();
        assertThat(s.available(T0)).isTrue();
        assertThat(s.activeHealthy()).isTrue();
        assertThat(s.ejected(T0)).isFalse();
    }

    @Test
    void countsInFlightAndRequests() {
        ServerState s = server();
        s.requestStarted();
        s.requestStarted();
        s.requestFinished();
        assertThat(s.inFlight()).isEqualTo(1);
        assertThat(s.requestsTotal()).isEqualTo(2);
    }

    @Test
    void ejectsAtThresholdOnceAndForCooldown() {
        ServerState s = server();
        assertThat(s.recordFailure(T0, FAILURES, COOLDOWN)).isFalse();
        assertThat(s.recordFailure(T0, FAILURES, COOLDOWN)).isFalse();
        assertThat(s.available(T0)).isTrue();
        assertThat(s.recordFailure(T0, FAILURES, COOLDOWN)).isTrue();
        assertThat(s.ejected(T0)).isTrue();
        assertThat(s.available(T0 + COOLDOWN - 1)).isFalse();
        // Late failures of requests started before the ejection neither report nor extend it.
        assertThat(s.recordFailure(T0 + 1, FAILURES, COOLDOWN)).isFalse();
        assertThat(s.available(T0 + COOLDOWN)).isTrue();
        assertThat(s.ejectionsTotal()).isEqualTo(1);
        assertThat(s.failuresTotal()).isEqualTo(4);
    }

    @Test
    void oneFailureAfterCooldownEjectsAgain() {
        ServerState s = server();
        for (int i = 0; i < FAILURES; i++) {
            s.recordFailure(T0, FAILURES, COOLDOWN);
        }
        long later = T0 + COOLDOWN;
        assertThat(s.available(later)).isTrue();
        assertThat(s.recordFailure(later, FAILURES, COOLDOWN)).isTrue();
        assertThat(s.available(later + COOLDOWN - 1)).isFalse();
        assertThat(s.available(later + COOLDOWN)).isTrue();
        assertThat(s.ejectionsTotal()).isEqualTo(2);
    }

    @Test
    void oneSuccessAfterCooldownResetsFully() {
        ServerState s = server();
        for (int i = 0; i < FAILURES; i++) {
            s.recordFailure(T0, FAILURES, COOLDOWN);
        }
        long later = T0 + COOLDOWN;
        s.recordSuccess();
        assertThat(s.recordFailure(later, FAILURES, COOLDOWN)).isFalse();
        assertThat(s.recordFailure(later, FAILURES, COOLDOWN)).isFalse();
        assertThat(s.available(later)).isTrue();
        assertThat(s.recordFailure(later, FAILURES, COOLDOWN)).isTrue();
    }

    @Test
    void successBetweenFailuresResetsTheCount() {
        ServerState s = server();
        for (int round = 0; round < 5; round++) {
            s.recordFailure(T0, FAILURES, COOLDOWN);
            s.recordFailure(T0, FAILURES, COOLDOWN);
            s.recordSuccess();
        }
        assertThat(s.available(T0)).isTrue();
        assertThat(s.ejectionsTotal()).isZero();
    }

    @Test
    void activeThresholdsMarkDownAndUp() {
        ServerState s = server();
        s.activeResult(false, 2, 3);
        s.activeResult(false, 2, 3);
        assertThat(s.activeHealthy()).isTrue();
        s.activeResult(true, 2, 3); // breaks the run of failures
        s.activeResult(false, 2, 3);
        s.activeResult(false, 2, 3);
        assertThat(s.activeHealthy()).isTrue();
        s.activeResult(false, 2, 3);
        assertThat(s.activeHealthy()).isFalse();
        assertThat(s.available(T0)).isFalse();
        s.activeResult(true, 2, 3);
        assertThat(s.activeHealthy()).isFalse();
        s.activeResult(true, 2, 3);
        assertThat(s.activeHealthy()).isTrue();
        assertThat(s.available(T0)).isTrue();
    }

    @Test
    void activeHealthyRunLiftsPassiveEjection() {
        ServerState s = server();
        for (int i = 0; i < FAILURES; i++) {
            s.recordFailure(T0, FAILURES, COOLDOWN);
        }
        s.activeResult(true, 2, 3);
        assertThat(s.ejected(T0)).as("one pass is not yet `healthy: 2`").isTrue();
        s.activeResult(true, 2, 3);
        assertThat(s.ejected(T0)).isFalse();
        assertThat(s.available(T0)).isTrue();
        // Lifted means fully reset: it takes the whole threshold again, not one failure.
        assertThat(s.recordFailure(T0, FAILURES, COOLDOWN)).isFalse();
    }

    @Test
    void passesWhileUpDoNotWipeABuildingFailureCount() {
        ServerState s = server();
        s.recordFailure(T0, FAILURES, COOLDOWN);
        s.recordFailure(T0, FAILURES, COOLDOWN);
        for (int i = 0; i < 5; i++) {
            s.activeResult(true, 2, 3);
        }
        assertThat(s.recordFailure(T0, FAILURES, COOLDOWN)).isTrue();
        // And the ejection still needs `healthy` passes counted after it.
        s.activeResult(true, 2, 3);
        assertThat(s.ejected(T0)).isTrue();
        s.activeResult(true, 2, 3);
        assertThat(s.ejected(T0)).isFalse();
    }

    @Test
    void clearEjectionMakesAvailableAndResets() {
        ServerState s = server();
        for (int i = 0; i < FAILURES; i++) {
            s.recordFailure(T0, FAILURES, COOLDOWN);
        }
        s.clearEjection();
        assertThat(s.available(T0)).isTrue();
        assertThat(s.recordFailure(T0, FAILURES, COOLDOWN)).isFalse();
    }

    @Test
    void copyHealthFromCarriesEjectionCountersAndActiveState() {
        ServerState old = server();
        for (int i = 0; i < FAILURES; i++) {
            old.recordFailure(T0, FAILURES, COOLDOWN);
        }
        old.activeResult(false, 2, 1);
        old.requestStarted();

        ServerState fresh = server();
        fresh.copyHealthFrom(old);
        assertThat(fresh.ejected(T0)).isTrue();
        assertThat(fresh.ejected(T0 + COOLDOWN)).isFalse();
        assertThat(fresh.activeHealthy()).isFalse();
        assertThat(fresh.inFlight()).isZero();
        assertThat(fresh.failuresTotal()).isEqualTo(3);
        assertThat(fresh.ejectionsTotal()).isEqualTo(1);
        assertThat(fresh.requestsTotal()).isEqualTo(1);
        // The half-open counter came along: one failure after the cooldown re-ejects.
        assertThat(fresh.recordFailure(T0 + COOLDOWN, FAILURES, COOLDOWN)).isTrue();
        // And the active run in progress: one more pass of `healthy: 2` brings it back.
        ServerState recovering = server();
        old.activeResult(true, 2, 1);
        recovering.copyHealthFrom(old);
        recovering.activeResult(true, 2, 1);
        assertThat(recovering.activeHealthy()).isTrue();
    }
}
