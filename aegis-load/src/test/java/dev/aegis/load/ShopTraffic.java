package dev.aegis.load;

import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.forever;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What every scenario sends: the reference's shop traffic over the mock origin's {@code /api/users},
 * {@code /api/products} (cached by the node, see {@code scripts/load-node.yaml}), {@code /api/orders} and
 * {@code /health}, with 5 % attacks that the WAF must answer with 403. Each virtual user keeps one keep-alive
 * connection and sends requests back to back, as a k6 virtual user without sleeps does.
 */
final class ShopTraffic {
    /** The node under test; {@code ./scripts/load} sets it. */
    static final String URL = System.getProperty("aegis.url", "http://127.0.0.1:8080");

    static final String ATTACK = "attack (must be blocked)";

    /** Classic attacks of each family, percent-encoded as a client would send them. */
    private static final List<String> ATTACKS = List.of(
            "/api/users?id=1%27%20OR%20%271%27%3D%271",
            "/api/users?id=1%20UNION%20SELECT%20username,password%20FROM%20users--",
            "/api/products?q=%3Cscript%3Ealert(document.cookie)%3C/script%3E",
            "/api/products?q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
            "/api/orders?file=../../../../etc/passwd",
            "/api/orders?host=127.0.0.1%3Bcat%20/etc/passwd",
            "/api/users?page=%3C%3Fphp%20system(%24_GET%5B%27c%27%5D)%3B%20%3F%3E");

    /** Products answers by X-Cache value, printed at the end: the share of cache hits. */
    static final LongAdder PRODUCTS = new LongAdder();
    static final LongAdder HITS = new LongAdder();

    private ShopTraffic() {
    }

    static HttpProtocolBuilder protocol() {
        return http.baseUrl(URL)
                .acceptHeader("application/json, text/plain, */*")
                .acceptLanguageHeader("en-GB,en;q=0.9")
                .acceptEncodingHeader("gzip, deflate")
                .userAgentHeader("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                        + "Chrome/131.0.0.0 Safari/537.36")
                .warmUp(URL + "/health");
    }

    private static final Iterator<Map<String, Object>> ATTACK_FEED = Stream.generate(
            (Supplier<Map<String, Object>>) () -> Map.of("attack",
                    ATTACKS.get(ThreadLocalRandom.current().nextInt(ATTACKS.size())))).iterator();

    static ChainBuilder visit() {
        return randomSwitch().on(
                percent(30.0).then(exec(http("GET /api/users").get("/api/users").check(status().is(200)))),
                percent(25.0).then(exec(http("GET /api/products (cacheable)").get("/api/products")
                        .check(status().is(200), header("X-Cache").optional().saveAs("xcache")))
                        .exec(session -> {
                            PRODUCTS.increment();
                            if ("HIT".equals(session.getString("xcache"))) {
                                HITS.increment();
                            }
                            return session.remove("xcache");
                        })),
                percent(25.0).then(exec(http("GET /api/orders").get("/api/orders").check(status().is(200)))),
                percent(15.0).then(exec(http("GET /health").get("/health").check(status().is(200)))),
                percent(5.0).then(feed(ATTACK_FEED).exec(http(ATTACK).get("#{attack}").check(status().is(403)))));
    }

    /** One scenario: every user sends {@link #visit()} in a loop until the simulation's maximum duration. */
    static ScenarioBuilder shop(String name) {
        return scenario(name).forever().on(visit());
    }

    /** The reference's thresholds: p95 under 500 ms, p99 under 1 s, errors under 5 %; no attack let through. */
    static Assertion[] referenceThresholds() {
        return new Assertion[] {
            global().responseTime().percentile(95.0).lt(500),
            global().responseTime().percentile(99.0).lt(1000),
            global().failedRequests().percent().lt(5.0),
            details(ATTACK).failedRequests().percent().lt(1.0)
        };
    }

    static void printCacheShare() {
        long all = PRODUCTS.sum();
        System.out.printf("cache: %d of %d /api/products answers were hits (%.1f %%)%n", HITS.sum(), all,
                all == 0 ? 0.0 : 100.0 * HITS.sum() / all);
    }
}
