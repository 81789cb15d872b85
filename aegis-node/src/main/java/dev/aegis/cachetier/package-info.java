/**
 * The node's HTTP cache around the core's rules ({@code dev.aegis.cache}): {@link dev.aegis.cachetier.ResponseCache}
 * holds the memory tier and the optional Redis tier ({@link dev.aegis.cachetier.RedisTier}), collapses concurrent
 * misses for one key into one origin request, refreshes stale objects in the background, and purges.
 */
package dev.aegis.cachetier;
