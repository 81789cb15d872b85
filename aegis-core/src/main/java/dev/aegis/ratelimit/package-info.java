/**
 * Rate limits that hold across the cluster: {@link dev.aegis.ratelimit.CounterStore} keeps one replicated
 * {@link dev.aegis.crdt.GCounter} per (limit, key, fixed window), bounded in memory; a
 * {@link dev.aegis.ratelimit.RateLimiter} weighs the current and previous windows into a sliding window and decides;
 * {@link dev.aegis.ratelimit.RateLimitPhase} answers 429 with {@code Retry-After} and {@code RateLimit-*} headers.
 * While a node cannot sync ({@link dev.aegis.ratelimit.SyncStatus}) a route's {@code on_sync_loss} policy decides.
 */
package dev.aegis.ratelimit;
