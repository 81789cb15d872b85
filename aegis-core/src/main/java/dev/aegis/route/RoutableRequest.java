package dev.aegis.route;

/**
 * What the route phase needs to know about a request to pick its route; the node implements it over the
 * decoded request head (see {@code dev.aegis.pipeline.RequestHead}).
 */
public interface RoutableRequest {

    /** The request method as received; methods are case-sensitive (RFC 9110 §9.1). */
    String method();

    /**
     * The Host header (or the authority of an absolute-form target) as received: any case, may carry
     * {@code :port}, may be an IPv6 literal in brackets; null when the request has none.
     */
    String host();

    /** The path part of the request target, without the query; matched as given (no decoding). */
    String path();

    /** The value of a header by case-insensitive name, or null when absent. */
    String header(String name);
}
