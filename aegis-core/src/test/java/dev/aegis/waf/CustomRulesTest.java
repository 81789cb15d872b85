package dev.aegis.waf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.config.AegisConfig;
import dev.aegis.config.Cidr;
import dev.aegis.config.ConfigLoader;
import dev.aegis.config.ConfigResult;
import dev.aegis.config.CustomRule;
import dev.aegis.config.CustomRule.Action;
import dev.aegis.config.CustomRule.Collection;
import dev.aegis.config.CustomRule.Operand;
import dev.aegis.config.CustomRule.Operator;
import dev.aegis.config.CustomRule.Target;
import dev.aegis.config.CustomRule.Transformation;
import dev.aegis.config.WafConfig;
import dev.aegis.config.WafPolicy;
import dev.aegis.config.WafPolicy.WafMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CustomRulesTest {

    private static final List<Map.Entry<String, String>> BROWSER = WafEngineTest.BROWSER;

    // ---- building rules and requests

    /** {@code targets} as written in a config, comma-separated: {@code "REQUEST_PATH,ARGS:user"}. */
    private static List<Target> targets(String targets) {
        List<Target> list = new ArrayList<>();
        for (String t : targets.split(",")) {
            int colon = t.indexOf(':');
            list.add(colon < 0 ? new Target(Collection.valueOf(t))
                    : new Target(Collection.valueOf(t.substring(0, colon)), t.substring(colon + 1)));
        }
        return list;
    }

    private static CustomRule rule(int id, String targets, Operator operator, Operand value) {
        return rule(id, targets, List.of(), operator, value, 5, 1, Action.SCORE);
    }

    private static CustomRule rule(int id, String targets, List<Transformation> transformations, Operator operator,
                                   Operand value, int severity, int paranoia, Action action) {
        return new CustomRule(id, "", targets(targets), transformations, operator, value, severity, paranoia, action,
                1);
    }

    private static CustomRule.Text text(String text) {
        return new CustomRule.Text(text);
    }

    private static CustomRule.Numeric number(double n) {
        return new CustomRule.Numeric(n);
    }

    private static WafEngine engine(CustomRule... rules) {
        return WafEngine.compile(new WafConfig(WafMode.BLOCK, 1, 5, 131072, List.of(rules)));
    }

    private static WafPolicy policy(WafMode mode, int paranoia, WafPolicy.Exclusion... exclusions) {
        return new WafPolicy(mode, paranoia, 5, List.of(exclusions));
    }

    private static InspectionInput get(String uri, String... headers) {
        return request("GET", uri, "", "", headers);
    }

    private static InspectionInput request(String method, String uri, String contentType, String body,
                                           String... headers) {
        List<Map.Entry<String, String>> h = new ArrayList<>(BROWSER);
        for (int i = 0; i < headers.length; i += 2) {
            h.add(Map.entry(headers[i], headers[i + 1]));
        }
        if (!contentType.isEmpty()) {
            h.add(Map.entry("Content-Type", contentType));
        }
        return new InspectionInput(method, uri, h, body.getBytes(StandardCharsets.UTF_8), false, "203.0.113.9");
    }

    private static WafDecision inspect(CustomRule rule, InspectionInput in) {
        return WafEngineTest.full(engine(rule), in, policy(WafMode.BLOCK, 1));
    }

    /** The custom matches only (the built-in rules stay quiet on these requests, but this does not rely on it). */
    private static List<WafMatch> custom(WafDecision d) {
        return d.matches().stream().filter(m -> m.family().equals("custom")).toList();
    }

    private static boolean matches(CustomRule rule, InspectionInput in) {
        return !custom(inspect(rule, in)).isEmpty();
    }

    // ---- operators

    @Test
    void containsReportsTheRuleTheTargetAndTheMatchedPart() {
        WafDecision d = inspect(rule(100001, "REQUEST_PATH", Operator.CONTAINS, text("/admin")), get("/x/admin/y"));
        assertThat(d.matches()).containsExactly(new WafMatch(100001, "custom", "REQUEST_FILENAME", "/admin", 5));
        assertThat(d.score()).isEqualTo(5);
        assertThat(d.blocked()).isTrue();
    }

    @Test
    void stringOperators() {
        CustomRule startsWith = rule(1, "REQUEST_PATH", Operator.STARTS_WITH, text("/api/"));
        assertThat(matches(startsWith, get("/api/users"))).isTrue();
        assertThat(matches(startsWith, get("/v1/api/users"))).isFalse();
        CustomRule endsWith = rule(2, "REQUEST_PATH", Operator.ENDS_WITH, text(".php"));
        assertThat(matches(endsWith, get("/index.php?x=1"))).isTrue();
        assertThat(matches(endsWith, get("/index.php.html"))).isFalse();
        CustomRule equals = rule(3, "ARGS:mode", Operator.EQUALS, text("debug"));
        assertThat(matches(equals, get("/?mode=debug"))).isTrue();
        assertThat(matches(equals, get("/?mode=debugger"))).isFalse();
        CustomRule contains = rule(4, "ARGS", Operator.CONTAINS, text("Evil"));
        assertThat(matches(contains, get("/?q=so+Evil+here"))).isTrue();
        assertThat(matches(contains, get("/?q=so+evil+here"))).as("case-sensitive without lowercase").isFalse();
    }

    @Test
    void regexReportsWhatItMatched() {
        CustomRule regex = rule(1, "ARGS:q", Operator.REGEX, text("ab+c"));
        assertThat(custom(inspect(regex, get("/?q=xxabbbcyy")))).singleElement()
                .satisfies(m -> assertThat(m.fragment()).isEqualTo("abbbc"));
        assertThat(matches(regex, get("/?q=ac"))).isFalse();
    }

    @Test
    void phraseListIgnoresAsciiCase() {
        CustomRule scanners = rule(1, "REQUEST_HEADERS:User-Agent", Operator.PHRASE_LIST,
                new CustomRule.Phrases(List.of("sqlmap", "Nikto")));
        List<Map.Entry<String, String>> h = List.of(Map.entry("Host", "x"), Map.entry("User-Agent", "Mozilla NIKTO/2"));
        WafDecision d = engine(scanners).inspect(new InspectionInput("GET", "/", h, null, false),
                policy(WafMode.DETECT, 1));
        assertThat(custom(d)).singleElement().satisfies(m -> {
            assertThat(m.target()).isEqualTo("REQUEST_HEADERS:User-Agent");
            assertThat(m.fragment()).isEqualTo("nikto");
        });
        assertThat(matches(scanners, get("/"))).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
        "GT, 3, 4, true", "GT, 3, 3, false", "GE, 3, 3, true", "GE, 3, 2, false",
        "LT, 3, 2, true", "LT, 3, 3, false", "LE, 3, 3, true", "LE, 3, 4, false",
        "EQ, 3, 3, true", "EQ, 3, 3.0, true", "EQ, 3, 4, false",
        "GT, 1.5, 1.75, true", "GT, -1, 0, true", "LT, 0, -0.5, true",
        "GT, 0, abc, false", "LT, 10, '', false", "GT, 0, 1e3, false", "GT, 0, 0x10, false", "LT, 10, NaN, false",
        "GT, 0, ' 5', false", "GT, 0, 5., false"})
    void numericOperatorsCompareNumbersAndNeverMatchOtherText(Operator operator, double limit, String value,
                                                               boolean expected) {
        CustomRule rule = rule(1, "REQUEST_HEADERS:X-Count", operator, number(limit));
        assertThat(matches(rule, get("/", "X-Count", value))).as("%s %s %s", value, operator, limit)
                .isEqualTo(expected);
    }

    @Test
    void lengthWithGtBoundsAnArgument() {
        CustomRule tooLong = rule(1, "ARGS:name", List.of(Transformation.LENGTH), Operator.GT, number(5), 5, 1,
                Action.SCORE);
        assertThat(custom(inspect(tooLong, get("/?name=abcdef")))).singleElement()
                .satisfies(m -> assertThat(m.fragment()).isEqualTo("6"));
        assertThat(matches(tooLong, get("/?name=abcde"))).isFalse();
        assertThat(matches(tooLong, get("/?other=abcdefgh"))).isFalse();
    }

    @Test
    void ipInOnRemoteAddrV4AndV6() {
        CustomRule office = rule(1, "REMOTE_ADDR", Operator.IP_IN, new CustomRule.Networks(List.of(
                Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32"))));
        WafEngine engine = engine(office);
        WafPolicy policy = policy(WafMode.BLOCK, 1);
        assertThat(custom(engine.inspect(from("10.1.2.3"), policy))).singleElement().satisfies(m -> {
            assertThat(m.target()).isEqualTo("REMOTE_ADDR");
            assertThat(m.fragment()).isEqualTo("10.1.2.3");
        });
        assertThat(custom(engine.inspect(from("11.1.2.3"), policy))).isEmpty();
        assertThat(custom(engine.inspect(from("2001:db8:0:1::7"), policy))).hasSize(1);
        assertThat(custom(engine.inspect(from("2001:db9::7"), policy))).isEmpty();
        // as a dual-stack socket reports an IPv4 peer, and as a bracketed literal with a zone
        assertThat(custom(engine.inspect(from("::ffff:10.9.9.9"), policy))).hasSize(1);
        assertThat(custom(engine.inspect(from("[2001:db8::1%eth0]"), policy))).hasSize(1);
        // unknown client address: never in any network
        assertThat(custom(engine.inspect(new InspectionInput("GET", "/", BROWSER, null, false), policy))).isEmpty();
        assertThat(custom(engine.inspect(from("not-an-ip"), policy))).isEmpty();
    }

    @Test
    void ipInOnAHeader() {
        CustomRule rule = rule(1, "REQUEST_HEADERS:X-Real-IP", Operator.IP_IN,
                new CustomRule.Networks(List.of(Cidr.parse("192.0.2.0/24"))));
        assertThat(matches(rule, get("/", "X-Real-IP", " 192.0.2.44 "))).isTrue();
        assertThat(matches(rule, get("/", "X-Real-IP", "192.0.3.44"))).isFalse();
    }

    private static InspectionInput from(String clientIp) {
        return new InspectionInput("GET", "/", BROWSER, null, false, clientIp);
    }

    // ---- actions

    @Test
    void scoreAddsTheSeverityAndTheThresholdDecides() {
        CustomRule low = rule(1, "ARGS:q", List.of(), Operator.EQUALS, text("x"), 2, 1, Action.SCORE);
        WafDecision d = inspect(low, get("/?q=x"));
        assertThat(d.score()).isEqualTo(2);
        assertThat(d.blocked()).isFalse();
        CustomRule high = rule(1, "ARGS:q", List.of(), Operator.EQUALS, text("x"), 5, 1, Action.SCORE);
        assertThat(inspect(high, get("/?q=x")).blocked()).isTrue();
    }

    @Test
    void blockBlocksWhateverTheScoreInBlockModeOnly() {
        CustomRule block = rule(1, "ARGS:q", List.of(), Operator.EQUALS, text("x"), 1, 1, Action.BLOCK);
        WafEngine engine = engine(block);
        WafDecision blocked = engine.inspect(get("/?q=x"), policy(WafMode.BLOCK, 1));
        assertThat(blocked.score()).isEqualTo(1);
        assertThat(blocked.blocked()).isTrue();
        assertThat(engine.inspect(get("/?q=x"), policy(WafMode.DETECT, 1)).blocked()).isFalse();
        assertThat(engine.inspect(get("/?q=y"), policy(WafMode.BLOCK, 1)).blocked()).isFalse();
    }

    @Test
    void allowLetsTheRequestPassWhateverElseMatched() {
        CustomRule allow = rule(1, "REQUEST_PATH", List.of(), Operator.STARTS_WITH, text("/internal/"), 5, 1,
                Action.ALLOW);
        CustomRule block = rule(2, "ARGS", List.of(), Operator.CONTAINS, text("passwd"), 5, 1, Action.BLOCK);
        WafEngine engine = engine(allow, block);
        InspectionInput attack = get("/internal/report?file=../../etc/passwd");
        WafDecision d = engine.inspect(attack, policy(WafMode.BLOCK, 1));
        assertThat(d.blocked()).isFalse();
        assertThat(d.matches()).extracting(WafMatch::ruleId).contains(1, 2, 930110);
        assertThat(d.matches()).filteredOn(m -> m.ruleId() == 1).singleElement()
                .satisfies(m -> assertThat(m.severity()).isZero());
        assertThat(d.score()).isEqualTo(d.matches().stream().mapToInt(WafMatch::severity).sum()).isGreaterThan(5);
        assertThat(engine.inspect(get("/public/report?file=../../etc/passwd"), policy(WafMode.BLOCK, 1)).blocked())
                .isTrue();
    }

    @Test
    void logIsRecordedAndAddsNothing() {
        CustomRule log = rule(1, "REQUEST_METHOD", List.of(), Operator.EQUALS, text("DELETE"), 5, 1, Action.LOG);
        WafDecision d = inspect(log, request("DELETE", "/item/7", "", ""));
        assertThat(custom(d)).containsExactly(new WafMatch(1, "custom", "REQUEST_METHOD", "DELETE", 0));
        assertThat(d.score()).isZero();
        assertThat(d.blocked()).isFalse();
        assertThat(custom(inspect(log, get("/item/7")))).isEmpty();
    }

    // ---- targets

    @Test
    void aMemberTargetReadsOnlyThatArgumentTheCollectionReadsAll() {
        CustomRule member = rule(1, "ARGS:user", Operator.CONTAINS, text("root"));
        CustomRule collection = rule(2, "ARGS", Operator.CONTAINS, text("root"));
        InspectionInput other = get("/?name=root&user=alice");
        assertThat(matches(member, other)).isFalse();
        assertThat(custom(inspect(collection, other))).extracting(WafMatch::target).containsExactly("ARGS:name");
        InspectionInput user = get("/?name=alice&user=root");
        assertThat(custom(inspect(member, user))).extracting(WafMatch::target).containsExactly("ARGS:user");
        // argument names are case-sensitive, as the application reads them
        assertThat(matches(member, get("/?User=root"))).isFalse();
        // a form body's fields and a JSON body's top-level fields are arguments too
        assertThat(matches(member, request("POST", "/", "application/x-www-form-urlencoded", "user=root"))).isTrue();
        assertThat(custom(inspect(member, request("POST", "/", "application/json", "{\"user\":\"root\"}"))))
                .extracting(WafMatch::target).containsExactly("JSON:user");
        assertThat(matches(collection, request("POST", "/", "application/json", "{\"a\":{\"b\":\"root\"}}")))
                .isTrue();
    }

    @Test
    void jsonTargetsByDottedPath() {
        CustomRule bio = rule(1, "JSON:user.bio", Operator.CONTAINS, text("<script"));
        assertThat(matches(bio, request("POST", "/", "application/json",
                "{\"user\":{\"bio\":\"hi <script>\"}}"))).isTrue();
        assertThat(matches(bio, request("POST", "/", "application/json",
                "{\"user\":{\"name\":\"hi <script>\"}}"))).isFalse();
    }

    @Test
    void headersCookiesNamesAndFiles() {
        CustomRule header = rule(1, "REQUEST_HEADERS:x-api-key", Operator.EQUALS, text("k1"));
        assertThat(custom(inspect(header, get("/", "X-Api-Key", "k1")))).extracting(WafMatch::target)
                .containsExactly("REQUEST_HEADERS:X-Api-Key");
        CustomRule anyHeader = rule(2, "REQUEST_HEADERS", Operator.CONTAINS, text("sid=evil"));
        assertThat(matches(anyHeader, get("/", "Cookie", "a=1; sid=evil"))).as("the raw Cookie header").isTrue();
        CustomRule cookie = rule(3, "REQUEST_COOKIES:sid", Operator.EQUALS, text("evil"));
        assertThat(matches(cookie, get("/", "Cookie", "a=1; sid=evil"))).isTrue();
        assertThat(matches(cookie, get("/", "Cookie", "sid2=evil"))).isFalse();
        CustomRule cookieNames = rule(4, "REQUEST_COOKIES_NAMES", Operator.EQUALS, text("debug"));
        assertThat(matches(cookieNames, get("/", "Cookie", "debug=1"))).isTrue();
        CustomRule headerNames = rule(5, "REQUEST_HEADERS_NAMES", List.of(Transformation.LOWERCASE), Operator.EQUALS,
                text("accept-language"), 5, 1, Action.SCORE);
        assertThat(matches(headerNames, get("/"))).as("standard headers have names too").isTrue();
        CustomRule argNames = rule(6, "ARGS_NAMES", Operator.STARTS_WITH, text("__"));
        assertThat(matches(argNames, get("/?__proto__=1"))).isTrue();
        CustomRule files = rule(7, "FILES", Operator.ENDS_WITH, text(".exe"));
        String multipart = "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"setup.exe\"\r\n\r\nMZ\r\n--b--\r\n";
        assertThat(custom(inspect(files, request("POST", "/up", "multipart/form-data; boundary=b", multipart))))
                .extracting(WafMatch::target).containsExactly("FILES:f");
    }

    @Test
    void uriMethodAndRawBody() {
        CustomRule uri = rule(1, "REQUEST_URI", Operator.CONTAINS, text("?debug"));
        assertThat(matches(uri, get("/a?debug=1"))).isTrue();
        assertThat(matches(uri, get("/a?x=1"))).isFalse();
        CustomRule method = rule(2, "REQUEST_METHOD", Operator.EQUALS, text("TRACE"));
        assertThat(matches(method, request("TRACE", "/", "", ""))).isTrue();
        // the body as sent, even when it is parsed into arguments
        CustomRule body = rule(3, "REQUEST_BODY", Operator.CONTAINS, text("\"admin\":true"));
        assertThat(matches(body, request("POST", "/", "application/json", "{\"admin\":true}"))).isTrue();
        assertThat(matches(body, get("/?x=%22admin%22:true"))).isFalse();
    }

    @Test
    void base64ViewsTheWafMadeOnItsOwnAreNotReadByCustomRules() {
        // An allow rule that a base64-encoded value satisfied would let anything else through.
        String encoded = Base64.getEncoder().encodeToString("healthcheck".getBytes(StandardCharsets.US_ASCII));
        CustomRule allow = rule(1, "ARGS:mode", List.of(), Operator.EQUALS, text("healthcheck"), 5, 1, Action.ALLOW);
        assertThat(matches(allow, get("/?mode=" + encoded))).isFalse();
        CustomRule decoding = rule(1, "ARGS:mode", List.of(Transformation.BASE64_DECODE), Operator.EQUALS,
                text("healthcheck"), 5, 1, Action.ALLOW);
        assertThat(matches(decoding, get("/?mode=" + encoded))).as("when the rule asks for it").isTrue();
    }

    // ---- transformations

    @Test
    void transformationsApplyInOrder() {
        CustomRule plain = rule(1, "REQUEST_PATH", Operator.CONTAINS, text("/admin"));
        CustomRule decoded = rule(1, "REQUEST_PATH", List.of(Transformation.URL_DECODE, Transformation.LOWERCASE),
                Operator.CONTAINS, text("/admin"), 5, 1, Action.SCORE);
        assertThat(matches(plain, get("/%41DMIN/"))).isFalse();
        assertThat(matches(decoded, get("/%41DMIN/"))).isTrue();
        // lower-casing first leaves %41 as it is, and decoding it then gives an upper-case A
        CustomRule reversed = rule(1, "REQUEST_PATH", List.of(Transformation.LOWERCASE, Transformation.URL_DECODE),
                Operator.CONTAINS, text("/admin"), 5, 1, Action.SCORE);
        assertThat(matches(reversed, get("/%41DMIN/"))).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "URL_DECODE         | a%2541b            | a%41b",
        "URL_DECODE_UNI     | a%2541b%u0042      | aAbB",
        "HTML_ENTITY_DECODE | &lt;b&#62;&#x41;   | <b>A",
        "LOWERCASE          | MiXeD              | mixed",
        "REMOVE_NULLS       | a%00b              | ab",
        "COMPRESS_WHITESPACE| 'a \t\t b'         | 'a b'",
        "REMOVE_WHITESPACE  | 'a \t b c'         | abc",
        "NORMALIZE_PATH     | /a//b/./c\\d       | /a/b/c/d",
        "REMOVE_COMMENTS    | 'sel/**/ect 1-- x' | 'sel ect 1 '",
        "CMD_LINE           | 'C\"A\"T /E''TC'   | 'cat /etc'",
        "BASE64_DECODE      | aGVsbG8gd29ybGQ=   | hello world",
        "TRIM               | '  x y  '          | 'x y'",
        "LENGTH             | héllo              | 5"})
    void eachTransformation(Transformation transformation, String in, String out) {
        String value = transformation == Transformation.REMOVE_NULLS ? in.replace("%00", "\0") : in;
        assertThat(CustomRules.apply(transformation, value)).isEqualTo(out);
    }

    @Test
    void transformationsInARule() {
        CustomRule rule = rule(1, "ARGS:cmd", List.of(Transformation.CMD_LINE), Operator.CONTAINS, text("cat /etc"), 5,
                1, Action.SCORE);
        assertThat(matches(rule, get("/?cmd=c%22a%22t+%2Fe%27tc"))).isTrue();
    }

    // ---- paranoia and exclusions

    @Test
    void aRuleRunsOnlyFromItsParanoiaLevelUp() {
        CustomRule strict = rule(1, "ARGS:q", List.of(), Operator.EQUALS, text("x"), 5, 3, Action.SCORE);
        WafEngine engine = engine(strict);
        assertThat(custom(engine.inspect(get("/?q=x"), policy(WafMode.BLOCK, 2)))).isEmpty();
        assertThat(custom(engine.inspect(get("/?q=x"), policy(WafMode.BLOCK, 3)))).hasSize(1);
        assertThat(custom(engine.inspect(get("/?q=x"), policy(WafMode.BLOCK, 4)))).hasSize(1);
    }

    @Test
    void anExclusionOfACustomRuleExcludesIt() {
        CustomRule rule = rule(100001, "ARGS", Operator.CONTAINS, text("drop"));
        WafEngine engine = engine(rule);
        InspectionInput in = get("/?comment=drop+it&title=drop");
        assertThat(custom(engine.inspect(in, policy(WafMode.BLOCK, 1)))).extracting(WafMatch::target)
                .containsExactly("ARGS:comment", "ARGS:title");
        WafDecision excluded = engine.inspect(in, policy(WafMode.BLOCK, 1,
                new WafPolicy.Exclusion(100001, "ARGS:comment", 1)));
        assertThat(custom(excluded)).extracting(WafMatch::target).containsExactly("ARGS:title");
        assertThat(custom(engine.inspect(in, policy(WafMode.BLOCK, 1, new WafPolicy.Exclusion(100001, "ARGS", 1)))))
                .isEmpty();
        assertThat(engine.ruleIds()).contains(100001, 942100);
        assertThat(engine.ruleInspects(100001, "ARGS:comment")).isTrue();
        assertThat(engine.ruleInspects(100001, "REQUEST_URI")).isFalse();
    }

    @Test
    void aRouteExclusionFromTheConfigExcludesTheCustomRuleItNames() {
        ConfigResult result = ConfigLoader.parse("""
                upstreams: { app: { servers: [127.0.0.1:9000] } }
                routes:
                  - name: blog
                    match: { path: { prefix: /blog/ } }
                    upstream: app
                    waf: { exclusions: [ { rule: 100001, target: "ARGS:body" }, { rule: 100002, target: REQUEST_PATH } ] }
                  - name: rest
                    match: { path: { prefix: / } }
                    upstream: app
                waf:
                  custom_rules:
                    - { id: 100001, targets: ARGS, operator: contains, value: "bazinga", action: block }
                    - { id: 100002, targets: REQUEST_PATH, operator: contains, value: "/drafts/", action: block }
                """, "aegis.yaml", name -> null);
        assertThat(result).isInstanceOf(ConfigResult.Valid.class);
        AegisConfig config = ((ConfigResult.Valid) result).config();
        WafEngine engine = WafEngine.compile(config.waf());
        WafPolicy blog = config.routes().get(0).waf();
        WafPolicy rest = config.routes().get(1).waf();
        InspectionInput post = get("/blog/drafts/new?body=bazinga");
        assertThat(engine.inspect(post, rest).blocked()).isTrue();
        assertThat(custom(engine.inspect(post, rest))).extracting(WafMatch::ruleId).containsExactly(100001, 100002);
        WafDecision onBlog = engine.inspect(post, blog);
        assertThat(custom(onBlog)).isEmpty();
        assertThat(onBlog.blocked()).isFalse();
        // the exclusion names one argument only
        assertThat(engine.inspect(get("/blog/x?other=bazinga"), blog).blocked()).isTrue();
    }

    // ---- cost and safety

    @Test
    void noCustomRulesCompileToNothing() {
        assertThat(CustomRules.compile(List.of())).isNull();
    }

    @Test
    void duplicateIdsAreRefusedByTheEngineToo() {
        CustomRule a = rule(100001, "ARGS", Operator.CONTAINS, text("a"));
        assertThatThrownBy(() -> engine(a, a)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> engine(rule(942100, "ARGS", Operator.CONTAINS, text("a"))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eachRuleCountsOncePerTarget() {
        CustomRule rule = rule(1, "ARGS", Operator.CONTAINS, text("x"));
        WafDecision d = inspect(rule, get("/?a=x&a=xx&b=x"));
        assertThat(custom(d)).extracting(WafMatch::target).containsExactly("ARGS:a", "ARGS:b");
    }

    @Test
    void hostileValuesNeverThrow() {
        CustomRule[] rules = Arrays.stream(Transformation.values())
                .map(t -> rule(100 + t.ordinal(), "ARGS,REQUEST_BODY,REQUEST_HEADERS", List.of(t), Operator.REGEX,
                        text("(?i)a+$"), 1, 1, Action.LOG))
                .toArray(CustomRule[]::new);
        WafEngine engine = engine(rules);
        String[] values = {"%", "%u", "%uZZZZ", "&#99999999999;", "\0\0", "====", "\uD800", "a".repeat(20_000)};
        for (String v : values) {
            engine.inspect(request("POST", "/?q=" + v, "text/plain", v, "X-V", v), policy(WafMode.BLOCK, 4));
        }
    }
}
