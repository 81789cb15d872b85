package dev.aegis.route;

import com.google.re2j.Pattern;

/**
 * A route with its conditions flattened into arrays, so checking it on the event loop touches no collection
 * and allocates nothing. {@code rank} is the route's position in precedence order: lower wins.
 */
final class CompiledRoute {

    static final CompiledRoute[] NONE = new CompiledRoute[0];

    final Route route;
    final int rank;
    /** Allowed methods; empty = any. */
    private final String[] methods;
    /** A GET route also serves HEAD (see RouteTable's javadoc for why). */
    private final boolean headViaGet;
    private final String[] headerNames;
    private final String[] headerValues;
    /** Only for regex routes; matched against the whole path. */
    final Pattern regex;
    /**
     * What every path the regex matches starts with (its leading literal characters, "" when it has none), checked
     * before the regex runs: most paths fail it at once, and a regex costs tens of nanoseconds even in RE2J.
     */
    final String literalPrefix;

    CompiledRoute(Route route, String[] methods, String[] headerNames, String[] headerValues, Pattern regex) {
        this.route = route;
        this.rank = route.index();
        this.methods = methods;
        boolean get = false;
        for (String m : methods) {
            get |= m.equals("GET");
        }
        this.headViaGet = get;
        this.headerNames = headerNames;
        this.headerValues = headerValues;
        this.regex = regex;
        this.literalPrefix = regex == null ? "" : literalPrefix(regex.pattern());
    }

    /**
     * The literal start of {@code source} as a whole-path regex: plain characters and escaped punctuation up to
     * the first construct, minus the last one if a quantifier follows it. "" for a regex with an alternation (its
     * branches may start differently) or a case-insensitivity flag.
     */
    static String literalPrefix(String source) {
        if (source.indexOf('|') >= 0 || source.startsWith("(?")) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            int lastStart = b.length();
            if (c == '\\' && i + 1 < source.length() && !Character.isLetterOrDigit(source.charAt(i + 1))) {
                b.append(source.charAt(i + 1)); // an escaped punctuation character stands for itself
                i += 2;
            } else if (Character.isLetterOrDigit(c) || c == '/' || c == '-' || c == '_' || c == '~' || c == '%'
                    || c == '=' || c == ',' || c == ':' || c == '@' || c == '&' || c == '!' || c == ';'
                    || c == '\'' || c == ' ') {
                b.append(c);
                i++;
            } else {
                break;
            }
            if (i < source.length() && "*?{+".indexOf(source.charAt(i)) >= 0) {
                b.setLength(lastStart); // the quantifier makes that last character optional or repeated
                break;
            }
        }
        return b.toString();
    }

    /** Methods and headers: everything but host and path, which the table's indexes have already decided. */
    boolean conditionsMatch(RoutableRequest request, String method) {
        if (methods.length != 0 && !methodAllowed(method)) {
            return false;
        }
        for (int i = 0; i < headerNames.length; i++) {
            String value = request.header(headerNames[i]);
            if (value == null || !value.equals(headerValues[i])) {
                return false;
            }
        }
        return true;
    }

    private boolean methodAllowed(String method) {
        if (method == null) {
            return false;
        }
        for (String m : methods) {
            if (m.equals(method)) {
                return true;
            }
        }
        return headViaGet && method.equals("HEAD");
    }

    @Override
    public String toString() {
        return rank + ":" + route.name();
    }
}
