/**
 * The shared blocklist: addresses and networks banned cluster-wide for a time, by an operator (admin API) or by
 * the WAF's auto-ban, replicated as an {@link dev.aegis.crdt.LwwExpiringSet}, and enforced by
 * {@link dev.aegis.blocklist.BlocklistPhase} right after the client's address is known.
 */
package dev.aegis.blocklist;
