/**
 * The cluster: this node's replicated state (rate-limit counters, blocklist) and, with {@code cluster.nats} set,
 * its sync with the other nodes over NATS ({@link dev.aegis.cluster.NatsSync}): deltas every
 * {@code sync_interval}, heartbeats for membership, and a full-state request when a node joins or returns.
 * Without NATS the node is a cluster of one.
 */
package dev.aegis.cluster;
