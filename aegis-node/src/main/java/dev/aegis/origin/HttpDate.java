package dev.aegis.origin;

import io.netty.handler.codec.DateFormatter;
import io.netty.util.AsciiString;
import java.util.Date;

/** The {@code Date} header value (RFC 9110 §6.6.1), formatted at most once a second however many answers use it. */
final class HttpDate {
    private record Formatted(long second, AsciiString value) {}

    // Benign race: two threads may format the same second; either result is correct.
    private static volatile Formatted current = new Formatted(-1, AsciiString.EMPTY_STRING);

    private HttpDate() {}

    static AsciiString now() {
        long second = System.currentTimeMillis() / 1000;
        Formatted f = current;
        if (f.second() != second) {
            f = new Formatted(second, format(second * 1000));
            current = f;
        }
        return f.value();
    }

    static AsciiString format(long epochMillis) {
        return new AsciiString(DateFormatter.format(new Date(epochMillis)));
    }
}
