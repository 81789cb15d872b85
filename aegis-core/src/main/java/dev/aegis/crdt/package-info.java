/**
 * Conflict-free replicated data types the cluster shares: {@link dev.aegis.crdt.GCounter} and
 * {@link dev.aegis.crdt.PNCounter} (rate-limit counts), {@link dev.aegis.crdt.LwwExpiringSet} (the blocklist),
 * stamped by a {@link dev.aegis.crdt.HybridClock}, and {@link dev.aegis.crdt.DeltaCodec}, the compact binary form of
 * what changed. Local updates are lock-free; merges are commutative, associative and idempotent, so nodes converge
 * whatever order, duplicates or delays their messages meet. No networking here: the node's {@code cluster} package
 * moves the bytes.
 */
package dev.aegis.crdt;
