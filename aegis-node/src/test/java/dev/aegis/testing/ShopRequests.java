package dev.aegis.testing;

import dev.aegis.testing.RawConnection.HttpResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Requests as a browser sends them to the test shop ({@code Host: shop.example}, a browser's User-Agent and Accept),
 * each on a connection of its own, byte for byte as written here. Extra headers come as name, value pairs after
 * the defaults; a pair naming a default header (User-Agent, say) replaces it in place, so none is sent twice.
 */
public final class ShopRequests {
    private ShopRequests() {
    }

    /** {@code GET target} with {@code Accept: text/html}. */
    public static HttpResponse get(int port, String target, String... headerNameValuePairs) throws IOException {
        try (RawConnection c = RawConnection.open(port)) {
            return c.send(head("GET", target, headerNameValuePairs)).read();
        }
    }

    /** {@code POST path} of {@code body}, framed by its Content-Length (of its UTF-8 bytes). */
    public static HttpResponse post(int port, String path, String contentType, String body,
                                    String... headerNameValuePairs) throws IOException {
        String[] pairs = Arrays.copyOf(new String[] {"Content-Length", "" + body.getBytes(StandardCharsets.UTF_8).length},
                2 + headerNameValuePairs.length);
        System.arraycopy(headerNameValuePairs, 0, pairs, 2, headerNameValuePairs.length);
        try (RawConnection c = RawConnection.open(port)) {
            return c.send(postHead(path, contentType, pairs) + body).read();
        }
    }

    /** The Host an admin API without a token accepts (an address: a host name is refused, see AdminConnection). */
    public static final String[] ADMIN_HOST = {"Host", "127.0.0.1"};

    /**
     * The head (through the blank line) of {@code POST path}, accepting any type, with the Content-Type and then
     * {@code headerNameValuePairs}: the body's framing (Content-Length or Transfer-Encoding) is the caller's.
     */
    public static String postHead(String path, String contentType, String... headerNameValuePairs) {
        String[] pairs = Arrays.copyOf(new String[] {"Accept", "*/*", "Content-Type", contentType},
                4 + headerNameValuePairs.length);
        System.arraycopy(headerNameValuePairs, 0, pairs, 4, headerNameValuePairs.length);
        return head("POST", path, pairs);
    }

    private static String head(String method, String target, String... headerNameValuePairs) {
        if (headerNameValuePairs.length % 2 != 0) {
            throw new IllegalArgumentException("headers come as name, value pairs: "
                    + Arrays.toString(headerNameValuePairs));
        }
        String[][] defaults = {{"Host", "shop.example"}, {"User-Agent", "Mozilla/5.0"}, {"Accept", "text/html"}};
        StringBuilder extra = new StringBuilder();
        pairs:
        for (int i = 0; i < headerNameValuePairs.length; i += 2) {
            String name = headerNameValuePairs[i];
            String value = headerNameValuePairs[i + 1];
            for (String[] header : defaults) {
                if (header[0].equalsIgnoreCase(name)) {
                    header[0] = name;
                    header[1] = value;
                    continue pairs;
                }
            }
            extra.append(name).append(": ").append(value).append("\r\n");
        }
        StringBuilder head = new StringBuilder().append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        for (String[] header : defaults) {
            head.append(header[0]).append(": ").append(header[1]).append("\r\n");
        }
        return head.append(extra).append("\r\n").toString();
    }
}
