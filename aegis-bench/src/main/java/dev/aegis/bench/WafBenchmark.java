package dev.aegis.bench;

import dev.aegis.config.WafConfig;
import dev.aegis.config.WafPolicy;
import dev.aegis.waf.InspectionInput;
import dev.aegis.waf.WafDecision;
import dev.aegis.waf.WafEngine;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The WAF's cost per request, end to end ({@link WafEngine#inspect}: decoding the targets, the prefilter, the
 * detectors and scoring) on the inputs the reference measured (clean GET, SQLi, XSS) plus bodies.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class WafBenchmark {

    /** What a browser sends with a page's API call. */
    public static final List<Map.Entry<String, String>> BROWSER_HEADERS = List.of(
            Map.entry("Host", "shop.example.com"),
            Map.entry("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                    + "Chrome/131.0.0.0 Safari/537.36"),
            Map.entry("Accept", "application/json, text/plain, */*"),
            Map.entry("Accept-Language", "en-GB,en;q=0.9,de;q=0.8"),
            Map.entry("Accept-Encoding", "gzip, deflate, br, zstd"),
            Map.entry("Referer", "https://shop.example.com/account/orders?page=2"),
            Map.entry("Cookie", "session=7f3c9a2e51b84d0c9e6f1a2b3c4d5e6f; theme=dark; consent=analytics%3Dno"),
            Map.entry("Sec-Fetch-Site", "same-origin"),
            Map.entry("Sec-Fetch-Mode", "cors"),
            Map.entry("Connection", "keep-alive"));

    WafEngine engine;
    WafPolicy policy;
    InspectionInput cleanGet;
    InspectionInput sqli;
    InspectionInput xss;
    InspectionInput formLogin;
    InspectionInput json1k;
    InspectionInput json64k;

    @Setup
    public void setUp() {
        engine = WafEngine.compile(new WafConfig(WafPolicy.WafMode.BLOCK, 1, 5, 128 << 10, List.of()));
        policy = new WafPolicy(WafPolicy.WafMode.BLOCK, 1, 5, List.of());
        cleanGet = get("/api/users");
        sqli = get("/login?username=admin'%20OR%20'1'='1");
        xss = get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E");
        formLogin = post("/login", "application/x-www-form-urlencoded",
                "username=alice.smith%40example.com&password=c0rrect-H0rse_battery%21&remember=on&csrf=8f14e45fceea167a");
        json1k = post("/api/orders", "application/json", json(1024));
        json64k = post("/api/orders", "application/json", json(64 * 1024));
        for (InspectionInput in : List.of(sqli, xss)) {
            if (!engine.inspect(in, policy).blocked()) {
                throw new IllegalStateException("benchmark attack is not blocked: " + in.uri());
            }
        }
        for (InspectionInput in : List.of(cleanGet, formLogin, json1k, json64k)) {
            WafDecision d = engine.inspect(in, policy);
            if (d.score() != 0) {
                throw new IllegalStateException("benchmark clean request scores " + d.score() + ": " + d.matches());
            }
        }
    }

    static InspectionInput get(String uri) {
        return new InspectionInput("GET", uri, BROWSER_HEADERS, null, false);
    }

    static InspectionInput post(String uri, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        List<Map.Entry<String, String>> headers = new java.util.ArrayList<>(BROWSER_HEADERS);
        headers.add(Map.entry("Content-Type", contentType));
        headers.add(Map.entry("Content-Length", Integer.toString(bytes.length)));
        return new InspectionInput("POST", uri, headers, bytes, false);
    }

    /** Free text customers write; every line's note differs (a line number), as in real orders. */
    static final String[] NOTES = {
        "Please deliver to the back door, the bell does not work on weekends.",
        "Gift wrap please - it's for my mother's 60th birthday!",
        "Leave with the neighbour at no. 14 if nobody is home",
        "Call 07700 900123 on arrival; gate code is 4512#",
        "Can you select a darker shade if the blue is out of stock?",
        "Union Street entrance is closed, use Market Road instead.",
        "Size M (not L) - I ordered the wrong one last time :(",
        "Drop off between 9am and 5pm, Mon-Fri only.",
        "Fragile: glassware inside. Don't stack heavy items on top.",
        "Please include the receipt & a printed invoice for my company.",
        "No plastic packaging if possible, thanks <3",
        "Deliver to reception, 3rd floor, ask for Dr. O'Brien.",
    };

    /**
     * An order document of about {@code size} bytes, shaped like a shop's API payload: a customer record and an array
     * of line items (SKU, product name, quantity, price, currency, status, timestamps), a free-text note from the
     * customer on every fourth line (each different, with the punctuation people type: quotes, parentheses, '&',
     * '#', '<3').
     */
    public static String json(int size) {
        StringBuilder b = new StringBuilder("{\"customer\":{\"id\":48213,\"name\":\"Ada Lovelace\","
                + "\"email\":\"ada@example.com\",\"address\":{\"street\":\"12 Analytical Row\",\"city\":\"London\","
                + "\"zip\":\"EC1A 1BB\"}},\"items\":[");
        String[] products = {"Walnut desk lamp", "Linen shirt, navy", "Espresso cups (set of 4)", "USB-C cable 2m",
            "Wool throw - grey", "Cast iron pan 28cm"};
        String[] statuses = {"pending", "paid", "packed", "shipped", "delivered"};
        int i = 0;
        while (b.length() < size - 200) {
            if (i > 0) {
                b.append(',');
            }
            b.append("{\"sku\":\"SKU-").append(10_000 + i).append("\",\"name\":\"").append(products[i % products.length])
                    .append("\",\"qty\":").append(i % 7 + 1).append(",\"price\":").append(19.99 + i)
                    .append(",\"currency\":\"EUR\",\"status\":\"").append(statuses[i % statuses.length])
                    .append("\",\"updated_at\":\"2026-11-").append(10 + i % 18).append("T14:").append(10 + i % 50)
                    .append(":00Z\",\"gift\":").append(i % 2 == 0);
            if (i % 4 == 0) {
                b.append(",\"note\":\"").append(NOTES[i / 4 % NOTES.length]).append(" (line ").append(i + 1).append(")\"");
            }
            b.append('}');
            i++;
        }
        b.append("],\"coupon\":null,\"total\":").append(i * 23.5).append('}');
        return b.toString();
    }

    @Benchmark
    public WafDecision cleanGet() {
        return engine.inspect(cleanGet, policy);
    }

    @Benchmark
    public WafDecision sqlInjection() {
        return engine.inspect(sqli, policy);
    }

    @Benchmark
    public WafDecision xss() {
        return engine.inspect(xss, policy);
    }

    @Benchmark
    public WafDecision formLogin() {
        return engine.inspect(formLogin, policy);
    }

    @Benchmark
    public WafDecision json1k() {
        return engine.inspect(json1k, policy);
    }

    @Benchmark
    public WafDecision json64k() {
        return engine.inspect(json64k, policy);
    }
}
