package dev.aegis.pipeline;

import dev.aegis.route.RoutableRequest;

/**
 * The parsed request line and headers as phases see them: a read-only, Netty-free view the node implements
 * over its decoded request, so decisions stay testable without sockets.
 */
public interface RequestHead extends RoutableRequest {

    /** The request-target exactly as received (origin-form: path and query). */
    String uri();

    /** The query string without the '?', or null when there is none. */
    String query();

    /** {@code HTTP/1.1} or {@code HTTP/1.0}. */
    String protocol();

    /** Every value of a header (case-insensitive name), in order; empty when absent. */
    java.util.List<String> headers(String name);

    /** Every header as received, in order (for inspection; allocates, so only phases that need all of them). */
    java.util.List<java.util.Map.Entry<String, String>> headerList();

    /** The address of the TCP peer (no port), textual form. */
    String peerAddress();
}
