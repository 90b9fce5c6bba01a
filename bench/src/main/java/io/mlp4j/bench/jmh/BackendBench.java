package io.mlp4j.bench.jmh;

import io.mlp4j.spi.Backend;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What every benchmark of device operations shares: the run settings, the backend and thread-count parameters,
 * and the backend, opened before the subclass's own setup (JMH runs a superclass's {@code @Setup} first) and
 * closed after the trial.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xss4m"})
public abstract class BackendBench {

    @Param({"cpu"})
    public String backend;

    @Param({"1"})
    public int threads;

    protected Backend be;

    @Setup(Level.Trial)
    public void openBackend() {
        be = Backends.open(backend, threads);
    }

    @TearDown(Level.Trial)
    public void closeBackend() {
        be.close();
    }
}
