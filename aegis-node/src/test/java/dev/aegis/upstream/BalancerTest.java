package dev.aegis.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.config.UpstreamConfig;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BalancerTest {
    private static final long NOW = 1_000_000_000L;
    private static final long COOLDOWN = 10_000_000_000L;
    private static final int PICKS = 10_000;
    private static final int[] EQUAL = {1, 1, 1};
    private static final int[] UNEQUAL = {1, 2, 3};

    // ---- helpers

    private static ServerState[] group(int... weights) {
        ServerState[] servers = new ServerState[weights.length];
        for (int i = 0; i < weights.length; i++) {
            servers[i] = server("10.0.0." + (i + 1), 8080, weights[i], i);
        }
        return servers;
    }

    private static ServerState server(String host, int port, int weight, int index) {
        return new ServerState(new UpstreamServer(host + ":" + port, InetSocketAddress.createUnresolved(host, port),
                weight), index);
    }

    private static Balancer balancer(UpstreamConfig.Balancer kind, ServerState[] servers) {
        // p2c draws from ThreadLocalRandom in production; seed it so these tests are repeatable.
        return kind == UpstreamConfig.Balancer.P2C ? new PowerOfTwoChoices(new SplittableRandom(42))
                : Balancer.of(kind, servers);
    }

    private static String ip(Random random) {
        return random.nextInt(1, 224) + "." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256);
    }

    private static void eject(ServerState s) {
        s.recordFailure(NOW, 1, COOLDOWN);
    }

    /**
     * Picks {@code picks} times and counts. With {@code concurrent}, each pick starts a request and, after each pick,
     * every request in flight finishes with probability 1/16 (same latency on every server), so a random number of
     * requests, about 16, is in flight, as on a busy node; without, each request finishes before the next pick.
     */
    private static int[] distribution(Balancer balancer, ServerState[] servers, int picks, boolean concurrent,
                                      long seed) {
        Random random = new Random(seed);
        int[] counts = new int[servers.length];
        List<ServerState> inFlight = new ArrayList<>();
        for (int i = 0; i < picks; i++) {
            ServerState s = balancer.pick(servers, NOW, ip(random), 0);
            counts[s.index]++;
            s.requestStarted();
            inFlight.add(s);
            for (int r = inFlight.size() - 1; r >= 0; r--) {
                if (!concurrent || random.nextInt(16) == 0) {
                    inFlight.get(r).requestFinished();
                    inFlight.set(r, inFlight.get(inFlight.size() - 1));
                    inFlight.remove(inFlight.size() - 1);
                }
            }
        }
        for (ServerState s : inFlight) {
            s.requestFinished();
        }
        return counts;
    }

    /** Each server's share of the picks is within 5 percentage points of its share of the weight. */
    private static void assertShares(String what, int[] counts, int[] weights) {
        int total = Arrays.stream(weights).sum();
        int picks = Arrays.stream(counts).sum();
        double worst = 0;
        for (int i = 0; i < weights.length; i++) {
            double expected = (double) weights[i] / total;
            double observed = (double) counts[i] / picks;
            worst = Math.max(worst, Math.abs(observed - expected));
            assertThat(observed).as("%s: server %d of weights %s, counts %s", what, i, Arrays.toString(weights),
                    Arrays.toString(counts)).isCloseTo(expected, Offset.offset(0.05));
        }
        System.out.printf("%s weights %s: counts %s, max deviation %.2f points%n", what, Arrays.toString(weights),
                Arrays.toString(counts), worst * 100);
    }

    // ---- distribution, all balancers

    @ParameterizedTest
    @EnumSource(UpstreamConfig.Balancer.class)
    void sharesFollowWeightsSequentially(UpstreamConfig.Balancer kind) {
        for (int[] weights : new int[][] {EQUAL, UNEQUAL}) {
            ServerState[] servers = group(weights);
            assertShares(kind + " sequential", distribution(balancer(kind, servers), servers, PICKS, false, 7), weights);
        }
    }

    @ParameterizedTest
    @EnumSource(UpstreamConfig.Balancer.class)
    void sharesFollowWeightsUnderConcurrentLoad(UpstreamConfig.Balancer kind) {
        for (int[] weights : new int[][] {EQUAL, UNEQUAL}) {
            ServerState[] servers = group(weights);
            assertShares(kind + " concurrent", distribution(balancer(kind, servers), servers, PICKS, true, 11), weights);
            for (ServerState s : servers) {
                assertThat(s.inFlight()).isZero();
            }
        }
    }

    // ---- smooth weighted round robin

    @Test
    void roundRobinInterleavesWeights() {
        ServerState[] servers = group(UNEQUAL);
        Balancer rr = Balancer.of(UpstreamConfig.Balancer.ROUND_ROBIN, servers);
        StringBuilder order = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            order.append((char) ('a' + rr.pick(servers, NOW, null, 0).index));
        }
        // nginx's sequence: never the heavy server three times running, and it repeats every total weight.
        assertThat(order).hasToString("cbacbc" + "cbacbc");
    }

    @Test
    void roundRobinIsExactOverMultiplesOfTheTotalWeight() {
        ServerState[] servers = group(UNEQUAL);
        int[] counts = distribution(Balancer.of(UpstreamConfig.Balancer.ROUND_ROBIN, servers), servers, 6 * 1234,
                false, 1);
        assertThat(counts).containsExactly(1234, 2 * 1234, 3 * 1234);
    }

    @Test
    void roundRobinSkipsEjectedServerAndSharesItsTraffic() {
        ServerState[] servers = group(UNEQUAL);
        eject(servers[2]);
        int[] counts = distribution(Balancer.of(UpstreamConfig.Balancer.ROUND_ROBIN, servers), servers, 3 * 100,
                false, 1);
        assertThat(counts).containsExactly(100, 200, 0);
    }

    @Test
    void roundRobinStatePerThreadStillInterleaves() throws Exception {
        ServerState[] servers = group(UNEQUAL);
        Balancer rr = Balancer.of(UpstreamConfig.Balancer.ROUND_ROBIN, servers);
        rr.pick(servers, NOW, null, 0); // this thread is one step in; another thread starts from the beginning
        AtomicReference<String> other = new AtomicReference<>();
        Thread t = new Thread(() -> {
            StringBuilder order = new StringBuilder();
            for (int i = 0; i < 6; i++) {
                order.append((char) ('a' + rr.pick(servers, NOW, null, 0).index));
            }
            other.set(order.toString());
        });
        t.start();
        t.join();
        assertThat(other.get()).isEqualTo("cbacbc");
    }

    // ---- least connections

    @Test
    void leastConnectionsPicksFewestInFlightPerWeight() {
        ServerState[] servers = group(1, 4);
        Balancer lc = Balancer.of(UpstreamConfig.Balancer.LEAST_CONN, servers);
        servers[0].requestStarted(); // 1 per weight
        for (int i = 0; i < 3; i++) {
            servers[1].requestStarted(); // 3/4 per weight
        }
        assertThat(lc.pick(servers, NOW, null, 0)).isSameAs(servers[1]);
        servers[1].requestStarted(); // 4/4: tied with a, broken by weighted round robin
        servers[1].requestStarted(); // 5/4
        assertThat(lc.pick(servers, NOW, null, 0)).isSameAs(servers[0]);
    }

    @Test
    void leastConnectionsSequentialTrafficIsExactWeightedRoundRobin() {
        ServerState[] servers = group(UNEQUAL);
        int[] counts = distribution(Balancer.of(UpstreamConfig.Balancer.LEAST_CONN, servers), servers, 6 * 500,
                false, 1);
        assertThat(counts).containsExactly(500, 1000, 1500);
    }

    // ---- power of two choices

    @Test
    void powerOfTwoTakesTheLessLoadedOfTwo() {
        ServerState[] servers = group(1, 1);
        for (int i = 0; i < 5; i++) {
            servers[0].requestStarted();
        }
        Balancer p2c = new PowerOfTwoChoices(new SplittableRandom(3));
        for (int i = 0; i < 100; i++) {
            assertThat(p2c.pick(servers, NOW, null, 0)).isSameAs(servers[1]);
        }
    }

    @Test
    void powerOfTwoWithOneEligibleServerReturnsIt() {
        ServerState[] servers = group(EQUAL);
        eject(servers[0]);
        Balancer p2c = Balancer.of(UpstreamConfig.Balancer.P2C, servers);
        for (int i = 0; i < 100; i++) {
            assertThat(p2c.pick(servers, NOW, null, 1L << 1)).isSameAs(servers[2]);
        }
    }

    // ---- eligibility, all balancers

    @ParameterizedTest
    @EnumSource(UpstreamConfig.Balancer.class)
    void excludedServersAreNeverPicked(UpstreamConfig.Balancer kind) {
        ServerState[] servers = group(UNEQUAL);
        Balancer b = balancer(kind, servers);
        Random random = new Random(5);
        long mask = (1L << 0) | (1L << 2);
        for (int i = 0; i < 1000; i++) {
            assertThat(b.pick(servers, NOW, ip(random), mask)).isSameAs(servers[1]);
        }
        assertThat(b.pick(servers, NOW, "k", 0b111)).isNull();
    }

    @ParameterizedTest
    @EnumSource(UpstreamConfig.Balancer.class)
    void unavailableServersAreSkipped(UpstreamConfig.Balancer kind) {
        ServerState[] servers = group(UNEQUAL);
        Balancer b = balancer(kind, servers);
        eject(servers[1]);
        servers[2].activeResult(false, 1, 1);
        Random random = new Random(5);
        for (int i = 0; i < 1000; i++) {
            assertThat(b.pick(servers, NOW, ip(random), 0)).isSameAs(servers[0]);
            assertThat(b.pick(servers, NOW, null, 0)).isSameAs(servers[0]);
        }
        // The cooldown ends: the ejected server is back.
        boolean sawB = false;
        for (int i = 0; i < 1000 && !sawB; i++) {
            sawB = b.pick(servers, NOW + COOLDOWN, ip(random), 0) == servers[1];
        }
        assertThat(sawB).isTrue();
    }

    @ParameterizedTest
    @EnumSource(UpstreamConfig.Balancer.class)
    void noAvailableServerGivesNull(UpstreamConfig.Balancer kind) {
        ServerState[] servers = group(UNEQUAL);
        Balancer b = balancer(kind, servers);
        for (ServerState s : servers) {
            eject(s);
        }
        assertThat(b.pick(servers, NOW, "10.1.2.3", 0)).isNull();
        assertThat(b.pick(servers, NOW, null, 0)).isNull();
        assertThat(Balancer.of(kind, new ServerState[0]).pick(new ServerState[0], NOW, "k", 0)).isNull();
    }

    @ParameterizedTest
    @EnumSource(UpstreamConfig.Balancer.class)
    void serversPastIndex63AreNeverExcluded(UpstreamConfig.Balancer kind) {
        int[] weights = new int[70];
        Arrays.fill(weights, 1);
        ServerState[] servers = group(weights);
        Balancer b = balancer(kind, servers);
        Random random = new Random(9);
        for (int i = 0; i < 500; i++) {
            assertThat(b.pick(servers, NOW, ip(random), -1L).index).isGreaterThanOrEqualTo(64);
        }
    }

    // ---- consistent hashing

    @Test
    void hashSendsTheSameKeyToTheSameServer() {
        ServerState[] servers = group(UNEQUAL);
        Balancer hash = Balancer.of(UpstreamConfig.Balancer.HASH, servers);
        Balancer again = Balancer.of(UpstreamConfig.Balancer.HASH, group(UNEQUAL));
        Random random = new Random(13);
        for (int i = 0; i < 1000; i++) {
            String key = ip(random);
            ServerState first = hash.pick(servers, NOW, key, 0);
            assertThat(hash.pick(servers, NOW, new StringBuilder(key), 0)).isSameAs(first);
            assertThat(again.pick(servers, NOW, key, 0).index).as("a rebuilt ring agrees").isEqualTo(first.index);
        }
    }

    @Test
    void hashWithoutKeyFallsBackToWeightedRoundRobin() {
        ServerState[] servers = group(UNEQUAL);
        Balancer hash = Balancer.of(UpstreamConfig.Balancer.HASH, servers);
        int[] counts = new int[3];
        for (int i = 0; i < 600; i++) {
            counts[hash.pick(servers, NOW, null, 0).index]++;
        }
        assertThat(counts).containsExactly(100, 200, 300);
    }

    @Test
    void removingOneOfFiveServersMovesOnlyItsKeys() {
        int n = 5;
        ServerState[] five = group(1, 1, 1, 1, 1);
        ServerState[] four = {
            server("10.0.0.1", 8080, 1, 0), server("10.0.0.2", 8080, 1, 1),
            server("10.0.0.4", 8080, 1, 2), server("10.0.0.5", 8080, 1, 3)};  // 10.0.0.3 removed, indexes shift
        String[] before = assign(five, 10_000, 17);
        String[] after = assign(four, 10_000, 17);
        int moved = 0;
        for (int i = 0; i < before.length; i++) {
            if (!before[i].equals(after[i])) {
                moved++;
                assertThat(before[i]).as("only keys of the removed server move").isEqualTo("10.0.0.3:8080");
            }
        }
        assertThat(moved).isLessThanOrEqualTo((int) (1.5 / n * 10_000));
        assertThat(moved).isEqualTo((int) Arrays.stream(before).filter("10.0.0.3:8080"::equals).count());
    }

    @Test
    void addingASixthServerMovesAboutOneSixthOntoIt() {
        ServerState[] five = group(1, 1, 1, 1, 1);
        ServerState[] six = group(1, 1, 1, 1, 1, 1);
        String[] before = assign(five, 10_000, 19);
        String[] after = assign(six, 10_000, 19);
        int moved = 0;
        for (int i = 0; i < before.length; i++) {
            if (!before[i].equals(after[i])) {
                moved++;
                assertThat(after[i]).as("keys move only onto the new server").isEqualTo("10.0.0.6:8080");
            }
        }
        assertThat(moved / 10_000.0).isCloseTo(1.0 / 6, Offset.offset(0.5 / 6));
    }

    @Test
    void anEjectedServersKeysGoWhereTheyWouldIfItWereRemoved() {
        ServerState[] five = group(1, 1, 1, 1, 1);
        ServerState[] four = {
            server("10.0.0.1", 8080, 1, 0), server("10.0.0.2", 8080, 1, 1),
            server("10.0.0.4", 8080, 1, 2), server("10.0.0.5", 8080, 1, 3)};
        eject(five[2]);
        assertThat(assign(five, 10_000, 23)).containsExactly(assign(four, 10_000, 23));
    }

    /**
     * Measures each server's exact share of the hash space for groups of 3 to 10 servers, equal and unequal weights,
     * under several naming schemes: the vnode count must keep it within 3 points of the server's weight share.
     */
    @Test
    void ringSharesStayCloseToWeightsForThreeToTenServers() {
        String[] names = {"10.0.0.%d", "app-%d.internal", "192.168.1.%d", "origin%d.example.com", "10.1.%d.7", "web-%02d"};
        double worst = 0;
        double worstRelative = 0;
        for (String name : names) {
            for (int n = 3; n <= 10; n++) {
                for (int[] weights : new int[][] {ones(n), ramp(n)}) {
                    ServerState[] servers = new ServerState[n];
                    for (int i = 0; i < n; i++) {
                        servers[i] = server(String.format(name, i + 1), 8080, weights[i], i);
                    }
                    double[] shares = new ConsistentHash(servers).shares();
                    int total = Arrays.stream(weights).sum();
                    assertThat(Arrays.stream(shares).sum()).isCloseTo(1.0, Offset.offset(1e-9));
                    for (int i = 0; i < n; i++) {
                        double expected = (double) weights[i] / total;
                        worst = Math.max(worst, Math.abs(shares[i] - expected));
                        worstRelative = Math.max(worstRelative, Math.abs(shares[i] / expected - 1));
                    }
                }
            }
        }
        System.out.printf("ring with %d vnodes per weight: max share deviation %.2f points (%.1f%% relative)%n",
                ConsistentHash.VNODES_PER_WEIGHT, worst * 100, worstRelative * 100);
        assertThat(worst).isLessThanOrEqualTo(0.03);
    }

    @Test
    void hugeWeightsAreScaledToABoundedRing() {
        ServerState[] servers = group(1_000_000, 1_000_000, 1);
        ConsistentHash ring = new ConsistentHash(servers);
        double[] shares = ring.shares();
        assertThat(shares[0]).isCloseTo(0.5, Offset.offset(0.03));
        assertThat(shares[2]).isGreaterThan(0); // still on the ring, with one point
    }

    @Test
    void hash64IsStableAndSpreads() {
        assertThat(ConsistentHash.hash64("10.0.0.1")).isEqualTo(ConsistentHash.hash64(new StringBuilder("10.0.0.1")));
        assertThat(ConsistentHash.hash64("10.0.0.1")).isNotEqualTo(ConsistentHash.hash64("10.0.0.2"));
    }

    private static int[] ones(int n) {
        int[] w = new int[n];
        Arrays.fill(w, 1);
        return w;
    }

    private static int[] ramp(int n) {
        int[] w = new int[n];
        for (int i = 0; i < n; i++) {
            w[i] = i % 3 + 1;
        }
        return w;
    }

    /** The server key each of {@code count} random client IPs hashes to. */
    private static String[] assign(ServerState[] servers, int count, long seed) {
        Balancer hash = Balancer.of(UpstreamConfig.Balancer.HASH, servers);
        Random random = new Random(seed);
        String[] keys = new String[count];
        for (int i = 0; i < count; i++) {
            keys[i] = hash.pick(servers, NOW, ip(random), 0).server.key();
        }
        return keys;
    }

    // ---- threads

    @ParameterizedTest
    @EnumSource(UpstreamConfig.Balancer.class)
    void twoThreadsPickAtOnceWhileHealthChanges(UpstreamConfig.Balancer kind) throws Exception {
        ServerState[] servers = group(UNEQUAL);
        Balancer b = Balancer.of(kind, servers);
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] threads = new Thread[2];
        for (int t = 0; t < threads.length; t++) {
            long seed = t;
            threads[t] = new Thread(() -> {
                try {
                    Random random = new Random(seed);
                    start.await();
                    for (int i = 0; i < 50_000; i++) {
                        // Server 0 flaps; 1 and 2 stay up, so a pick always finds someone.
                        if (i % 1000 == 0) {
                            eject(servers[0]);
                        } else if (i % 1000 == 500) {
                            servers[0].clearEjection();
                        }
                        ServerState s = b.pick(servers, NOW, random.nextBoolean() ? ip(random) : null, 0);
                        assertThat(s).isNotNull();
                        s.requestStarted();
                        s.requestFinished();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            threads[t].start();
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failure.get()).isNull();
        assertThat(Arrays.stream(servers).mapToLong(ServerState::requestsTotal).sum()).isEqualTo(100_000);
        assertThat(Arrays.stream(servers).mapToInt(ServerState::inFlight).sum()).isZero();
    }
}
