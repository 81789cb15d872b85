package dev.aegis.config;

import java.time.Duration;

/**
 * A route's rate limit: {@code key} is {@code client_ip}, {@code header:NAME} or {@code route}.
 */
public record RateLimitPolicy(String key, long limit, Duration window, SyncLossPolicy onSyncLoss) {

    /** What a node enforces while it cannot sync with its peers. */
    public enum SyncLossPolicy { LOCAL_SHARE, LOCAL_FULL, DENY }
}
