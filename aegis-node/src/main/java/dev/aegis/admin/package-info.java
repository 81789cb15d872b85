/**
 * The admin API: an HTTP/1.1 listener on {@code admin.listen}, apart from the proxy port and never proxying, for
 * probes ({@code /healthz}, {@code /readyz}), Prometheus ({@code /metrics}), operators ({@code /admin/...}) and the
 * dashboard ({@code /}, a page that draws the metrics). {@link dev.aegis.admin.AdminServer} starts it over what the node offers,
 * {@link dev.aegis.admin.AdminEndpoints}; inside, a route table maps (method, path) to endpoints that answer an
 * {@link dev.aegis.admin.AdminResponse}, possibly later (a reload compiles a config off the event loop). With
 * {@code admin.token} set, everything but the two probes and the dashboard's files (which hold no data) needs
 * {@code Authorization: Bearer <token>}.
 */
package dev.aegis.admin;
