package dev.aegis.cluster;

/**
 * What this node knows of one peer: when it last heard from it, when it last merged its state, and how old that
 * state was on arrival (the peer's clock at sending against this node's at receipt).
 */
public record PeerStatus(String id, long lastSeenMillis, long lastSyncMillis, long lagMillis, boolean alive) {
}
