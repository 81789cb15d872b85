package dev.aegis.waf;

/**
 * Cross-site-scripting detector built on an HTML / attribute / URI tokenizer (in the spirit of libinjection's XSS
 * module; written for this project).
 *
 * <p>The input (already URL- and entity-decoded once by the engine, case preserved) is walked once. At each
 * position that can start a structure the detector asks a small, bounded question:
 * <ul>
 * <li>{@code <} + letter: a start tag is tokenised (name, attributes, quoted / unquoted values). It is an attack
 * when the tag itself runs script or loads active content ({@code script}, {@code iframe}, {@code svg},
 * {@code object}, {@code base}, {@code meta}, ...), has an event-handler attribute ({@code on*=}), or an attribute
 * value that is a dangerous URI, {@code expression(} or {@code srcdoc}. {@code </script} and conditional comments
 * are attacks too.</li>
 * <li>a word {@code on}+letters followed by {@code =}: an event handler injected after breaking out of an attribute
 * (the word follows a quote or {@code /}, or the input holds a quote / angle bracket, or the value is code).</li>
 * <li>{@code javascript:}, {@code vbscript:}, {@code livescript:}, {@code data:text/html}... matched tolerant to
 * whitespace, control characters and leftover entities inside the scheme, in a URI position (after {@code =},
 * {@code (}, a quote, or at the start of the value followed by code).</li>
 * <li>JavaScript-context breakouts: a quote followed by an operator and a call ({@code ';alert(1)//},
 * {@code "-alert(1)-"}), template literals with {@code ${}, calls of script sinks ({@code alert(},
 * {@code eval(}, {@code String.fromCharCode(}, tagged templates {@code alert`1`}), {@code document.cookie},
 * {@code .innerHTML=}, CSS {@code expression(}.</li>
 * </ul>
 * Words alone never match: {@code javascript is fun}, {@code x=onion}, {@code I <3 cats} stay clean.
 *
 * <p>Cost: a table pre-check rejects values without any structural character; the walk never moves backwards more
 * than a few characters, every look-ahead is bounded, a tag's tokeniser resumes the walk where it stopped, and only
 * the first {@link #MAX_SCAN} characters are inspected. Nothing is allocated unless a finding is returned.
 */
public final class CrossSiteScripting {
    private CrossSiteScripting() {
    }

    /** Only the first part of a huge value is inspected, so garbage cannot cost more than a bounded time. */
    static final int MAX_SCAN = 64 * 1024;
    private static final int MAX_NAME = 64;
    private static final int LOOKAHEAD = 96;
    private static final int FRAGMENT = 80;

    private static final boolean[] TRIGGER = new boolean[128];

    static {
        for (char c : "<>\"'`(:=[.".toCharArray()) {
            TRIGGER[c] = true;
        }
    }

    /** Tags that run script or load active content on their own. */
    private static final String[] BLACK_TAGS = {
        "script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "base", "link", "meta",
        "import", "isindex", "noscript", "portal", "vmlframe", "handler", "listener", "xml", "xss", "foreignobject",
    };

    /**
     * When the prefilter must run this detector whatever words the value holds: one of these sets of byte classes
     * is wholly present. A tag needs {@code <}, a breakout a quote or {@code >} or {@code [}, the UTF-7 form a
     * {@code +}; a URI scheme may be spelled with junk inside ({@code java&#x09;script:}, {@code java script:}, a
     * control or a soft hyphen). Without any of these every match needs one of {@link #wordLiterals()}.
     */
    static final int[] LITERAL_BYPASS = {Value.C_LT, Value.C_GT, Value.C_QUOTE, Value.C_BRACKET, Value.C_PLUS,
        Value.C_CTRL, Value.C_HIGH, Value.C_AMP, Value.C_COLON | Value.C_SPACE};

    /**
     * One of these is in the (decoded) value whenever {@link #LITERAL_BYPASS} does not hold and the detector
     * matches: a sink called, a DOM global accessed, {@code -moz-binding}, a URI scheme spelled plainly, an event
     * handler ({@code on...=}) or {@code innerHTML=}.
     */
    static java.util.List<String> wordLiterals() {
        java.util.List<String> l = new java.util.ArrayList<>(java.util.List.of(SINKS));
        l.addAll(java.util.List.of(DOM_GLOBALS));
        l.addAll(java.util.List.of("-binding", "javascript", "vbscript", "livescript", "data", "on", "innerhtml",
                "outerhtml"));
        return l;
    }

