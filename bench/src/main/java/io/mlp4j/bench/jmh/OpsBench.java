package io.mlp4j.bench.jmh;

import io.mlp4j.spi.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.Random;

/** The non-GEMM operations at the two batch sizes: gather (uint8 to float), fused softmax + cross-entropy, SGD. */
public class OpsBench extends BackendBench {

    static final int REPEAT = 8;

    @Param({"128", "512"})
    public int rows;

    private Backends.Data data;
    private Tensor x, logits, dLogits, metrics, p, g;
    private int sgdLength;

    @Setup(Level.Trial)
    public void setUp() {
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
