package dev.aegis.admin;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One admin request as an endpoint sees it, detached from Netty: the whole (bounded) body is a plain array, so an
 * endpoint may use it on any thread, after the connection's buffers are long released.
 *
 * @param method the request method as sent ({@code HEAD} reaches {@code GET} endpoints; the body is dropped)
 * @param path the raw path, without query; not percent-decoded
 * @param query the decoded query parameters, in order
 * @param headers the header fields by lower-case name, values in order
 */
record AdminRequest(String method, String path, Map<String, List<String>> query, Map<String, List<String>> headers,
        byte[] body) {

    AdminRequest {
        query = frozen(query);
        headers = frozen(headers);
    }

    private static Map<String, List<String>> frozen(Map<String, List<String>> multimap) {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        multimap.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        return Collections.unmodifiableMap(copy); // keeps the order they arrived in
    }

    /** The first value of header {@code name} (any case), or null. */
    String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The first value of query parameter {@code name}, or null. */
    String queryParam(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The body decoded as UTF-8. */
    String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
