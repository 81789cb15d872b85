/**
 * The compiled route table: the "route" phase's decision of which configured route serves a request.
 * Built once per config snapshot by {@link dev.aegis.route.RouteTable#compile}, matched lock-free on the
 * event loops; the semantics operators rely on are written on {@link dev.aegis.route.RouteTable}.
 */
package dev.aegis.route;
