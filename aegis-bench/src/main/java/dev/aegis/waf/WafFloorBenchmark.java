package dev.aegis.waf;

import dev.aegis.bench.WafBenchmark;
import dev.aegis.config.WafConfig;
import dev.aegis.config.WafPolicy;
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
 * What the first pass that issue 4 asks of the WAF costs on its own on this machine, for the requests of the WAF
 * targets: the floor under any inspection built that way, to set beside {@code WafBenchmark}.
 *
 * <p>It lives in the {@code waf} package (in this module) because it drives the engine's own byte-class table and
 * literal automata, which are not public. Each benchmark does only the pass named, nothing else the engine does:
 * <ul>
 *   <li>{@link #cleanGetClassPass}: every character of the clean GET (method, request-target, each header name and
 *       value) read once through the byte-class table;
 *   <li>{@link #cleanGetLiteralPass}: the request-target and every header value read once through the literal
 *       automaton of its family (URI, header, cookie) at paranoia 1;
 *   <li>{@link #json64kClassPass} and {@link #json64kLiteralPass}: the 64 KiB order document, already a string
 *       (no UTF-8 decoding, no JSON parsing), read once, whole, through the byte-class table and through the
 *       argument automaton.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class WafFloorBenchmark {
    private String[] cleanGetText;
    private String uri;
    private String[] headerValues;
    private LiteralScanner[] headerScanners;
    private LiteralScanner uriScanner;
    private String json64k;
    private LiteralScanner argScanner;

    @Setup
    public void setUp() {
        WafEngine engine = WafEngine.compile(new WafConfig(WafPolicy.WafMode.BLOCK, 1, 5, 128 << 10, List.of()));
        List<Map.Entry<String, String>> headers = WafBenchmark.BROWSER_HEADERS;
        uri = "/api/users";
        cleanGetText = new String[2 + 2 * headers.size()];
        cleanGetText[0] = "GET";
        cleanGetText[1] = uri;
        headerValues = new String[headers.size()];
        headerScanners = new LiteralScanner[headers.size()];
        for (int k = 0; k < headers.size(); k++) {
            Map.Entry<String, String> h = headers.get(k);
            cleanGetText[2 + 2 * k] = h.getKey();
            cleanGetText[3 + 2 * k] = h.getValue();
            headerValues[k] = h.getValue();
            headerScanners[k] = engine.scannerFor(h.getKey().equalsIgnoreCase("Cookie") ? Value.COOKIE : Value.HEADER, 1);
        }
        uriScanner = engine.scannerFor(Value.URI, 1);
        argScanner = engine.scannerFor(Value.ARG, 1);
        json64k = WafBenchmark.json(64 * 1024);
    }

    @Benchmark
    public int cleanGetClassPass() {
        int classes = 0;
        for (String s : cleanGetText) {
            classes |= Value.classesOf(s);
        }
        return classes;
    }

    @Benchmark
    public long cleanGetLiteralPass() {
        long[] hits = new long[uriScanner.words];
        uriScanner.scan(uri, hits);
        for (int k = 0; k < headerValues.length; k++) {
            headerScanners[k].scan(headerValues[k], hits);
        }
        return hits[0];
    }

    @Benchmark
    public int json64kClassPass() {
        return Value.classesOf(json64k);
    }

    @Benchmark
    public long json64kLiteralPass() {
        long[] hits = new long[argScanner.words];
        argScanner.scan(json64k, hits);
        return hits[0];
    }
}
