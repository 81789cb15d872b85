package dev.aegis.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides the secret part of URLs that carry credentials ({@code redis://user:secret@host},
 * {@code nats://TOKEN@host}, NATS' comma-separated server lists) before they are logged or shown.
 */
public final class UrlCredentials {
    /** The text that replaces a secret. */
    public static final String REDACTED = "<redacted>";
    /**
     * A scheme, then user info up to the last {@code @} before the next URL of a list (a password may hold
     * {@code @}, {@code /} or {@code ,}; an {@code @} later in a path only hides more than needed).
     */
    private static final Pattern USER_INFO = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://)((?:(?!://).)*)@");

    private UrlCredentials() {
    }

    /**
     * {@code url} with every password replaced by {@link #REDACTED} ({@code user:<redacted>@}), and a lone user
     * part, which NATS takes as a token, replaced whole. Null stays null.
     */
    public static String redact(String url) {
        if (url == null) {
            return null;
        }
        Matcher m = USER_INFO.matcher(url);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String userInfo = m.group(2);
            int colon = userInfo.indexOf(':');
            String kept = colon < 0 ? REDACTED : userInfo.substring(0, colon) + ":" + REDACTED;
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + kept + "@"));
        }
        m.appendTail(out);
        return out.toString();
    }
}
