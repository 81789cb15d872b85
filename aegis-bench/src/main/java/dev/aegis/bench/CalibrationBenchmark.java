package dev.aegis.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A fixed amount of plain CPU work (hashing 4 KiB with a dependent multiply chain, no memory traffic beyond L1):
 * the yardstick the regression gate divides every result by, so a slower or busier machine moves the yardstick
 * with the benchmarks and only a change in our code moves their ratio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class CalibrationBenchmark {
    final byte[] data = new byte[4096];

    {
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
    }

    @Benchmark
    public long yardstick() {
        long h = 0x9E3779B97F4A7C15L;
        for (byte b : data) {
            h = (h ^ b) * 0x100000001B3L;
        }
        return h;
    }
}
