package dev.aegis.origin;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A request the {@link MockOrigin} received completely (head and body), as tests assert on it.
 *
 * @param method    the request method
 * @param uri       the request-target exactly as received
 * @param headers   the header fields in arrival order, keyed by lower-case name (field names are
 *                  case-insensitive, RFC 9110 §5.1), each with its values in arrival order; unmodifiable
 * @param bodyBytes how many body bytes arrived (after de-chunking)
 */
public record RecordedRequest(String method, String uri, Map<String, List<String>> headers, long bodyBytes) {

    public RecordedRequest {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        headers = Collections.unmodifiableMap(copy);
    }

    /** The first value of header {@code name} (any case), or null when the request did not carry it. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
