package dev.aegis.bench;

import dev.aegis.crdt.GCounter;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The rate limiter's CRDT on its hot paths: the local increment with two threads on one counter (the worst case:
 * two event loops counting the same key), and the merge of two replicas that each know 16 nodes (what a sync
 * message costs per counter). The reference measured 23 ns and 46 ns.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class CrdtBenchmark {

    /** One counter shared by the threads of the group. */
    @State(Scope.Group)
    public static class Shared {
        final GCounter counter = new GCounter(0);
    }

    @Benchmark
    @Group("increment2Threads")
    @GroupThreads(2)
    public void increment(Shared s) {
        s.counter.increment();
    }

    /** Two replicas that each know 16 nodes; {@code from} is ahead of {@code into} on every node. */
    @State(Scope.Thread)
    public static class Replicas {
        GCounter into;
        GCounter from;

        @Setup(Level.Iteration)
        public void setUp() {
            into = new GCounter(0);
            from = new GCounter(1);
            for (int node = 0; node < 16; node++) {
                into.mergeSlot(node, 1_000 + node);
                from.mergeSlot(node, 2_000 + node);
            }
        }
    }

    /**
     * A merge of two 16-node replicas after the first: every slot compared, none raised (a repeated or stale
     * delta, the steady state of anti-entropy).
     */
    @Benchmark
    public boolean merge16Nodes(Replicas r) {
        return r.into.merge(r.from);
    }

    /**
     * 1024 replicas, each ahead of the last on all 16 nodes, merged in turn into one replica: every merge raises
     * every slot (a peer's delta after an interval of traffic on every node). The target replica is replaced once
     * per round of 1024.
     */
    @State(Scope.Thread)
    public static class Ladder {
        final GCounter[] steps = new GCounter[1024];
        GCounter into;
        int next;

        @Setup(Level.Iteration)
        public void setUp() {
            for (int k = 0; k < steps.length; k++) {
                steps[k] = new GCounter(1);
                for (int node = 0; node < 16; node++) {
                    steps[k].mergeSlot(node, k + 2L + node);
                }
            }
            reset();
        }

        void reset() {
            into = new GCounter(0);
            for (int node = 0; node < 16; node++) {
                into.mergeSlot(node, 1);
            }
            next = 0;
        }
    }

    @Benchmark
    public boolean merge16NodesAllRaised(Ladder l) {
        if (l.next == l.steps.length) {
            l.reset();
        }
        return l.into.merge(l.steps[l.next++]);
    }

    /**
     * The costly case: a replica created empty takes in a 16-node one, every slot raised (a joining node merging
     * a peer's full state). Includes creating the replica and its slot array.
     */
    @Benchmark
    public GCounter merge16NodesIntoNew(Replicas r) {
        GCounter fresh = new GCounter(0);
        fresh.merge(r.from);
        return fresh;
    }
}
