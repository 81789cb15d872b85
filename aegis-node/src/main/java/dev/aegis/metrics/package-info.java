/**
 * The node's Prometheus metrics, exposed by the admin API at {@code GET /metrics}: {@link
 * dev.aegis.metrics.NodeMetrics} records each finished request from its {@code RequestRecord} (allocation-free
 * once a series exists) and reads the node's own state (upstream health, connections, cache, cluster) when
 * scraped; {@link dev.aegis.metrics.RecentWafDecisions} keeps the last requests the WAF matched on. Labels are
 * bounded: route, upstream and server names from the config, status and method classes, WAF family and rule id,
 * peer node ids; never a path, host or client address.
 */
package dev.aegis.metrics;
