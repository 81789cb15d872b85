/**
 * The admin API: an HTTP/1.1 listener on {@code admin.listen}, apart from the proxy port and never proxying, for
 * probes ({@code /healthz}, {@code /readyz}) and operators ({@code POST /admin/reload}, and the endpoints later
 * issues add). {@link dev.aegis.admin.AdminServer} starts it over what the node offers,
 * {@link dev.aegis.admin.AdminEndpoints}; inside, a route table maps (method, path) to endpoints that answer an
 * {@link dev.aegis.admin.AdminResponse}, possibly later (a reload compiles a config off the event loop). With
 * {@code admin.token} set, everything but the two probes needs {@code Authorization: Bearer <token>}.
 */
package dev.aegis.admin;
