/**
 * The HTTP cache's decisions, free of Netty and Redis: {@link dev.aegis.cache.CacheKey} (what a request is cached
 * under), {@link dev.aegis.cache.CacheControl} and {@link dev.aegis.cache.Rfc9111} (what may be stored, for how
 * long, and what may answer a request), {@link dev.aegis.cache.StoredResponse} (an object and its times), and
 * {@link dev.aegis.cache.MemoryCache} (the in-memory tier, bounded by bytes). The node streams, coalesces, talks to
 * Redis and answers.
 */
package dev.aegis.cache;
