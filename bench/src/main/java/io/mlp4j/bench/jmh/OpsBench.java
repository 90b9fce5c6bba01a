package io.mlp4j.bench.jmh;

import io.mlp4j.backend.Backend;
import io.mlp4j.backend.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/** The non-GEMM operations at the two batch sizes: gather (uint8 to float), fused softmax + cross-entropy, SGD. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xss4m"})
public class OpsBench {

    static final int REPEAT = 8;

    @Param({"cpu"})
    public String backend;

    @Param({"1"})
    public int threads;

    @Param({"128", "512"})
    public int rows;

    private Backend be;
    private Backends.Data data;
    private Tensor x, logits, dLogits, metrics, p, g;
    private int sgdLength;

    @Setup(Level.Trial)
    public void setUp() {
        be = Backends.open(backend, threads);
        Random r = new Random(2);
        data = Backends.data(be, r, 10_000, 784, 10);
        x = be.allocate(rows * 784);
        logits = Backends.random(be, r, rows * 10, 3f);
        dLogits = be.allocate(rows * 10);
        metrics = be.allocate(2);
        sgdLength = rows == 128 ? 784 * 32 : 784 * 512; // first layer's weights of each benchmark network
        p = Backends.random(be, r, sgdLength, 0.05f);
        g = Backends.random(be, r, sgdLength, 0.001f);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        be.close();
    }

    @Benchmark
    @OperationsPerInvocation(REPEAT)
    public float gather() {
        for (int i = 0; i < REPEAT; i++) {
            be.gather(data.set(), data.order(), i * rows, rows, x);
        }
        return Backends.sync(be, x);
    }

    @Benchmark
    @OperationsPerInvocation(REPEAT)
    public float softmaxCrossEntropy() {
        for (int i = 0; i < REPEAT; i++) {
            be.softmaxCrossEntropy(logits, data.set(), data.order(), i * rows, rows, 10, dLogits, metrics);
        }
        return Backends.sync(be, metrics);
    }

    @Benchmark
    @OperationsPerInvocation(REPEAT)
    public float sgd() {
        for (int i = 0; i < REPEAT; i++) {
            be.sgdUpdate(p, g, sgdLength, 1e-6f);
        }
        return Backends.sync(be, p);
    }
}
