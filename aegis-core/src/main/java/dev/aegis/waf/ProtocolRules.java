package dev.aegis.waf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static dev.aegis.waf.Rule.CRITICAL;
import static dev.aegis.waf.Rule.ERROR;
import static dev.aegis.waf.Rule.NOTICE;
import static dev.aegis.waf.Rule.WARNING;

/** Request-level rules: methods, required headers, content types, malformed encodings, session fixation. */
final class ProtocolRules {
    private ProtocolRules() {
    }

    static final Set<String> STANDARD_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
    static final Set<String> COMMON_METHODS = Set.of("GET", "HEAD", "POST", "OPTIONS");
    static final Set<String> ALLOWED_CT = Set.of("application/x-www-form-urlencoded", "multipart/form-data",
            "multipart/related", "text/xml", "application/xml", "application/soap+xml", "application/json",
            "application/x-amf", "application/cloudevents+json", "application/cloudevents-batch+json",
            "text/plain", "application/graphql", "application/x-ndjson", "application/csp-report",
            "application/reports+json", "application/octet-stream", "application/grpc", "application/grpc-web",
            "application/x-protobuf", "application/protobuf", "application/ld+json", "application/xhtml+xml");
    static final Set<String> ALLOWED_CHARSETS = Set.of("utf-8", "utf8", "iso-8859-1", "iso-8859-15",
            "windows-1252", "us-ascii", "ascii", "latin1");
    static final Set<String> RESTRICTED_HEADERS = Set.of("proxy", "lock-token", "content-range", "if",
            "x-http-method-override", "x-http-method", "x-method-override", "x-original-url", "x-rewrite-url");