    private static boolean domGlobal(CharSequence s, int w, int e, char c0) {
        return switch (c0) {
            case 'w' -> e - w == 6 && regionEqualsCi(s, w, e, "window");
            case 's' -> e - w == 4 && regionEqualsCi(s, w, e, "self");
            case 't' -> e - w == 3 && regionEqualsCi(s, w, e, "top");
            case 'p' -> e - w == 6 && regionEqualsCi(s, w, e, "parent");
            case 'g' -> e - w == 10 && regionEqualsCi(s, w, e, "globalthis");
            default -> false;
        };
    }

    /** Globals whose properties (cookie, location, write, eval...) are the targets of a DOM access. */
    private static final String[] DOM_GLOBALS = {"document", "window", "self", "top", "parent", "globalthis"};

    /** Functions whose call is the payload of a script injection. */
    private static final String[] SINKS = {
        "alert", "prompt", "confirm", "eval", "settimeout", "setinterval", "execscript", "fromcharcode", "atob",
        "msgbox", "constructor", "expression", "import", "print",
    };

    /** A finding when {@code input} (already URL/entity-decoded) would run script in a browser; null when clean. */
    public static Finding detect(CharSequence input) {
        if (input == null) {
            return null;
        }
        final int n = Math.min(input.length(), MAX_SCAN);
        if (n < 3) {
            return null;
        }
        boolean any = false;
        for (int i = 0; i < n; i++) {
            char c = input.charAt(i);
            if (c < 128 && TRIGGER[c]) {
                any = true;
                break;
            }
        }
        if (!any) {
            return null;
        }
        return scan(input, 0, n, false);
    }

