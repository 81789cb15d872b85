package dev.aegis.proxy;

import dev.aegis.pipeline.Outcome;
import dev.aegis.pipeline.Phase;
import dev.aegis.pipeline.ProxyError;
import dev.aegis.pipeline.RequestHead;
import dev.aegis.pipeline.RequestRecord;
import dev.aegis.route.Route;
import dev.aegis.route.RouteTable;

/** Matches the request against the compiled route table; no match is a 404. */
final class RoutePhase implements Phase {
    private final RouteTable table;

    RoutePhase(RouteTable table) {
        this.table = table;
    }

    @Override
    public String name() {
        return "route";
    }

    @Override
    public Outcome apply(RequestHead head, RequestRecord record) {
        Route route = table.match(head);
        if (route == null) {
            return Outcome.fail(new ProxyError.NoRoute(head.host(), head.path()));
        }
        record.route = route;
        record.upstream = route.config().upstream();
        return Outcome.proceed();
    }
}
