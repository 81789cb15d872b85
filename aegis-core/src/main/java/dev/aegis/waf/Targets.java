package dev.aegis.waf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** A request decoded once into named values, plus the request-level facts protocol rules read. */
final class Targets {
    private static final int MAX_VALUES = 4096;
    private static final int MAX_PARTS = 256;

    static final Set<String> STANDARD_HEADERS = Set.of("host", "accept", "accept-encoding", "accept-language",
            "accept-charset", "connection", "cache-control", "pragma", "content-type", "content-length",
            "upgrade-insecure-requests", "sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform", "sec-fetch-site",
            "sec-fetch-mode", "sec-fetch-user", "sec-fetch-dest", "keep-alive", "proxy-connection", "te",
            "transfer-encoding", "if-modified-since", "if-none-match", "dnt", "priority", "origin", "authorization",
            "range", "if-range", "if-match", "if-unmodified-since", "upgrade", "via", "x-forwarded-for",
            "x-forwarded-proto", "x-forwarded-host", "x-real-ip", "x-requested-with", "content-encoding");

    final String method;
    final String rawUri;
    final String rawPath;
    final String rawQuery;
    final List<Map.Entry<String, String>> headers;
    final List<Value> values = new ArrayList<>(32);
    final Transforms.Flags flags = new Transforms.Flags();
    String contentType = "";
    int contentTypeCount;
    boolean jsonMalformed;
    boolean multipartMalformed;
    final List<String> partCharsets = new ArrayList<>();
    final byte[] body;
    final boolean bodyTruncated;

    private Targets(InspectionInput in) {
        this.method = in.method();
        this.rawUri = in.uri();
        this.headers = in.headers();
        this.body = in.body();
        this.bodyTruncated = in.bodyTruncated();
        String target = rawUri;
        int hash = target.indexOf('#');
        if (hash >= 0) {
            target = target.substring(0, hash);
        }
        int q = target.indexOf('?');
        this.rawPath = q < 0 ? target : target.substring(0, q);
        this.rawQuery = q < 0 ? "" : target.substring(q + 1);
    }

    /** A header name lower-cased, and whether it is a standard header (else user input: {@link Value#XHDR}). */
    private record HeaderName(String lower, boolean standard) {
        static HeaderName of(String name) {
            String l = name.toLowerCase(Locale.ROOT);
            return new HeaderName(l, STANDARD_HEADERS.contains(l) || l.startsWith("sec-"));
        }
    }

    /** The usual spellings of common headers, looked up (one probe) rather than converted and classified. */
    private static final Map<String, HeaderName> KNOWN_NAMES = knownNames();

    private static Map<String, HeaderName> knownNames() {
        Map<String, HeaderName> m = new java.util.HashMap<>();
        for (String n : List.of("Host", "User-Agent", "Accept", "Accept-Language", "Accept-Encoding", "Referer",
                "Cookie", "Connection", "Content-Type", "Content-Length", "Cache-Control", "Pragma", "Origin",
                "Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-Dest", "Sec-Fetch-User", "Sec-Ch-Ua",
                "Sec-Ch-Ua-Mobile", "Sec-Ch-Ua-Platform", "Upgrade-Insecure-Requests", "Authorization",
                "If-None-Match", "If-Modified-Since", "X-Requested-With", "X-Forwarded-For", "X-Forwarded-Proto",
                "X-Forwarded-Host", "X-Request-Id", "Via", "Priority", "DNT", "TE", "Transfer-Encoding")) {
            HeaderName h = HeaderName.of(n);
            m.put(n, h);
            m.put(h.lower(), h);
        }
        return Map.copyOf(m);
    }

    /** The whole request decoded. */
    static Targets parse(InspectionInput in) {
        Targets t = new Targets(in);
        while (t.nextStage()) {
            // all stages
        }
        return t;
    }

    /**
     * The request with only its first stage decoded (the request line); {@link #nextStage} adds the headers, then
     * the body. The engine inspects stage by stage, so an attack in the query is decided before the headers are
     * decoded at all.
     */
    static Targets start(InspectionInput in) {
        Targets t = new Targets(in);
        t.nextStage();
        return t;
    }