    /** Walks {@code s[from, n)}; attribute values of tags are walked again (they cannot hold tags). */
    private static Finding scan(CharSequence s, int from, int n, boolean sawMarkup) {
        // sawMarkup: a quote or angle bracket seen so far, i.e. an attribute breakout context
        int i = from;
        while (i < n) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> {
                    sawMarkup = true;
                    long r = tag(s, i, n);
                    if (r < 0) {
                        int at = (int) (-r & 0xFFFFFFFFL) - 1;
                        return found(s, at < 0 ? i : at, n, REASONS[(int) (-r >>> 32) - 1]);
                    }
                    i = Math.max(i + 1, (int) r);
                    continue;
                }
                case '"', '\'', '`' -> {
                    sawMarkup = true;
                    Finding f = quoteBreakout(s, i, n, c);
                    if (f != null) {
                        return f;
                    }
                }
                case '>' -> sawMarkup = true;
                default -> {
                    if (isLetter(c) && (i == from || !isIdent(s.charAt(i - 1)))) {
                        Finding f = word(s, i, n, sawMarkup);
                        if (f != null) {
                            return f;
                        }
                    }
                }
            }
            i++;
        }
        return null;
    }

    // ---- reasons (indices packed into tag()'s negative result) ----
    private static final String[] REASONS = {
        "xss:script-tag", "xss:active-tag", "xss:event-handler", "xss:dangerous-uri", "xss:css-expression",
        "xss:srcdoc", "xss:close-script", "xss:conditional-comment", "xss:in-attribute-value",
        "xss:processing-instruction",
    };
    private static final int R_SCRIPT = 0;
    private static final int R_ACTIVE = 1;
    private static final int R_HANDLER = 2;
    private static final int R_URI = 3;
    private static final int R_CSS = 4;
    private static final int R_SRCDOC = 5;
    private static final int R_CLOSE = 6;
    private static final int R_COMMENT = 7;
    private static final int R_VALUE = 8;
    private static final int R_PI = 9;

    private static long hit(int reason) {
        return hit(reason, -1);
    }

    /** Negative: reason + 1 in the high word, position + 1 (0: the tag's own position) in the low word. */
    private static long hit(int reason, int at) {
        return -(((long) (reason + 1) << 32) | (at + 1L));
    }

    /**
     * Tokenises the markup starting at {@code s[lt] == '<'}. Returns a negative value encoding a reason when the tag
     * is an attack, else the position where the walk resumes.
     */
    private static long tag(CharSequence s, int lt, int n) {
        int i = lt + 1;
        if (i >= n) {
            return i;
        }
        char c = s.charAt(i);
        if (c == '/') {
            int j = i + 1;
            if (matchWordCi(s, j, n, "script")) {
                return hit(R_CLOSE);
            }
            return j;
        }
        if (c == '?') {
            // <?import implementation=...>, <?xml-stylesheet ...?>: active content in old browsers / XML documents
            if (matchCi(s, i + 1, n, "import") || matchCi(s, i + 1, n, "xml-stylesheet")) {
                return hit(R_PI);
            }
            return i;
        }
        if (c == '!') {
            // <!--[if ...]> conditional comments; other comments / CDATA: their content is walked as data
            int j = i + 1;
            if (j + 1 < n && s.charAt(j) == '-' && s.charAt(j + 1) == '-') {
                j += 2;
                if (j < n && s.charAt(j) == '[' && matchCi(s, j + 1, n, "if")) {
                    return hit(R_COMMENT);
                }
            } else if (j < n && s.charAt(j) == '[' && matchCi(s, j + 1, n, "if")) {
                return hit(R_COMMENT);
            }
            return j;
        }
        if (!isLetter(c)) {
            return i;
        }
        // tag name: up to whitespace, '/', '>'; a namespace prefix (x:script) is ignored
        int nameStart = i;
        int localStart = i;
        while (i < n && i - nameStart <= MAX_NAME) {
            c = s.charAt(i);
            if (c <= ' ' || c == '/' || c == '>' || c == '<') {
                break;
            }
            if (c == ':') {
                localStart = i + 1;
            }
            i++;
        }
        int nameEnd = i;
        if (blackTag(s, localStart, nameEnd) || matchCi(s, nameStart, nameEnd, "svg")
            || matchCi(s, nameStart, nameEnd, "xsl")) {
            return hit(matchCi(s, localStart, nameEnd, "script") ? R_SCRIPT : R_ACTIVE);
        }
        boolean style = regionEqualsCi(s, localStart, nameEnd, "style");
        if (style && cssDanger(s, nameEnd, Math.min(n, nameEnd + 1024))) {
            return hit(R_CSS);
        }
        // attributes
        while (i < n) {
            // separators between attributes
            while (i < n && ((c = s.charAt(i)) <= ' ' || c == '/' || c == '"' || c == '\'')) {
                i++;
            }
            if (i >= n) {
                return i;
            }
            c = s.charAt(i);
            if (c == '>') {
                return i + 1;
            }
            if (c == '<') {
                return i;
            }
            int an = i;
            if (c == '=') {
                i++; // an attribute name may start with '='
            }
            while (i < n && i - an <= MAX_NAME) {
                c = s.charAt(i);
                if (c <= ' ' || c == '/' || c == '>' || c == '=' || c == '<') {
                    break;
                }
                i++;
            }
            int ae = i;
            int k = skipSpace(s, i, n);
            if (k >= n || s.charAt(k) != '=') {
                if (ae == an) {
                    i++; // a lone '=' or overlong name: move on
                }
                continue;
            }
            // attribute with a value
            if (isHandlerName(s, an, ae)) {
                return hit(R_HANDLER);
            }
            k = skipSpace(s, k + 1, n);
            int vs;
            int ve;
            int next;
            if (k < n && (s.charAt(k) == '"' || s.charAt(k) == '\'')) {
                char q = s.charAt(k);
                vs = k + 1;
                int j = vs;
                while (j < n && s.charAt(j) != q && s.charAt(j) != '<') {
                    j++;
                }
                ve = j;
                next = j < n && s.charAt(j) == q ? j + 1 : j;
            } else {
                vs = k;
                int j = vs;
                while (j < n && (c = s.charAt(j)) > ' ' && c != '>' && c != '<') {
                    j++;
                }
                ve = j;
                next = j;
            }
            if (unquotedHandler(s, vs, ve)) {
                return hit(R_HANDLER);
            }
            if (regionEqualsCi(s, an, ae, "srcdoc")) {
                return hit(R_SRCDOC);
            }
            if (ve > vs) {
                if (schemeAt(s, skipJunk(s, vs, ve), ve) != 0) {
                    return hit(R_URI);
                }
                if (regionEqualsCi(s, an, ae, "style") && cssDanger(s, vs, ve)) {
                    return hit(R_CSS);
                }
                // data binding (dataformatas=html), SVG animation of a handler or link (attributeName=onclick)
                if (regionEqualsCi(s, an, ae, "dataformatas") && matchCi(s, skipJunk(s, vs, ve), ve, "html")
                    || regionEqualsCi(s, an, ae, "attributename") && (matchCi(s, skipJunk(s, vs, ve), ve, "on")
                        || matchCi(s, skipJunk(s, vs, ve), ve, "href")
                        || matchCi(s, skipJunk(s, vs, ve), ve, "xlink:href"))) {
                    return hit(R_ACTIVE);
                }
                // the value's own content (an injected value can hold script, e.g. a breakout into a handler)
                Finding inner = scan(s, vs, ve, true);
                if (inner != null) {
                    return hit(R_VALUE, vs);
                }
            }
            i = next;
        }
        return i;
    }

    private static boolean cssDanger(CharSequence s, int from, int to) {
        for (int j = from; j < to; j++) {
            char c = s.charAt(j);
            if (c == 'e' || c == 'E') {
                int e = cssWord(s, j, to, "expression");
                if (e > 0 && nextNonSpace(s, e, to) == '(') {
                    return true;
                }
            } else if (c == 'b' || c == 'B') {
                if ((matchCi(s, j, to, "behavior") || matchCi(s, j, to, "behaviour") || matchCi(s, j, to, "binding"))
                    && (j == from || !isIdent(s.charAt(j - 1)) || s.charAt(j - 1) == '-')) {
                    int e = j;
                    while (e < to && isIdent(s.charAt(e))) {
                        e++;
                    }
                    if (nextNonSpace(s, e, to) == ':') {
                        return true;
                    }
                }
            } else if (c == '@') {
                if (matchCi(s, j, to, "@import")) {
                    return true;
                }
            } else if ((c == '(' || c == '\'' || c == '"' || c == ':') && schemeAt(s, skipJunk(s, j + 1, to), to) != 0) {
                return true;
            }
        }
        return false;
    }

    /** Matches a lower-case CSS word at j ignoring comments inside it ({@code expr/**}{@code /ession}); end or 0. */
    private static int cssWord(CharSequence s, int j, int to, String word) {
        int w = 0;
        int lim = Math.min(to, j + 256);
        while (w < word.length()) {
            if (j >= lim) {
                return 0;
            }
            char c = s.charAt(j);
            if (c == '/' && j + 1 < lim && s.charAt(j + 1) == '*' && w > 0) {
                j += 2;
                while (j + 1 < lim && !(s.charAt(j) == '*' && s.charAt(j + 1) == '/')) {
                    j++;
                }
                j += 2;
                continue;
            }
            if ((char) (c | 0x20) != word.charAt(w)) {
                return 0;
            }
            j++;
            w++;
        }
        return j;
    }

    private static boolean blackTag(CharSequence s, int from, int to) {
        for (String t : BLACK_TAGS) {
            int l = t.length();
            if (to - from >= l && matchCi(s, from, to, t)
                && (to - from == l || !isIdent(s.charAt(from + l)) && s.charAt(from + l) != '-')) {
                return true;
            }
        }
        return false;
    }

    /** {@code x/onerror=} inside an attribute value: a handler separated by a slash or a stray quote. */
    private static boolean unquotedHandler(CharSequence s, int from, int to) {
        for (int j = from + 1; j < to; j++) {
            char p = s.charAt(j - 1);
            if ((s.charAt(j) | 0x20) == 'o' && (p == '/' || p == '"' || p == '\'')) {
                int e = j;
                while (e < to && e - j <= MAX_NAME && isIdent(s.charAt(e))) {
                    e++;
                }
                if (e < to && s.charAt(e) == '=' && isHandlerName(s, j, e)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** An attribute name on + at least three letters: an event handler. */
    private static boolean isHandlerName(CharSequence s, int from, int to) {
        for (int j = to - 1; j > from; j--) {
            if (s.charAt(j) == ':') {
                from = j + 1;
                break;
            }
        }
        if (to - from < 5 || to - from > MAX_NAME) {
            return false;
        }
        char a = s.charAt(from);
        char b = s.charAt(from + 1);
        if ((a | 0x20) != 'o' || (b | 0x20) != 'n') {
            return false;
        }
        for (int j = from + 2; j < to; j++) {
            char c = s.charAt(j);
            if (!isLetter(c) && c != '-' && c != '_') {
                return false;
            }
        }
        return true;
    }

    /** A quote followed by operators and a call or assignment: breaking out of a JavaScript string. */
    private static Finding quoteBreakout(CharSequence s, int q, int n, char quote) {
        int lim = Math.min(n, q + LOOKAHEAD);
        if (quote == '`') {
            // template literal with a substitution
            for (int j = q + 1; j + 1 < lim; j++) {
                char c = s.charAt(j);
                if (c == '`') {
                    break;
                }
                if (c == '$' && s.charAt(j + 1) == '{') {
                    return found(s, q, n, "xss:template-literal");
                }
            }
            return null;
        }
        int j = q + 1;
        int ops = 0;
        boolean semi = false;
        while (j < lim) {
            char c = s.charAt(j);
            if (c <= ' ') {
                j++;
            } else if (c == ';' || c == '+' || c == '-' || c == '*' || c == '|' || c == '&' || c == '^'
                || c == ',' || c == ')' || c == '}' || c == ']' || c == '%' || c == '?' || c == '/' && !(j + 1 < lim
                    && s.charAt(j + 1) == '/')) {
                ops++;
                semi |= c == ';';
                if (ops > 4) {
                    return null;
                }
                j++;
            } else {
                break;
            }
        }
        if (ops == 0 || j >= lim) {
            return null;
        }
        // identifier (dotted), then a call or assignment
        int id = j;
        boolean dotted = false;
        while (j < lim && (isIdent(s.charAt(j)) || s.charAt(j) == '.')) {
            dotted |= s.charAt(j) == '.';
            j++;
        }
        if (j - id < 2 || !isLetter(s.charAt(id)) && s.charAt(id) != '$' && s.charAt(id) != '_') {
            return null;
        }
        if (j >= lim) {
            return null;
        }
        char c = s.charAt(j);
        if (c == '(' && j + 1 < n || c == '`'
            || c == '=' && (semi || dotted) && (j + 1 >= lim || s.charAt(j + 1) != '=')) {
            return found(s, q, n, "xss:js-breakout");
        }
        return null;
    }

    /** Checks the word starting at {@code w} (a letter after a non-identifier character). */
    private static Finding word(CharSequence s, int w, int n, boolean sawMarkup) {
        char c0 = (char) (s.charAt(w) | 0x20);
        // URI schemes, tolerant to junk inside the scheme
        if (c0 == 'j' || c0 == 'v' || c0 == 'l' || c0 == 'd') {
            int end = schemeAt(s, w, n);
            if (end != 0 && (uriContext(s, w, end, n) || junkInside(s, w, end))) {
                return found(s, w, n, "xss:dangerous-uri");
            }
        }
        int e = w;
        int lim = Math.min(n, w + MAX_NAME);
        while (e < lim && isIdent(s.charAt(e))) {
            e++;
        }
        if (e >= n) {
            return null;
        }
        char after = s.charAt(e);
        // event handler outside a tag: on...=
        if (c0 == 'o' && isHandlerName(s, w, e)) {
            int k = skipSpace(s, e, n);
            if (k < n && s.charAt(k) == '=' && (k + 1 >= n || s.charAt(k + 1) != '=')) {
                int v = skipSpace(s, k + 1, n);
                char p = w > 0 ? s.charAt(w - 1) : ' ';
                boolean breakout = p == '"' || p == '\'' || p == '/' || p == '`' || p == '.' || p == ';';
                if (v < n || breakout) {
                    if (breakout || sawMarkup || looksLikeCode(s, v, Math.min(n, v + LOOKAHEAD))) {
                        return found(s, w, n, "xss:event-handler");
                    }
                }
            }
        }
        // sinks: alert( eval( fromCharCode( alert`1` (alert)(1) alert.call(
        if (e - w < 64 && (SINK_LENGTHS >>> (e - w) & 1) != 0
                && c0 >= 'a' && c0 <= 'z' && (SINK_FIRSTS >>> (c0 - 'a') & 1) != 0
                && equalsAnyCi(s, w, e, SINKS)) {
            if (after == '(' && e + 1 < n || after == '`') {
                return found(s, w, n, "xss:script-call");
            }
            if (after == ')' && e + 1 < n && s.charAt(e + 1) == '(') {
                return found(s, w, n, "xss:script-call");
            }
            if (after == '.' && (matchCi(s, e + 1, n, "call(") || matchCi(s, e + 1, n, "apply(")
                || matchCi(s, e + 1, n, "bind("))) {
                return found(s, w, n, "xss:script-call");
            }
        }
        // document.cookie, document["cookie"], (document)/**/.write(, window.location, self["alert"](1)
        // (a word is only compared with the globals of its first letter and length)
        boolean doc = c0 == 'd' && e - w == 8 && regionEqualsCi(s, w, e, "document");
        if (doc || domGlobal(s, w, e, c0)) {
            int k = skipJsSpace(s, e, n);
            if (k < n && s.charAt(k) == ')') {
                k = skipJsSpace(s, k + 1, n);
            }
            if (k < n && (s.charAt(k) == '.' || s.charAt(k) == '[')) {
                boolean bracket = s.charAt(k) == '[';
                k = skipJsSpace(s, k + 1, n);
                if (bracket && k < n && (s.charAt(k) == '"' || s.charAt(k) == '\'' || s.charAt(k) == '`')) {
                    k++;
                    if (!doc) {
                        return found(s, w, n, "xss:dom-access"); // window["..."]: computed access to a global
                    }
                }
                if (matchWordCi(s, k, n, "cookie") || matchWordCi(s, k, n, "domain") || matchCi(s, k, n, "write")
                    || matchWordCi(s, k, n, "location") || !doc && (matchCi(s, k, n, "eval")
                        || matchWordCi(s, k, n, "name") || matchCi(s, k, n, "open("))) {
                    return found(s, w, n, "xss:dom-access");
                }
            }
        }
        if (c0 == 'm' && w > 0 && s.charAt(w - 1) == '-' && regionEqualsCi(s, w, e, "moz")
            && matchCi(s, e, n, "-binding")) {
            return found(s, w, n, "xss:css-binding");
        }
        // .innerHTML= / .outerHTML=
        if (w > 0 && s.charAt(w - 1) == '.'
            && (regionEqualsCi(s, w, e, "innerhtml") || regionEqualsCi(s, w, e, "outerhtml"))) {
            int k = skipSpace(s, e, n);
            if (k < n && s.charAt(k) == '=') {
                return found(s, w, n, "xss:dom-write");
            }
        }
        return null;
    }

    /**
     * Is the dangerous URI at {@code w} in a URI position: after {@code =}, {@code (} or a quote, or at the start of
     * the value and followed by code.
     */
    private static boolean uriContext(CharSequence s, int w, int end, int n) {
        int k = w - 1;
        while (k >= 0 && w - k < 8 && s.charAt(k) <= ' ') {
            k--;
        }
        char p = k < 0 ? 0 : s.charAt(k);
        if (p == '=' || p == '(' || p == '"' || p == '\'' || p == '`' || p == '>') {
            return true;
        }
        if (p == 0 || p == '[' || p == ',' || p == '{' || p == ';' || p == '|' || p == '+') {
            return looksLikeCode(s, end, Math.min(n, end + LOOKAHEAD));
        }
        return false;
    }

    /** The scheme matched with whitespace / controls / references inside it: never prose. */
    private static boolean junkInside(CharSequence s, int from, int to) {
        for (int j = from; j < to; j++) {
            char c = s.charAt(j);
            if (c == ':') {
                return false;
            }
            if (c == '\t' || c == '\n' || c == '\r' || c < ' ' || c == '&') {
                return true;
            }
        }
        return false;
    }

    /** Call syntax, an assignment, a statement separator, a bracket or a backslash in the window. */
    private static boolean looksLikeCode(CharSequence s, int from, int to) {
        if (from + 1 < to && s.charAt(from) == '/' && s.charAt(from + 1) == '/') {
            return true;
        }
        for (int j = from; j < to; j++) {
            char c = s.charAt(j);
            if ((c == '(' || c == '`') && j > from) {
                char p = s.charAt(j - 1);
                if (isIdent(p) || p == ')' || p == ']') {
                    return true;
                }
            } else if (c == '=' || c == ';' || c == '{' || c == '[' || c == '\\' || c == '<') {
                return true;
            }
        }
        return false;
    }

    /**
     * If a dangerous URI scheme starts at {@code i}, the position after its colon (or the data: media type), else 0.
     * Whitespace, control characters and leftover character references inside the scheme are ignored, as browsers
     * ignore tabs and newlines in URLs.
     */
    static int schemeAt(CharSequence s, int i, int n) {
        if (i >= n) {
            return 0;
        }
        char c = (char) (s.charAt(i) | 0x20);
        int end;
        switch (c) {
            case 'j' -> end = tolerant(s, i, n, "javascript:");
            case 'v' -> end = tolerant(s, i, n, "vbscript:");
            case 'l' -> end = tolerant(s, i, n, "livescript:");
            case 'd' -> {
                end = tolerant(s, i, n, "data:");
                if (end != 0) {
                    int k = skipSpace(s, end, n);
                    if (k < n && (s.charAt(k) == ',' || s.charAt(k) == ';')) {
                        return k + 1;
                    }
                    if (matchCi(s, k, n, "text/html") || matchCi(s, k, n, "text/xml")
                        || matchCi(s, k, n, "image/svg") || matchCi(s, k, n, "application/xhtml")
                        || matchCi(s, k, n, "application/xml") || matchCi(s, k, n, "text/javascript")
                        || matchCi(s, k, n, "application/javascript") || matchCi(s, k, n, "application/x-javascript")
                        || matchCi(s, k, n, "text/ecmascript") || matchCi(s, k, n, "application/ecmascript")
                        || matchCi(s, k, n, "application/x-shockwave")) {
                        return k + 4;
                    }
                    return 0;
                }
            }
            default -> end = 0;
        }
        return end;
    }

    /** Matches {@code word} (lower-case, ending in ':') at i skipping junk between letters; end position or 0. */
    private static int tolerant(CharSequence s, int i, int n, String word) {
        int j = i;
        int lim = Math.min(n, i + LOOKAHEAD);
        int w = 0;
        final int wl = word.length();
        while (w < wl) {
            if (j >= lim) {
                return 0;
            }
            char c = s.charAt(j);
            char want = word.charAt(w);
            if (w > 0 && (c <= ' ' || c == '\u00ad')) { // whitespace, controls, soft hyphen
                j++;
                continue;
            }
            if (c == '&' && w > 0) { // leftover character reference: &#x09; &Tab; &colon; &#58;
                int r = entity(s, j, lim);
                if (r == 0) {
                    return 0;
                }
                int ch = r & 0xFFFF;
                int len = r >>> 16;
                if (ch == ':' && want == ':') {
                    j += len;
                    w++;
                    continue;
                }
                if (ch <= ' ') {
                    j += len;
                    continue;
                }
                if ((ch | 0x20) == want) {
                    j += len;
                    w++;
                    continue;
                }
                return 0;
            }
            if ((want == ':' ? c : (char) (c | 0x20)) != want) {
                return 0;
            }
            j++;
            w++;
        }
        return j;
    }

    /** Decodes a character reference at {@code s[j] == '&'}: (length << 16) | char, or 0. */
    private static int entity(CharSequence s, int j, int lim) {
        int k = j + 1;
        if (k >= lim) {
            return 0;
        }
        int value = 0;
        if (s.charAt(k) == '#') {
            k++;
            boolean hex = k < lim && (s.charAt(k) | 0x20) == 'x';
            if (hex) {
                k++;
            }
            int digits = 0;
            while (k < lim && digits < 8) {
                int d = Character.digit(s.charAt(k), hex ? 16 : 10);
                if (d < 0) {
                    break;
                }
                value = value * (hex ? 16 : 10) + d;
                k++;
                digits++;
            }
            if (digits == 0 || value > 0xFFFF) {
                return 0;
            }
        } else {
            if (matchCi(s, k, lim, "colon")) {
                value = ':';
                k += 5;
            } else if (matchCi(s, k, lim, "tab")) {
                value = '\t';
                k += 3;
            } else if (matchCi(s, k, lim, "newline")) {
                value = '\n';
                k += 7;
            } else {
                return 0;
            }
        }
        if (k < lim && s.charAt(k) == ';') {
            k++;
        }
        return ((k - j) << 16) | value;
    }

    // ---- small helpers ----

    private static Finding found(CharSequence s, int at, int n, String reason) {
        int from = Math.max(0, at - 8);
        int to = Math.min(n, at + FRAGMENT);
        return new Finding(s.subSequence(from, to).toString(), reason);
    }

    private static boolean isLetter(char c) {
        return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    }

    private static boolean isIdent(char c) {
        return isLetter(c) || c >= '0' && c <= '9' || c == '_' || c == '$';
    }

    /** Skips whitespace and bounded comments. */
    private static int skipJsSpace(CharSequence s, int i, int n) {
        int lim = Math.min(n, i + LOOKAHEAD);
        while (i < lim) {
            char c = s.charAt(i);
            if (c <= ' ') {
                i++;
            } else if (c == '/' && i + 1 < lim && s.charAt(i + 1) == '*') {
                int j = i + 2;
                while (j + 1 < lim && !(s.charAt(j) == '*' && s.charAt(j + 1) == '/')) {
                    j++;
                }
                i = j + 2;
            } else {
                break;
            }
        }
        return Math.min(i, n);
    }

    private static int skipSpace(CharSequence s, int i, int n) {
        while (i < n && s.charAt(i) <= ' ') {
            i++;
        }
        return i;
    }

    /** Skips whitespace, controls and quotes at the start of an attribute value. */
    private static int skipJunk(CharSequence s, int i, int n) {
        while (i < n) {
            char c = s.charAt(i);
            if (c <= ' ' || c == '"' || c == '\'' || c == '\u00a0') {
                i++;
            } else if (c == '&') {
                int r = entity(s, i, Math.min(n, i + 16));
                if (r == 0 || (r & 0xFFFF) > ' ') {
                    return i;
                }
                i += r >>> 16;
            } else {
                return i;
            }
        }
        return i;
    }

    private static char nextNonSpace(CharSequence s, int i, int n) {
        i = skipSpace(s, i, n);
        return i < n ? s.charAt(i) : 0;
    }

    /** Case-insensitive match of lower-case {@code word} at {@code i}. */
    private static boolean matchCi(CharSequence s, int i, int n, String word) {
        int l = word.length();
        if (i < 0 || i + l > n) {
            return false;
        }
        for (int k = 0; k < l; k++) {
            char c = s.charAt(i + k);
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c | 0x20);
            }
            if (c != word.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** {@link #matchCi} followed by a non-identifier character or the end. */
    private static boolean matchWordCi(CharSequence s, int i, int n, String word) {
        return matchCi(s, i, n, word) && (i + word.length() >= n || !isIdent(s.charAt(i + word.length())));
    }

    private static boolean regionEqualsCi(CharSequence s, int from, int to, String word) {
        return to - from == word.length() && matchCi(s, from, to, word);
    }

    /** Lengths and first letters of {@link #SINKS}: most words are neither, and are dismissed with two bit tests. */
    private static final long SINK_LENGTHS = lengths(SINKS);
    private static final long SINK_FIRSTS = firsts(SINKS);

    private static long lengths(String[] words) {
        long m = 0;
        for (String w : words) {
            m |= 1L << w.length();
        }
        return m;
    }

    private static long firsts(String[] words) {
        long m = 0;
        for (String w : words) {
            m |= 1L << ((w.charAt(0) | 0x20) - 'a');
        }
        return m;
    }

    private static boolean equalsAnyCi(CharSequence s, int from, int to, String[] words) {
        int l = to - from;
        for (String w : words) {
            if (w.length() == l && matchCi(s, from, to, w)) {
                return true;
            }
        }
        return false;
    }
}
