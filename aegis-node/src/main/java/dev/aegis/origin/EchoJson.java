package dev.aegis.origin;

import io.netty.handler.codec.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON echo of a request head ({@code {"method":..,"uri":..,"headers":{..}}}) that the catch-all endpoint
 * answers with, in the spirit of httpbin's {@code /anything}; proxy tests read it to see what was forwarded.
 */
final class EchoJson {
    private EchoJson() {}

    static String render(HttpRequest request) {
        // Repeated fields are folded into one member, comma-joined as RFC 9110 §5.3 allows, because a JSON object
        // with duplicate keys is ambiguous; the name keeps the spelling it first arrived with.
        Map<String, String[]> fields = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : request.headers()) {
            String[] field = fields.get(h.getKey().toLowerCase(Locale.ROOT));
            if (field == null) {
                fields.put(h.getKey().toLowerCase(Locale.ROOT), new String[] {h.getKey(), h.getValue()});
            } else {
                field[1] = field[1] + ", " + h.getValue();
            }
        }
        StringBuilder json = new StringBuilder(128 + 64 * fields.size());
        json.append("{\"method\":");
        quote(json, request.method().name());
        json.append(",\"uri\":");
        quote(json, request.uri());
        json.append(",\"headers\":{");
        boolean first = true;
        for (String[] field : fields.values()) {
            if (!first) {
                json.append(',');
            }
            first = false;
            quote(json, field[0]);
            json.append(':');
            quote(json, field[1]);
        }
        return json.append("}}\n").toString();
    }

    static void quote(StringBuilder out, CharSequence s) {
        dev.aegis.server.JsonString.appendQuoted(out, s);
    }
}
