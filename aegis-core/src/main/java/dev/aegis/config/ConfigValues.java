package dev.aegis.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The scalar forms a config file is written in: durations, sizes, integers, addresses, HTTP tokens and
 * {@code ${ENV}} interpolation. Each parser throws {@link IllegalArgumentException} with a message meant for the
 * person who wrote the file; the reader attaches the line.
 */
public final class ConfigValues {

    /** Longest value echoed back in a message, so one absurd scalar cannot flood the error report. */
    private static final int MAX_ECHO = 60;

    private ConfigValues() {
    }

    /** {@code 250ms}, {@code 2s}, {@code 5m}, {@code 1h}, or {@code 0}. */
    public static Duration parseDuration(String text) {
        String s = text.strip();
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        int digits = leadingDigits(s);
        String unit = s.substring(digits).strip();
        if (digits == 0 || digits > 18) {
            throw new IllegalArgumentException(quote(text) + " is not a duration; write a whole number with a unit: "
                    + "250ms, 2s, 5m or 1h");
        }
        long amount = Long.parseLong(s.substring(0, digits));
        try {
            return switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofSeconds(Math.multiplyExact(amount, 60L));
                case "h" -> Duration.ofSeconds(Math.multiplyExact(amount, 3600L));
                case "" -> throw new IllegalArgumentException(quote(text) + " has no unit; write " + amount + "ms, "
                        + amount + "s, " + amount + "m or " + amount + "h");
                default -> throw new IllegalArgumentException(quote(text) + " has an unknown unit " + quote(unit)
                        + "; use ms, s, m or h");
            };
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(quote(text) + " is too long a duration");
        }
    }

    /**
     * A byte count: a plain integer, or one with {@code B}, {@code KiB}/{@code MiB}/{@code GiB} (powers of 1024)
     * or {@code KB}/{@code MB}/{@code GB} (powers of 1000).
     */
    static long parseSize(String text) {
        String s = text.strip();
        int digits = leadingDigits(s);
        if (digits == 0 || digits > 18) {
            throw new IllegalArgumentException(quote(text) + " is not a size; write a whole number of bytes, "
                    + "optionally with a unit: 512B, 512KiB, 1MiB, 1GiB (powers of 1024) or 1KB, 1MB, 1GB (powers of 1000)");
        }
        long amount = Long.parseLong(s.substring(0, digits));
        String unit = s.substring(digits).strip();
        long factor = switch (unit) {
            case "", "B" -> 1L;
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            case "KB" -> 1_000L;
            case "MB" -> 1_000_000L;
            case "GB" -> 1_000_000_000L;
            default -> throw new IllegalArgumentException(quote(text) + " has an unknown size unit " + quote(unit)
                    + "; use B, KiB, MiB, GiB (powers of 1024) or KB, MB, GB (powers of 1000)");
        };
        try {
            return Math.multiplyExact(amount, factor);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(quote(text) + " is too large a size");
        }
    }

    /** A decimal integer; {@code _} may group digits ({@code 100_000}) as YAML allows. */
    static long parseInteger(String text) {
        String s = text.strip();
        int i = 0;
        boolean negative = false;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            negative = s.charAt(0) == '-';
            i = 1;
        }
        StringBuilder digits = new StringBuilder(s.length());
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digits.append(c);
            } else if (c != '_' || digits.isEmpty()) {
                throw new IllegalArgumentException("expected a whole number, got " + quote(text));
            }
        }
        if (digits.isEmpty()) {
            throw new IllegalArgumentException("expected a whole number, got " + quote(text));
        }
        if (digits.length() > 18) {
            throw new IllegalArgumentException(quote(text) + " is too large a number");
        }
        long value = Long.parseLong(digits.toString());
        return negative ? -value : value;
    }

    /** {@code true}/{@code false}, and the YAML 1.1 spellings {@code yes}/{@code no}/{@code on}/{@code off}. */
    static boolean parseBoolean(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("expected true or false, got " + quote(text));
        };
    }

    /** A listen address: {@code host:port}, {@code [v6]:port}, or {@code :port} meaning all IPv4 interfaces. */
    static HostPort parseListen(String text) {
        return parseHostPort(text, "0.0.0.0");
    }

    /** A server address: {@code host:port} or {@code [v6]:port}; the host is required. */
    static HostPort parseServerAddress(String text) {
        return parseHostPort(text, null);
    }

    private static HostPort parseHostPort(String text, String defaultHost) {
        String s = text.strip();
        String example = defaultHost == null ? "host:port or [ipv6]:port, for example 127.0.0.1:9000"
                : "host:port, [ipv6]:port or :port, for example 0.0.0.0:8080";
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException(quote(text) + " is not an address; write " + example);
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
            byte[] v6 = Cidr.parseAddress(host);
            if (v6 == null || v6.length != 16) {
                throw new IllegalArgumentException(quote(host) + " in " + quote(text) + " is not an IPv6 address");
            }
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException(quote(text) + " has no port; write " + example);
            }
            if (s.indexOf(':') != colon) {
                throw new IllegalArgumentException(quote(text) + " looks like an IPv6 address; put it in brackets: [addr]:port");
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
            if (host.isEmpty()) {
                if (defaultHost == null) {
                    throw new IllegalArgumentException(quote(text) + " has no host; write " + example);
                }
                host = defaultHost;
            } else if (!isHostName(host)) {
                throw new IllegalArgumentException(quote(host) + " in " + quote(text)
                        + " is neither an IPv4 address nor a host name");
            }
        }
        // A listener may ask for port 0 (an ephemeral port, which the node logs); a server address may not.
        return new HostPort(host.toLowerCase(Locale.ROOT), parsePort(port, text, defaultHost == null ? 1 : 0));
    }

    private static int parsePort(String port, String text, int min) {
        int digits = leadingDigits(port);
        if (digits == 0 || digits != port.length() || digits > 5) {
            throw new IllegalArgumentException(quote(text) + " has no valid port; a port is a number from 1 to 65535");
        }
        int value = Integer.parseInt(port);
        if (value < min || value > 65535) {
            throw new IllegalArgumentException("port must be between " + min + " and 65535, got " + value);
        }
        return value;
    }

    /**
     * A DNS name (labels of letters, digits, {@code -} and {@code _}) or a dotted IPv4 literal. All-numeric names
     * must be valid IPv4 so that {@code 300.1.1.1} is caught here and not by a failing resolver at runtime.
     */
    static boolean isHostName(String host) {
        if (host.isEmpty() || host.length() > 253) {
            return false;
        }
        boolean allNumeric = true;
        int labelStart = 0;
        for (int i = 0; i <= host.length(); i++) {
            if (i == host.length() || host.charAt(i) == '.') {
                int length = i - labelStart;
                if (length == 0 || length > 63 || host.charAt(labelStart) == '-' || host.charAt(i - 1) == '-') {
                    return false;
                }
                labelStart = i + 1;
                continue;
            }
            char c = host.charAt(i);
            boolean digit = c >= '0' && c <= '9';
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (!digit && !letter && c != '-' && c != '_') {
                return false;
            }
            allNumeric &= digit;
        }
        return !allNumeric || Cidr.parseAddress(host) != null;
    }

    /** An RFC 9110 section 5.6.2 token: header names and methods. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * Replaces {@code ${NAME}} by the variable's value and {@code ${NAME:-default}} by the value, or by
     * {@code default} when the variable is unset or empty (as a POSIX shell does); {@code $${X}} is the literal
     * text {@code ${X}}. Values are not scanned again, so an environment variable can not inject another reference.
     */
    static String interpolate(String text, Function<String, String> env) {
        if (text.indexOf('$') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        List<String> unset = new ArrayList<>();
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '$' && text.startsWith("${", i + 1)) {
                out.append("${");
                i += 3;
                continue;
            }
            if (c != '$' || !text.startsWith("{", i + 1)) {
                out.append(c);
                i++;
                continue;
            }
            int close = text.indexOf('}', i + 2);
            if (close < 0) {
                throw new IllegalArgumentException("unterminated `${` in " + quote(text)
                        + " (write `$${` for a literal `${`)");
            }
            String expression = text.substring(i + 2, close);
            int separator = expression.indexOf(":-");
            String name = separator < 0 ? expression : expression.substring(0, separator);
            if (!isVariableName(name)) {
                throw new IllegalArgumentException(quote("${" + expression + "}")
                        + " does not name an environment variable; write ${NAME} or ${NAME:-default}");
            }
            String value = env.apply(name);
            if (separator >= 0 && (value == null || value.isEmpty())) {
                value = expression.substring(separator + 2);
            }
            if (value == null) {
                unset.add(name);
            } else {
                out.append(value);
            }
            i = close + 1;
        }
        if (!unset.isEmpty()) {
            String first = unset.get(0);
            String names = unset.size() == 1 ? "environment variable `" + first + "` is not set"
                    : "environment variables " + String.join(", ", unset.stream().map(u -> "`" + u + "`").toList())
                    + " are not set";
            throw new IllegalArgumentException(names + " (write ${" + first + ":-default} to give a default)");
        }
        return out.toString();
    }

    private static boolean isVariableName(String name) {
        if (name.isEmpty() || (name.charAt(0) >= '0' && name.charAt(0) <= '9')) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** A value in backquotes for a message, shortened if long. */
    static String quote(String value) {
        String shown = value.length() > MAX_ECHO ? value.substring(0, MAX_ECHO) + "..." : value;
        return "`" + shown + "`";
    }

    private static int leadingDigits(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i;
    }

    /** A size as a person writes it: the largest binary unit that divides it ({@code 1MiB}), else bytes. */
    static String formatSize(long bytes) {
        String[] units = {"GiB", "MiB", "KiB"};
        long[] factors = {1L << 30, 1L << 20, 1L << 10};
        for (int i = 0; i < units.length; i++) {
            if (bytes >= factors[i] && bytes % factors[i] == 0) {
                return bytes / factors[i] + units[i];
            }
        }
        return bytes + "B";
    }
}
