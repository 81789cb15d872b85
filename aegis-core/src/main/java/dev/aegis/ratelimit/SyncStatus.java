package dev.aegis.ratelimit;

/**
 * What rate limits need to know of the cluster: whether this node is in sync with its peers, and how many nodes
 * (itself included) it last saw alive. A single node is always in sync and alone.
 */
public interface SyncStatus {

    /** False while the node cannot exchange counts with its peers (the message bus is unreachable). */
    boolean inSync();

    /** Nodes last seen alive, this one included; at least 1. */
    int liveNodes();

    /** A node with no cluster: in sync, alone. */
    SyncStatus SINGLE_NODE = new SyncStatus() {
        @Override
        public boolean inSync() {
            return true;
        }

        @Override
        public int liveNodes() {
            return 1;
        }
    };
}