    private int stage;

    /** A decoder failed (a bug, never an input we refuse to read): the engine treats it as an attack. */
    boolean broken;

    /** Decodes the next stage into {@link #values}; false when everything is decoded (or a decoder failed). */
    boolean nextStage() {
        if (broken) {
            return false;
        }
        try {
            return decodeStage(stage++);
        } catch (RuntimeException e) {
            broken = true;
            if (stage <= 2) {
                // The header facts the request rules read were not (all) gathered: gather them again without
                // decoding any value, so a decoder failure cannot also make those rules misfire or miss.
                headerFacts();
            }
            return false;
        }
    }

    /** Gathers the header facts alone (no values are decoded); safe after a failed decoding stage. */
    private void headerFacts() {
        contentType = "";
        contentTypeCount = 0;
        host = accept = userAgent = referer = contentLength = transferEncoding = null;
        contentLengthCount = transferEncodingCount = 0;
        headerLineBreak = false;
        restrictedHeaders = null;
        try {
            headers(false);
        } catch (RuntimeException e) {
            // the facts stay as far as they got; the request is already refused as unparseable
        }
    }

    private boolean decodeStage(int which) {
        switch (which) {
            case 0 -> requestLine();
            case 1 -> headers(true);
            case 2 -> {
                if (body.length > 0) {
                    parseBody();
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * Arguments, JSON and XML values, file names and body parts count against {@link #MAX_VALUES}; headers and
     * cookies do not (the node bounds their size), so padding the query can not hide a header.
     */
    private int parsedValues;

    private int overflowValues;
    /** More values than the WAF inspects: refused by rule 920380 rather than passed half-read. */
    boolean tooManyValues;
    private static final int MAX_OVERFLOW_VALUES = 4096;

    private boolean full() {
        return tooManyValues;
    }

    /** Only letters, digits and {@code . _ -}: nothing any rule reads as an attack on its own. */
    private static boolean plain(String raw) {
        for (int i = 0, n = raw.length(); i < n; i++) {
            char c = raw.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private void add(String name, int kind, String raw) {
        add(name, "", kind, raw);
    }

    /** Adds the value of target {@code collection + member} (the name is joined only if it is ever needed). */
    private Value add(String collection, String member, int kind, String raw) {
        if (raw == null) {
            return null;
        }
        if ((kind & PARSED) != 0 && parsedValues++ >= MAX_VALUES) {
            // Past the cap only values that could carry an attack are kept (padding is plain words and numbers),
            // and a few hundred of those at most; past that the request itself is refused (rule 920380).
            if (plain(raw)) {
                return null;
            }
            if (overflowValues++ >= MAX_OVERFLOW_VALUES) {
                tooManyValues = true;
                return null;
            }
        }
        Value v = new Value(collection, member, kind, raw, flags);
        values.add(v);
        if ((kind & (ARGLIKE)) != 0 && raw.length() >= 8) {
            String b64 = Transforms.base64Text(raw);
            if (b64 != null) {
                values.add(new Value(collection, member, kind | Value.DECODED, b64, flags));
            }
        }
        return v;
    }

    private static final int ARGLIKE = Value.ARG | Value.COOKIE | Value.XHDR | Value.PATH;
    private static final int PARSED = Value.ARG | Value.ARG_NAME | Value.FILE | Value.BODY;

    private void requestLine() {
        add("REQUEST_URI", Value.URI, rawUri);
        add("REQUEST_FILENAME", Value.PATH, rawPath);
        // path segments that look like base64 get a decoded view as well
        for (int start = 0, segments = 0; start <= rawPath.length() && segments < 64; segments++) {
            int slash = rawPath.indexOf('/', start);
            int end = slash < 0 ? rawPath.length() : slash;
            if (end - start >= 8) {
                String b64 = Transforms.base64Text(Transforms.urlDecode(rawPath.substring(start, end), false, null));
                if (b64 != null) {
                    values.add(new Value("REQUEST_FILENAME", Value.PATH | Value.DECODED, b64, flags));
                }
            }
            start = end + 1;
        }
        parseForm(rawQuery, "ARGS:");
    }

    /** What the request rules read of the headers, gathered as they are decoded: the first value of each. */
    String host;
    String accept;
    String userAgent;
    String referer;
    String contentLength;
    String transferEncoding;
    int contentLengthCount;
    int transferEncodingCount;
    /** A header name or value holds a CR or LF (rule 921140 then looks for which). */
    boolean headerLineBreak;
    /** Names of the headers rule 920450 refuses, in order; null when there are none. */
    List<String> restrictedHeaders;

    /** Gathers the header facts and, when {@code decode}, adds every header and cookie as a value. */
    private void headers(boolean decode) {
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey() == null ? "" : h.getKey();
            String val = h.getValue() == null ? "" : h.getValue();
            HeaderName known = KNOWN_NAMES.get(name);
            HeaderName hn = known != null ? known : HeaderName.of(name);
            String lname = hn.lower();
            if (known == null && lineBreak(name)) {
                headerLineBreak = true;
            }
            int kind = Value.HEADER;
            switch (lname) {
                case "cookie" -> {
                    headerLineBreak |= lineBreak(val);
                    if (decode) {
                        parseCookies(val);
                    }
                    continue;
                }
                case "content-type" -> {
                    contentTypeCount++;
                    contentType = val;
                }
                case "content-length" -> {
                    if (contentLengthCount++ == 0) {
                        contentLength = val;
                    }
                }
                case "transfer-encoding" -> {
                    if (transferEncodingCount++ == 0) {
                        transferEncoding = val;
                    }
                }
                case "host" -> host = host == null ? val : host;
                case "accept" -> accept = accept == null ? val : accept;
                case "user-agent" -> {
                    userAgent = userAgent == null ? val : userAgent;
                    kind |= Value.UA;
                }
                case "referer" -> {
                    referer = referer == null ? val : referer;
                    kind |= Value.REFERER;
                }
                default -> {
                    if (!hn.standard()) {
                        kind |= Value.XHDR;
                        if (decode) {
                            add("REQUEST_HEADERS_NAMES:", name, Value.HEADER_NAME, name);
                        }
                        if (ProtocolRules.RESTRICTED_HEADERS.contains(lname)) {
                            if (restrictedHeaders == null) {
                                restrictedHeaders = new ArrayList<>(2);
                            }
                            restrictedHeaders.add(name);
                        }
                    }
                }
            }
            if (!decode) {
                headerLineBreak |= lineBreak(val);
                continue;
            }
            Value v = add("REQUEST_HEADERS:", name, kind, val);
            if (v != null && (v.rawClasses & Value.C_CTRL) != 0 && lineBreak(val)) {
                headerLineBreak = true;
            }
        }
    }

    private static boolean lineBreak(String s) {
        return s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
    }

    private void parseForm(String s, String prefix) {
        if (s.isEmpty()) {
            return;
        }
        int start = 0;
        int len = s.length();
        while (start <= len && !full()) {
            int amp = s.indexOf('&', start);
            if (amp < 0) {
                amp = len;
            }
            String pair = s.substring(start, amp);
            if (!pair.isEmpty()) {
                int eq = pair.indexOf('=');
                String n = Transforms.urlDecode(eq < 0 ? pair : pair.substring(0, eq), true, flags);
                String v = eq < 0 ? "" : Transforms.urlDecode(pair.substring(eq + 1), true, flags);
                add("ARGS_NAMES:", n, Value.ARG_NAME, n);
                add(prefix, n, Value.ARG, v);
            }
            start = amp + 1;
        }
    }

    /** A value added past the cap (the raw body when its structure could not be used). */
    private void addRemainder(String name, int kind, String raw) {
        values.add(new Value(name, kind, raw, flags));
    }

    /**
     * The {@code name=value} pairs of a Cookie header, split at {@code ;} (at most 256), names and values trimmed of
     * spaces and tabs; a part without {@code =} is a name with an empty value.
     */
    private void parseCookies(String header) {
        int len = header.length();
        int start = 0;
        for (int parts = 0; start <= len && parts < 256; parts++) {
            int semi = parts == 255 ? -1 : header.indexOf(';', start);
            int end = semi < 0 ? len : semi;
            // bounded to this part: a header of many `=`-less parts would otherwise be searched to its end per part
            int eq = header.indexOf('=', start, end);
            int ns = skipBlank(header, start, end);
            int ne = trimBlank(header, ns, eq < 0 ? end : eq);
            if (ns < end) {
                String n = header.substring(ns, ne);
                String v = "";
                if (eq >= 0) {
                    int vs = skipBlank(header, eq + 1, end);
                    v = header.substring(vs, trimBlank(header, vs, end));
                }
                add("REQUEST_COOKIES_NAMES:", n, Value.COOKIE_NAME, n);
                add("REQUEST_COOKIES:", n, Value.COOKIE, v);
            }
            start = end + 1;
        }
    }

    /** The first index in {@code [from, to)} that is not a space or control character, or {@code to}. */
    private static int skipBlank(String s, int from, int to) {
        while (from < to && s.charAt(from) <= ' ') {
            from++;
        }
        return from;
    }

    /** The end of {@code s[from, to)} without its trailing spaces and control characters. */
    private static int trimBlank(String s, int from, int to) {
        while (to > from && s.charAt(to - 1) <= ' ') {
            to--;
        }
        return to;
    }

    private void parseBody() {
        String ct = contentType.toLowerCase(Locale.ROOT);
        String text = Transforms.utf8(body, flags);
        if (ct.startsWith("application/x-www-form-urlencoded")) {
            parseForm(text, "ARGS:");
        } else if (ct.startsWith("multipart/")) {
            parseMultipart(text, ct);
        } else if (ct.contains("json")) {
            JsonWalker w = new JsonWalker(text);
            if (!w.parse()) {
                jsonMalformed = true;
                values.removeIf(v -> v.nameStartsWith("JSON:") || v.nameStartsWith("JSON_KEYS:"));
                addRemainder("REQUEST_BODY", Value.BODY, text);
            }
        } else {
            add("REQUEST_BODY", Value.BODY, text);
            if (ct.contains("xml") || (ct.isEmpty() && text.stripLeading().startsWith("<"))) {
                parseXmlText(text);
            }
        }
    }

    /** Text nodes and attribute values of an XML body, as arguments. */
    private void parseXmlText(String s) {
        int i = 0;
        int len = s.length();
        while (i < len && !full()) {
            int lt = s.indexOf('<', i);
            String txt = (lt < 0 ? s.substring(i) : s.substring(i, lt)).trim();
            if (!txt.isEmpty()) {
                add("XML", Value.ARG, txt);
            }
            if (lt < 0) {
                break;
            }
            if (s.startsWith("<![CDATA[", lt)) {
                int e = s.indexOf("]]>", lt);
                int end = e < 0 ? len : e;
                add("XML", Value.ARG, s.substring(lt + 9, end));
                i = e < 0 ? len : e + 3;
                continue;
            }
            int gt = s.indexOf('>', lt);
            if (gt < 0) {
                break;
            }
            String tag = s.substring(lt, gt);
            int k = 0;
            while (k < tag.length()) {
                char c = tag.charAt(k);
                if (c == '"' || c == '\'') {
                    int e = tag.indexOf(c, k + 1);
                    if (e < 0) {
                        break;
                    }
                    add("XML", Value.ARG, tag.substring(k + 1, e));
                    k = e + 1;
                } else {
                    k++;
                }
            }
            i = gt + 1;
        }
    }

    private void parseMultipart(String text, String ct) {
        int bi = indexOfIgnoreCase(contentType, "boundary=", 0); // not in ct: lower-casing can change the length
        if (bi < 0) {
            multipartMalformed = true;
            add("REQUEST_BODY", Value.BODY, text);
            return;
        }
        String boundary = contentType.substring(bi + 9).trim();
        int semi = boundary.indexOf(';');
        if (semi >= 0) {
            boundary = boundary.substring(0, semi).trim();
        }
        if (boundary.length() >= 2 && boundary.startsWith("\"") && boundary.endsWith("\"")) {
            boundary = boundary.substring(1, boundary.length() - 1);
        }
        if (boundary.isEmpty()) {
            multipartMalformed = true;
            add("REQUEST_BODY", Value.BODY, text);
            return;
        }
        String delim = "--" + boundary;
        int pos = text.indexOf(delim);
        if (pos < 0) {
            multipartMalformed = true;
            add("REQUEST_BODY", Value.BODY, text);
            return;
        }
        int parts = 0;
        while (pos >= 0 && parts < MAX_PARTS) {
            int start = pos + delim.length();
            if (text.startsWith("--", start)) {
                return;
            }
            int next = text.indexOf(delim, start);
            String part = next < 0 ? text.substring(start) : text.substring(start, next);
            parts++;
            parsePart(part);
            if (next < 0) {
                multipartMalformed = true; // no closing delimiter
                return;
            }
            pos = next;
        }
        if (pos >= 0 && parts >= MAX_PARTS && !text.startsWith("--", pos + delim.length())) {
            tooManyValues = true; // the parts after the cap are not inspected: refuse rather than pass them
        }
    }

    private void parsePart(String part) {
        int hdrEnd = part.indexOf("\r\n\r\n");
        int sep = 4;
        if (hdrEnd < 0) {
            hdrEnd = part.indexOf("\n\n");
            sep = 2;
        }
        if (hdrEnd < 0) {
            multipartMalformed = true;
            add("REQUEST_BODY", Value.BODY, part);
            return;
        }
        String hdrs = part.substring(0, hdrEnd);
        String content = part.substring(hdrEnd + sep);
        if (content.endsWith("\r\n")) {
            content = content.substring(0, content.length() - 2);
        } else if (content.endsWith("\n")) {
            content = content.substring(0, content.length() - 1);
        }
        String field = null;
        String filename = null;
        for (String line : hdrs.split("\r?\n")) {
            String l = line.toLowerCase(Locale.ROOT);
            if (l.startsWith("content-disposition:")) {
                field = param(line, "name");
                filename = param(line, "filename");
            } else if (l.startsWith("content-type:")) {
                int cs = l.indexOf("charset=");
                if (cs >= 0) {
                    partCharsets.add(l.substring(cs + 8).replace("\"", "").trim());
                }
            }
        }
        if (field == null) {
            multipartMalformed = true;
            field = "";
        }
        add("ARGS_NAMES:", field, Value.ARG_NAME, field);
        if (filename != null) {
            add("FILES:", field, Value.FILE, filename);
        }
        if (field.equals("_charset_")) {
            partCharsets.add(content.trim().toLowerCase(Locale.ROOT));
        }
        add("ARGS:", field, Value.ARG, content);
    }

    private static String param(String line, String name) {
        int i = 0;
        while (true) {
            i = indexOfIgnoreCase(line, name + "=", i);
            if (i < 0) {
                return null;
            }
            char before = i > 0 ? line.charAt(i - 1) : ';';
            if (before == ';' || before == ' ' || before == '\t') {
                break;
            }
            i += name.length();
        }
        int s = i + name.length() + 1;
        if (s < line.length() && line.charAt(s) == '"') {
            int e = line.indexOf('"', s + 1);
            return e < 0 ? line.substring(s + 1) : line.substring(s + 1, e);
        }
        int e = line.indexOf(';', s);
        return (e < 0 ? line.substring(s) : line.substring(s, e)).trim();
    }

    /**
     * Index in {@code s} of {@code lower} (lower-case ASCII), ASCII letters compared case-insensitively. Searching a
     * lower-cased copy instead gives indices that do not fit {@code s} when lower-casing changed its length
     * ({@code "\u0130".toLowerCase()} is two characters).
     */
    private static int indexOfIgnoreCase(String s, String lower, int from) {
        int n = lower.length();
        for (int i = Math.max(0, from), last = s.length() - n; i <= last; i++) {
            int k = 0;
            while (k < n) {
                char c = s.charAt(i + k);
                if (c >= 'A' && c <= 'Z') {
                    c = (char) (c + 32);
                }
                if (c != lower.charAt(k)) {
                    break;
                }
                k++;
            }
            if (k == n) {
                return i;
            }
        }
        return -1;
    }

    /** A tolerant, bounded JSON walker adding every key and string (and scalar) value. */
    private final class JsonWalker {
        private final String s;
        private int i;
        private int depth;
        private final Set<String> seenKeys = new java.util.HashSet<>();
        /**
         * The child paths last built under one parent path: records in an array share their parent and their keys
         * (usually in the same order), so most keys are matched in place, without a copy, a hash or a concatenation.
         */
        private String pathsParent;
        private final String[] pathKeys = new String[16];
        private final String[] pathValues = new String[16];
        private int pathCount;
        private int pathHint;

        /**
         * The path of key {@code s[from, to)} (or {@code key} when it had escapes) under {@code parent}; a path seen
         * for the first time also adds the key as a JSON_KEYS target.
         */
        private String childPath(String parent, int from, int to, String key) {
            if (parent != pathsParent) {
                pathsParent = parent;
                pathCount = 0;
                pathHint = 0;
            }
            int len = key != null ? key.length() : to - from;
            for (int n = 0, k = pathHint; n < pathCount; n++, k = k + 1 == pathCount ? 0 : k + 1) {
                String known = pathKeys[k];
                if (known.length() == len && (key != null ? known.equals(key) : sameText(from, known))) {
                    pathHint = k + 1 == pathCount ? 0 : k + 1; // the next key of a record like the last one
                    return pathValues[k];
                }
            }
            String k = key != null ? key : s.substring(from, to);
            String p = parent.isEmpty() ? k : parent + "." + k;
            if (pathCount < pathKeys.length) {
                pathKeys[pathCount] = k;
                pathValues[pathCount++] = p;
            }
            if (seenKeys.add(p)) {
                add("JSON_KEYS:", p, Value.ARG_NAME, k);
            }
            return p;
        }

        /**
         * Values already inspected, by path and text (open addressing): a record array repeats values under one
         * name ("items.status": "shipped" a hundred times), and the same name and text can only match the same rules,
         * so each pair is inspected once. A repeat is found in place, without copying the text.
         */
        private final String[] seenPaths;
        private final String[] seenTexts;
        private final int[] seenHashes;
        private int seenCount;

        /** Whether {@code s[from, to)} under {@code path} was seen before; remembers it (as {@code text}) if not. */
        private boolean repeated(String path, int from, int to) {
            int h = path.hashCode();
            for (int k = from; k < to; k++) {
                h = 31 * h + s.charAt(k);
            }
            int mask = seenPaths.length - 1;
            int len = to - from;
            for (int slot = (h * 0x9E3779B9) >>> 16 & mask; ; slot = (slot + 1) & mask) {
                String known = seenTexts[slot];
                if (known == null) {
                    if (seenCount < seenPaths.length / 2) { // half full: stop remembering, keep inspecting
                        seenPaths[slot] = path;
                        seenTexts[slot] = s.substring(from, to);
                        seenHashes[slot] = h;
                        seenCount++;
                        lastSeen = seenTexts[slot];
                    } else {
                        lastSeen = null;
                    }
                    return false;
                }
                if (seenHashes[slot] == h && known.length() == len && seenPaths[slot].equals(path)
                        && sameText(from, known)) {
                    return true;
                }
            }
        }

        /** Whether the text at {@code from} starts with {@code known} (short keys and values: a plain loop). */
        private boolean sameText(int from, String known) {
            for (int k = 0, len = known.length(); k < len; k++) {
                if (s.charAt(from + k) != known.charAt(k)) {
                    return false;
                }
            }
            return true;
        }

        /** The text {@link #repeated} just remembered, to inspect without copying it again; null if not kept. */
        private String lastSeen;

        private final int n;

        JsonWalker(String s) {
            this.s = s;
            this.n = s.length();
            // the repeat table grows with the body: a small document pays for a small one
            int size = Integer.highestOneBit(Math.max(64, Math.min(1024, s.length() / 32))) * 2;
            seenPaths = new String[size];
            seenTexts = new String[size];
            seenHashes = new int[size];
        }

        boolean parse() {
            try {
                ws();
                if (!value("")) {
                    return false;
                }
                ws();
                return i >= n;
            } catch (RuntimeException e) {
                return false;
            }
        }

        private void ws() {
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private boolean value(String path) {
            ws();
            if (i >= n || depth > 64) {
                return false;
            }
            char c = s.charAt(i);
            if (c == '{') {
                depth++;
                i++;
                ws();
                if (i < n && s.charAt(i) == '}') {
                    i++;
                    depth--;
                    return true;
                }
                while (true) {
                    ws();
                    if (!string()) {
                        return false;
                    }
                    String p = childPath(path, strFrom, strTo, escaped);
                    ws();
                    if (i >= n || s.charAt(i) != ':') {
                        return false;
                    }
                    i++;
                    if (!value(p)) {
                        return false;
                    }
                    ws();
                    if (i < n && s.charAt(i) == ',') {
                        i++;
                        continue;
                    }
                    if (i < n && s.charAt(i) == '}') {
                        i++;
                        depth--;
                        return true;
                    }
                    return false;
                }
            }
            if (c == '[') {
                depth++;
                i++;
                ws();
                if (i < n && s.charAt(i) == ']') {
                    i++;
                    depth--;
                    return true;
                }
                while (true) {
                    if (!value(path)) {
                        return false;
                    }
                    ws();
                    if (i < n && s.charAt(i) == ',') {
                        i++;
                        continue;
                    }
                    if (i < n && s.charAt(i) == ']') {
                        i++;
                        depth--;
                        return true;
                    }
                    return false;
                }
            }
            if (c == '"') {
                if (!string()) {
                    return false;
                }
                if (escaped != null) {
                    add("JSON:", path, Value.ARG, escaped);
                } else if (strTo - strFrom > 64) {
                    // longer texts rarely repeat, and hashing them would cost more than it saves
                    add("JSON:", path, Value.ARG, s.substring(strFrom, strTo));
                } else if (!repeated(path, strFrom, strTo)) {
                    add("JSON:", path, Value.ARG, lastSeen != null ? lastSeen : s.substring(strFrom, strTo));
                }
                return true;
            }
            int st = i;
            while (i < n && !endsLiteral(s.charAt(i))) {
                i++;
            }
            if (i == st) {
                return false;
            }
            // true, false, null or a number (checked in place: scalars are not inspected, only validated)
            return s.startsWith("true", st) && i - st == 4 || s.startsWith("false", st) && i - st == 5
                    || s.startsWith("null", st) && i - st == 4 || isNumber(st, i);
        }

        private static boolean endsLiteral(char c) {
            return c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':' || c == ' ' || c == '\t'
                    || c == '\r' || c == '\n';
        }

        private boolean isNumber(int from, int to) {
            for (int k = from; k < to; k++) {
                char c = s.charAt(k);
                if (!(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.' || c == 'e' || c == 'E')) {
                    return false;
                }
            }
            return true;
        }

        /** After {@link #string}: the text's range in the body when it had no escape, else the decoded text. */
        private int strFrom;
        private int strTo;
        private String escaped;

        /** Reads the string at {@code i}; false when it is not one (no quote, no end, a bad escape). */
        private boolean string() {
            if (i >= n || s.charAt(i) != '"') {
                return false;
            }
            i++;
            int close = i;
            while (close < n && s.charAt(close) != '"' && s.charAt(close) != '\\') {
                close++;
            }
            if (close < n && s.charAt(close) == '"') {
                strFrom = i; // no escape inside: the common case, read in place
                strTo = close;
                escaped = null;
                i = close + 1;
                return true;
            }
            StringBuilder sb = new StringBuilder();
            while (i < n) {
                char c = s.charAt(i++);
                if (c == '"') {
                    escaped = sb.toString();
                    return true;
                }
                if (c == '\\' && i < n) {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> sb.append('\n');
                        case 'r' -> sb.append('\r');
                        case 't' -> sb.append('\t');
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case 'u' -> {
                            if (i + 4 <= n) {
                                try {
                                    sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                                } catch (NumberFormatException ex) {
                                    return false;
                                }
                                i += 4;
                            } else {
                                return false;
                            }
                        }
                        default -> sb.append(e);
                    }
                } else {
                    sb.append(c);
                }
            }
            return false;
        }
    }
}
