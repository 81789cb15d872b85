package dev.aegis.load;

import dev.aegis.config.ConfigLoader;
import dev.aegis.config.ConfigResult;
import dev.aegis.origin.MockOrigin;
import dev.aegis.server.AccessLog;
import dev.aegis.server.AegisServer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A memory-tier cache hit served end to end, under load: a node in front of the mock origin, keep-alive clients
 * asking for one cacheable object, against the same object on a route that does not cache (the origin answers every
 * request) measured in the same run. Prints requests per second and latency percentiles of both.
 *
 * <pre>java -cp aegis-load/target/aegis-load.jar dev.aegis.load.CacheHitLoad [connections] [seconds]</pre>
 */
public final class CacheHitLoad {
    private CacheHitLoad() {
    }

    /** What one run measured. */
    record Result(String name, long requests, double seconds, long[] latenciesMicros, long otherAnswers) {
        double rps() {
            return requests / seconds;
        }

        long percentile(double p) {
            if (latenciesMicros.length == 0) {
                return 0;
            }
            return latenciesMicros[(int) Math.min(latenciesMicros.length - 1, Math.floor(p * latenciesMicros.length))];
        }

        Result withName(String label) {
            return new Result(label, requests, seconds, latenciesMicros, otherAnswers);
        }

        @Override
        public String toString() {
            return String.format("%-22s %9.0f req/s   p50 %6d µs   p95 %6d µs   p99 %6d µs   (%d requests, %d unexpected)",
                    name, rps(), percentile(0.50), percentile(0.95), percentile(0.99), requests, otherAnswers);
        }
    }

    public static void main(String[] args) throws Exception {
        int connections = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        MockOrigin origin = MockOrigin.start("127.0.0.1", 0);
        String yaml = """
                node: { id: load, listen: "127.0.0.1:0", workers: 1 }
                upstreams: { app: { servers: [ { address: "127.0.0.1:%d" } ] } }
                routes:
                  - { name: uncached, priority: 10, match: { path: { prefix: / }, headers: { X-Bypass: "1" } }, upstream: app, cache: { enabled: false } }
                  - { name: cached, match: { path: { prefix: / } }, upstream: app }
                waf: { mode: "off" }
                """.formatted(origin.port());
        ConfigResult parsed = ConfigLoader.parse(yaml, "load.yaml", name -> null);
        if (!(parsed instanceof ConfigResult.Valid valid)) {
            throw new IllegalStateException("load config invalid: " + parsed);
        }
        AegisServer node = AegisServer.start(valid.config(), AccessLog.OFF, AccessLog.OFF);
        try {
            // /cache/600 is cacheable for ten minutes; with X-Bypass the same request takes a route without cache
            String target = "/cache/600";
            run(node.port(), target, "", "HIT", 4, 2); // warm-up: stores the object, compiles the code
            run(node.port(), target, "X-Bypass: 1\r\n", null, 4, 2);
            Result hits = run(node.port(), target, "", "HIT", connections, seconds);
            Result misses = run(node.port(), target, "X-Bypass: 1\r\n", null, connections, seconds);
            System.out.println("node: 1 event loop; clients: " + connections + " keep-alive connections, " + seconds
                    + " s each, same JVM and machine");
            System.out.println(hits.withName("memory-tier hit"));
            System.out.println(misses.withName("origin (no cache)"));
            System.out.printf("hit / origin throughput: %.2f%n", hits.rps() / misses.rps());
        } finally {
            node.close();
            origin.close();
        }
    }

    static Result run(int port, String target, String extraHeaders, String expectCache, int connections, int seconds)
            throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        AtomicLong other = new AtomicLong();
        List<long[]> perThread = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long[] counts = new long[connections];
        for (int c = 0; c < connections; c++) {
            int id = c;
            long[] lat = new long[1 << 20];
            perThread.add(lat);
            threads.add(Thread.ofVirtual().start(() -> {
                byte[] request = ("GET " + target + " HTTP/1.1\r\nHost: load.test\r\n" + extraHeaders + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setTcpNoDelay(true);
                    OutputStream out = s.getOutputStream();
                    InputStream in = new BufferedInputStream(s.getInputStream(), 65536);
                    long n = 0;
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        out.write(request);
                        out.flush();
                        String cache = readResponse(in);
                        long micros = (System.nanoTime() - t0) / 1000;
                        if (expectCache != null && !expectCache.equals(cache)) {
                            other.incrementAndGet();
                        }
                        if (n < lat.length) {
                            lat[(int) n] = micros;
                        }
                        n++;
                    }
                    counts[id] = n;
                } catch (IOException e) {
                    other.incrementAndGet();
                }
            }));
        }
        long start = System.nanoTime();
        for (Thread t : threads) {
            t.join();
        }
        double took = Math.max(seconds, (System.nanoTime() - start) / 1e9);
        long total = Arrays.stream(counts).sum();
        long[] all = new long[(int) Math.min(Integer.MAX_VALUE - 8, total)];
        int k = 0;
        for (int c = 0; c < connections; c++) {
            long n = Math.min(counts[c], perThread.get(c).length);
            System.arraycopy(perThread.get(c), 0, all, k, (int) n);
            k += (int) n;
        }
        long[] lat = Arrays.copyOf(all, k);
        Arrays.sort(lat);
        return new Result(target, total, took, lat, other.get());
    }

    /** Reads one response (Content-Length framed, as the node sends these); returns its X-Cache value. */
    static String readResponse(InputStream in) throws IOException {
        String cache = null;
        long length = 0;
        StringBuilder line = new StringBuilder(64);
        while (true) {
            line.setLength(0);
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(":");
            if (colon > 0) {
                String name = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("content-length")) {
                    length = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("x-cache")) {
                    cache = value;
                }
            }
        }
        in.skipNBytes(length);
        return cache;
    }
}
