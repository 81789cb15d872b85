package dev.aegis.proxy;

import dev.aegis.server.AccessLog;
import dev.aegis.server.Transport;

/** What a connection's handler needs from the running node: the current config, the log, and whether it drains. */
public interface NodeRuntime {

    /** The config snapshot new requests take (swapped atomically on reload). */
    ConfigSnapshot snapshot();

    AccessLog accessLog();

    /** The node's metrics; each finished request is recorded there. */
    dev.aegis.metrics.NodeMetrics metrics();

    /** The WAF audit log: one JSON line for every request the WAF scored above zero. */
    AccessLog auditLog();

    /** True once a graceful stop began: answers close their connections and idle ones are closed. */
    boolean draining();

    Transport transport();
}
