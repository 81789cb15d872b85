package dev.aegis.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.config.HostPort;
import dev.aegis.origin.MockOrigin;
import dev.aegis.server.AccessLog;
import dev.aegis.server.AegisServer;
import dev.aegis.testing.NodeFixture;
import dev.aegis.testing.ShopRequests;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: Debian's headless Chromium, driven through its ChromeDriver by Selenium, looks
 * at a node's admin port while a client thread sends it shop traffic, cache hits and attacks. The page asks for
 * the admin token, then its charts and the blocked-request list must update. The screenshot is kept in
 * {@code aegis-node/target/dashboard/dashboard.png} (the README's picture is one of them).
 */
class DashboardBrowserTest {
    static final String TOKEN = "dashboard-token";
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static MockOrigin origin;
    static AegisServer node;
    static AdminServer admin;
    static Thread traffic;
    static final AtomicBoolean stop = new AtomicBoolean();
    static final AtomicLong sent = new AtomicLong();

    @BeforeAll
    static void start() throws Exception {
        assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
                .as("Debian's chromium and chromium-driver are needed (./scripts/test installs them)").isTrue();
        origin = MockOrigin.start("127.0.0.1", 0);
        node = AegisServer.start(NodeFixture.parse("""
                node: { id: dashboard-node, listen: "127.0.0.1:0", workers: 1 }
                upstreams:
                  shop:
                    servers: [ { address: "127.0.0.1:${ORIGIN}" } ]
                    health_check: { path: /health, interval: 1s }
                routes:
                  - name: products
                    match: { path: { exact: /api/products } }
                    upstream: shop
                    cache: { enabled: true, default_ttl: 30s }
                  - name: limited
                    match: { path: { prefix: /limited } }
                    upstream: shop
                    rate_limit: { key: client_ip, limit: 5, window: 1s }
                  - name: shop
                    match: { path: { prefix: / } }
                    upstream: shop
                waf: { mode: block, paranoia: 1 }
                """, Map.of("ORIGIN", "" + origin.port())), AccessLog.OFF, AccessLog.OFF);
        admin = AdminServer.start(new HostPort("127.0.0.1", 0), TOKEN, new NodeAdminEndpoints(node, null));
        traffic = Thread.ofPlatform().daemon().name("dashboard-traffic").start(DashboardBrowserTest::sendTraffic);
    }

    /** Shop traffic with a share of cache hits, attacks of three families and a route past its rate limit. */
    static void sendTraffic() {
        List<String> clean = List.of("/api/users", "/api/products", "/api/orders", "/health", "/api/products");
        // the first is also markup: the page must show it as text, never run it
        List<String> attacks = List.of("/search?q=%3Cimg%20src=x%20onerror=window.pwned=1%3E%3Cscript%3Ealert(1)%3C/script%3E",
                "/login?user=admin%27%20OR%20%271%27%3D%271", "/files?name=../../../../etc/passwd");
        int i = 0;
        while (!stop.get()) {
            try {
                ShopRequests.get(node.port(), clean.get(i % clean.size()));
                if (i % 7 == 0) {
                    ShopRequests.get(node.port(), attacks.get(i / 7 % attacks.size()));
                }
                if (i % 3 == 0) {
                    ShopRequests.get(node.port(), "/limited/api/orders"); // past 5 a second: 429
                }
                sent.incrementAndGet();
                i++;
                Thread.sleep(5);
            } catch (IOException | RuntimeException e) {
                // the node is stopping, or one request failed: keep the traffic flowing
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @AfterAll
    static void stopAll() throws Exception {
        stop.set(true);
        if (traffic != null) {
            traffic.join(5000);
        }
        if (admin != null) {
            admin.close();
        }
        if (node != null) {
            node.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    static WebDriver chromium(Path profile) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // headless as root in a sandbox-less container; no background traffic to Google's hosts (there is no
        // network beyond loopback here)
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1400,1100", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    static int samples(WebDriver browser, String chart) {
        String n = browser.findElement(By.id(chart)).getDomAttribute("data-samples");
        return n == null ? 0 : Integer.parseInt(n);
    }

    @Test
    void theDashboardAsksForTheTokenThenItsChartsAndBlockedListFollowTheTraffic() throws Exception {
        Path profile = Files.createTempDirectory("aegis-chromium");
        WebDriver browser = chromium(profile);
        try {
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
            browser.get("http://127.0.0.1:" + admin.port() + "/");

            // the token: asked for once, kept for the tab
            WebElement input = wait.until(b -> {
                WebElement e = b.findElement(By.id("token-input"));
                return e.isDisplayed() ? e : null;
            });
            input.sendKeys("not-the-token");
            browser.findElement(By.id("token-submit")).click();
            wait.until(b -> b.findElement(By.id("token-error")).getText().contains("refused"));
            input.clear();
            input.sendKeys(TOKEN);
            browser.findElement(By.id("token-submit")).click();
            wait.until(b -> b.findElement(By.id("status")).getText().startsWith("live"));
            assertThat(admin.unauthorizedTotal()).as("the page's requests before the token, and the wrong one")
                    .isGreaterThanOrEqualTo(2);

            // the charts fill as the traffic flows
            wait.until(b -> samples(b, "chart-rate") >= 3);
            int before = samples(browser, "chart-rate");
            wait.until(b -> samples(b, "chart-rate") >= before + 3);
            String rate = browser.findElement(By.id("chart-rate")).getDomAttribute("data-last");
            assertThat(rate).as("the last requests-per-second point").matches("\\[[1-9][0-9.]*,.*");
            wait.until(b -> samples(b, "chart-latency") >= before + 3 && samples(b, "chart-cache") >= before + 3
                    && samples(b, "chart-blocked") >= before + 3);
            wait.until(b -> b.findElement(By.id("latency-now")).getText().startsWith("p50"));
            wait.until(b -> b.findElement(By.id("cache-now")).getText().endsWith("%"));
            assertThat(browser.findElements(By.cssSelector("#status-bar .status-2xx"))).isNotEmpty();

            // what the WAF blocked: by family, and the latest requests
            wait.until(b -> !b.findElements(By.cssSelector("#waf-families .hbar[data-family='xss']")).isEmpty()
                    && !b.findElements(By.cssSelector("#waf-families .hbar[data-family='sqli']")).isEmpty());
            wait.until(b -> b.findElement(By.id("blocked-list")).getText().contains("/search?q="));
            assertThat(((org.openqa.selenium.JavascriptExecutor) browser).executeScript("return window.pwned"))
                    .as("request data is shown as text, never run").isNull();
            assertThat(browser.findElement(By.id("blocked-list")).getText()).contains("onerror=window.pwned");
            String firstRow = browser.findElement(By.cssSelector("#blocked-list tr")).getText();
            long sentThen = sent.get();
            wait.until(b -> sent.get() > sentThen + 30
                    && !b.findElement(By.cssSelector("#blocked-list tr")).getText().equals(firstRow));

            // upstream health; a node without a cluster says so
            wait.until(b -> b.findElement(By.id("upstreams")).getText().contains("shop"));
            assertThat(browser.findElement(By.id("upstreams")).getText()).contains("healthy");
            assertThat(browser.findElement(By.id("peers")).getText()).contains("no peers");

            // a few more points of history, for a screenshot worth looking at
            int shown = samples(browser, "chart-rate");
            wait.until(b -> samples(b, "chart-rate") >= shown + 4);
            Path shots = Path.of("target", "dashboard");
            Files.createDirectories(shots);
            File png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
            Files.copy(png.toPath(), shots.resolve("dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
            assertThat(Files.size(shots.resolve("dashboard.png"))).isGreaterThan(10_000);
        } finally {
            browser.quit();
        }
    }
}
