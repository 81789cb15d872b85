package dev.aegis.route;

import dev.aegis.config.RouteConfig;

/**
 * A route of a compiled {@link RouteTable}, what the route phase hands to the later phases.
 *
 * @param name     the route's name from the config, for logs and metric labels
 * @param priority the configured priority
 * @param config   the route's config: upstream and effective policies
 * @param index    position in precedence order, 0 = highest; dense, so node code can key per-route state
 *                 (limiters, counters) by it in a plain array
 */
public record Route(String name, int priority, RouteConfig config, int index) {
}
