package dev.aegis.crdt;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Interns cluster node ids to small dense indexes, so a counter keeps its per-node counts in an array slot rather
 * than a map entry. One per node process (shared by all its counters); thread-safe, and an id keeps its index.
 */
public final class NodeIndex {
    private final ConcurrentHashMap<String, Integer> indexes = new ConcurrentHashMap<>();
    private volatile String[] ids = new String[0];

    /** The index of {@code id}, assigned on first sight. */
    public int of(String id) {
        Integer i = indexes.get(id);
        if (i != null) {
            return i;
        }
        synchronized (this) { // only the first sight of a node id, never per request
            i = indexes.get(id);
            if (i == null) {
                String[] grown = Arrays.copyOf(ids, ids.length + 1);
                i = grown.length - 1;
                grown[i] = id;
                ids = grown;
                indexes.put(id, i);
            }
            return i;
        }
    }

    /** The id at {@code index}. */
    public String id(int index) {
        return ids[index];
    }

    /** How many ids were seen. */
    public int size() {
        return ids.length;
    }
}