    static List<RequestRule> rules() {
        List<RequestRule> r = new ArrayList<>();
        r.add(new RequestRule(911100, "method-enforcement", CRITICAL, 1, Value.URI, (t, s) -> {
            if (!t.method.isEmpty() && !STANDARD_METHODS.contains(t.method)) {
                s.match("REQUEST_METHOD", t.method);
            }
        }));
        r.add(new RequestRule(911101, "method-enforcement", CRITICAL, 2, Value.URI, (t, s) -> {
            if (STANDARD_METHODS.contains(t.method) && !COMMON_METHODS.contains(t.method)) {
                s.match("REQUEST_METHOD", t.method);
            }
        }));
        r.add(new RequestRule(920100, "protocol-enforcement", WARNING, 1, Value.URI, (t, s) -> {
            boolean tokenOk = !t.method.isEmpty();
            for (int i = 0; i < t.method.length(); i++) {
                char c = t.method.charAt(i);
                if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' || c == '_')) {
                    tokenOk = false;
                }
            }
            String u = t.rawUri;
            boolean uriOk = u.startsWith("/") || u.equals("*") || u.startsWith("http://") || u.startsWith("https://");
            if (!tokenOk || !uriOk) {
                s.match("REQUEST_LINE", t.method + " " + u);
            }
        }));
        r.add(new RequestRule(920160, "protocol-enforcement", CRITICAL, 1, Value.HEADER, (t, s) -> {
            String cl = t.contentLength;
            if (cl != null && !digits(cl.trim())) {
                s.match("REQUEST_HEADERS:Content-Length", cl);
            }
        }));
        r.add(new RequestRule(920170, "protocol-enforcement", CRITICAL, 1, Value.HEADER, (t, s) -> {
            if ((t.method.equals("GET") || t.method.equals("HEAD")) && t.body.length > 0 && !structuredBody(t)) {
                s.match("REQUEST_BODY", "GET/HEAD with body");
            }
        }));
        // GET with a JSON/XML document is an established API pattern (search APIs, SOAP/WFS/Autodiscover probes):
        // a weak signal that only adds to other evidence.
        r.add(new RequestRule(920171, "protocol-enforcement", WARNING, 1, Value.HEADER, (t, s) -> {
            if ((t.method.equals("GET") || t.method.equals("HEAD")) && t.body.length > 0 && structuredBody(t)) {
                s.match("REQUEST_BODY", "GET/HEAD with structured body");
            }
        }));
        r.add(new RequestRule(920220, "protocol-enforcement", WARNING, 1, Value.URI | Value.ARG, (t, s) -> {
            if (t.flags.badPercent) {
                s.match("REQUEST_URI", "malformed percent-encoding");
            }
        }));
        r.add(new RequestRule(920250, "protocol-enforcement", NOTICE, 2, Value.URI | Value.ARG, (t, s) -> {
            if (t.flags.badUtf8) {
                s.match("REQUEST_URI", "invalid UTF-8");
            }
        }));
        r.add(new RequestRule(920260, "protocol-enforcement", WARNING, 1, Value.URI | Value.ARG, (t, s) -> {
            if (t.flags.overlong) {
                s.match("REQUEST_URI", "overlong UTF-8");
            }
        }));
        r.add(new RequestRule(920280, "protocol-enforcement", WARNING, 1, Value.HEADER, (t, s) -> {
            String h = t.host;
            if (h == null || h.isBlank()) {
                s.match("REQUEST_HEADERS:Host", "missing Host");
            }
        }));
        r.add(new RequestRule(920300, "protocol-enforcement", NOTICE, 2, Value.HEADER, (t, s) -> {
            String h = t.accept;
            if ((h == null || h.isBlank()) && !t.method.equals("OPTIONS")) {
                s.match("REQUEST_HEADERS:Accept", "missing Accept");
            }
        }));
        r.add(new RequestRule(920320, "protocol-enforcement", NOTICE, 2, Value.HEADER | Value.UA, (t, s) -> {
            if (t.userAgent == null) {
                s.match("REQUEST_HEADERS:User-Agent", "missing User-Agent");
            }
        }));
        r.add(new RequestRule(920330, "protocol-enforcement", NOTICE, 1, Value.HEADER | Value.UA, (t, s) -> {
            String ua = t.userAgent;
            if (ua != null && ua.isBlank()) {
                s.match("REQUEST_HEADERS:User-Agent", "empty User-Agent");
            }
        }));
        r.add(new RequestRule(920420, "protocol-enforcement", CRITICAL, 1, Value.HEADER, (t, s) -> {
            if (t.contentTypeCount == 0) {
                return;
            }
            String ct = t.contentType.toLowerCase(Locale.ROOT);
            int semi = ct.indexOf(';');
            String mime = (semi < 0 ? ct : ct.substring(0, semi)).trim();
            boolean ok = ALLOWED_CT.contains(mime) || mime.startsWith("application/") && (mime.endsWith("+json") || mime.endsWith("+xml"))
                    || mime.startsWith("image/") || mime.startsWith("audio/") || mime.startsWith("video/") || mime.startsWith("font/") || mime.isEmpty() && t.body.length == 0;
            if (!ok) {
                s.match("REQUEST_HEADERS:Content-Type", t.contentType);
            }
        }));
        // More arguments (past 4096, those with any special character past 4096 more) or multipart parts (past 256)
        // than the WAF reads: padding must not push an attack out of sight, so the request is refused.
        r.add(new RequestRule(920380, "protocol-enforcement", CRITICAL, 1, Value.ARG | Value.BODY, (t, s) -> {
            if (t.tooManyValues) {
                s.match("ARGS", "too many arguments or parts to inspect");
            }
        }));
        r.add(new RequestRule(920430, "protocol-enforcement", CRITICAL, 1, Value.HEADER, (t, s) -> {
            if (t.contentTypeCount > 1) {
                s.match("REQUEST_HEADERS:Content-Type", "multiple Content-Type headers");
            }
        }));
        r.add(new RequestRule(920440, "protocol-enforcement", CRITICAL, 1, Value.PATH, (t, s) -> {
            if (t.rawPath.indexOf('.') < 0 && t.rawPath.indexOf('%') < 0) {
                return; // no extension, not even an encoded one
            }
            String p = Transforms.urlDecode(t.rawPath, false, null).toLowerCase(Locale.ROOT);
            int slash = p.lastIndexOf('/');
            String last = p.substring(slash + 1);
            int semi = last.indexOf(';');
            if (semi >= 0) {
                last = last.substring(0, semi);
            }
            int dot = last.lastIndexOf('.');
            if (dot > 0 || dot == 0 && last.length() > 1) {
                String ext = last.substring(dot + 1).trim();
                if (Rules.RESTRICTED_EXT.contains(ext)) {
                    s.match("REQUEST_FILENAME", last);
                }
            }
        }));
        r.add(new RequestRule(920450, "protocol-enforcement", CRITICAL, 1, Value.HEADER | Value.HEADER_NAME, (t, s) -> {
            if (t.restrictedHeaders != null) {
                for (String name : t.restrictedHeaders) {
                    s.match("REQUEST_HEADERS:" + name, name);
                }
            }
        }));
        r.add(new RequestRule(920460, "protocol-enforcement", CRITICAL, 1, Value.ARG, (t, s) -> {
            for (Value v : t.values) {
                if ((v.kind & Value.ARG) != 0 && (v.nameEqualsIgnoreCase("ARGS:_method")
                        || v.nameEqualsIgnoreCase("ARGS:x-http-method-override")
                        || v.nameEqualsIgnoreCase("ARGS:_httpmethod"))
                        && Set.of("PUT", "DELETE", "PATCH", "TRACE", "CONNECT", "TRACK", "MOVE", "COPY", "PROPFIND",
                        "PROPPATCH", "MKCOL", "LOCK", "UNLOCK").contains(v.raw.trim())) {
                    s.match(v.name(), v.raw);
                }
            }
        }));
        r.add(new RequestRule(920480, "protocol-enforcement", CRITICAL, 1, Value.HEADER | Value.ARG, (t, s) -> {
            String ct = t.contentType.toLowerCase(Locale.ROOT);
            int cs = ct.indexOf("charset=");
            if (cs >= 0) {
                String c = ct.substring(cs + 8).replace("\"", "").trim();
                int semi = c.indexOf(';');
                if (semi >= 0) {
                    c = c.substring(0, semi).trim();
                }
                if (!ALLOWED_CHARSETS.contains(c)) {
                    s.match("REQUEST_HEADERS:Content-Type", t.contentType);
                }
            }
            for (String c : t.partCharsets) {
                if (!ALLOWED_CHARSETS.contains(c)) {
                    s.match("MULTIPART_PART_HEADERS", c);
                }
            }
        }));
        r.add(new RequestRule(920500, "protocol-enforcement", WARNING, 1, Value.BODY, (t, s) -> {
            if (t.jsonMalformed) {
                s.match("REQUEST_BODY", "malformed JSON");
            }
        }));
        r.add(new RequestRule(920510, "multipart-attack", WARNING, 1, Value.BODY, (t, s) -> {
            if (t.multipartMalformed) {
                s.match("REQUEST_BODY", "malformed multipart");
            }
        }));
        r.add(new RequestRule(921140, "protocol-attack", CRITICAL, 1, Value.HEADER, (t, s) -> {
            for (int i = 0; t.headerLineBreak && i < t.headers.size(); i++) {
                Map.Entry<String, String> h = t.headers.get(i);
                String v = h.getValue() == null ? "" : h.getValue();
                String k = h.getKey() == null ? "" : h.getKey();
                if (v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0 || k.indexOf('\n') >= 0 || k.indexOf('\r') >= 0) {
                    s.match("REQUEST_HEADERS:" + k, v);
                }
            }
        }));
        r.add(new RequestRule(921160, "protocol-attack", CRITICAL, 1, Value.HEADER, (t, s) -> {
            String te = t.transferEncoding;
            String cl = t.contentLength;
            if (te != null && (cl != null || !te.trim().equalsIgnoreCase("chunked")) || t.contentLengthCount > 1
                    || t.transferEncodingCount > 1) {
                s.match("REQUEST_HEADERS:Transfer-Encoding", te == null ? "duplicate Content-Length" : te);
            }
        }));
        r.add(new RequestRule(943110, "session-fixation", CRITICAL, 1, Value.ARG_NAME, (t, s) -> sessionFixation(t, s, true)));
        r.add(new RequestRule(943120, "session-fixation", CRITICAL, 1, Value.ARG_NAME, (t, s) -> sessionFixation(t, s, false)));
        return List.copyOf(r);
    }

    private static boolean digits(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static void sessionFixation(Targets t, RequestRule.Sink s, boolean offsite) {
        // The session-name test first: most requests carry no argument at all, and the Referer parse is the dear part.
        List<Value> named = null;
        for (Value v : t.values) {
            if ((v.kind & Value.ARG_NAME) != 0 && !v.nameStartsWith("JSON_KEYS:")
                    && Rules.isSessionName(v.raw.toLowerCase(Locale.ROOT))) {
                if (named == null) {
                    named = new java.util.ArrayList<>(2);
                }
                named.add(v);
            }
        }
        if (named == null) {
            return;
        }
        String ref = t.referer;
        if (offsite && ref == null || !offsite && ref != null) {
            return;
        }
        if (offsite) {
            String host = t.host;
            var m = Rules.SCHEME_URL.matcher(ref.toLowerCase(Locale.ROOT));
            if (!m.find() || host == null) {
                return;
            }
            String rh = m.group(1);
            String h = host.toLowerCase(Locale.ROOT);
            int c = h.indexOf(':');
            String hn = c >= 0 ? h.substring(0, c) : h;
            if (rh.equals(h) || rh.equals(hn) || rh.startsWith(hn + ":") || rh.endsWith("." + hn)) {
                return;
            }
        }
        for (Value v : named) {
            s.match("ARGS_NAMES:" + v.raw, v.raw);
        }
    }

    /** A declared JSON or XML body. */
    static boolean structuredBody(Targets t) {
        String ct = t.contentType == null ? "" : t.contentType.toLowerCase(java.util.Locale.ROOT);
        return ct.contains("json") || ct.contains("xml");
    }
}
