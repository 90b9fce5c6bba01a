package io.mlp4j.bench.jmh;

import io.mlp4j.backend.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.Random;

/**
 * One whole training step (gather, forward, softmax + cross-entropy, backward, SGD), the same sequence of device
 * operations as {@code Trainer.step}, on random MNIST-shaped data. {@code net} is "sizes@batch".
 */
public class StepBench extends BackendBench {

    static final int REPEAT = 10;

    @Param({"784-32-10@128", "784-512-512-10@512"})
    public String net;

    private Backends.Data data;
    private int[] sizes;
    private int batch;
    private Tensor[] w, b, dw, db, act, grad;
    private Tensor metrics;
    private int offset;

    @Setup(Level.Trial)
    public void setUp() {
        String[] p = net.split("@");
        batch = Integer.parseInt(p[1]);
        String[] s = p[0].split("-");
        sizes = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            sizes[i] = Integer.parseInt(s[i]);
        }
        Random r = new Random(3);
        data = Backends.data(be, r, 50_000, sizes[0], sizes[sizes.length - 1]);
        int layers = sizes.length - 1;
        w = new Tensor[layers];
        b = new Tensor[layers];
        dw = new Tensor[layers];
        db = new Tensor[layers];
        act = new Tensor[layers + 1];
        grad = new Tensor[layers + 1];
        for (int l = 0; l < layers; l++) {
            w[l] = Backends.random(be, r, sizes[l] * sizes[l + 1], (float) (1 / Math.sqrt(sizes[l])));
            b[l] = Backends.random(be, r, sizes[l + 1], 0.01f);
            dw[l] = be.allocate(sizes[l] * sizes[l + 1]);
            db[l] = be.allocate(sizes[l + 1]);
        }
        for (int l = 0; l <= layers; l++) {
            act[l] = be.allocate(batch * sizes[l]);
            grad[l] = l == 0 ? null : be.allocate(batch * sizes[l]);
        }
        metrics = be.allocate(2);
    }

    @Benchmark
    @OperationsPerInvocation(REPEAT)
    public float step() {
        int layers = sizes.length - 1;
        for (int k = 0; k < REPEAT; k++) {
            if (offset + batch > data.count()) {
                offset = 0;
            }
            be.gather(data.set(), data.order(), offset, batch, act[0]);
            for (int l = 0; l < layers; l++) {
                be.linearForward(act[l], w[l], b[l], act[l + 1], batch, sizes[l], sizes[l + 1], l < layers - 1);
            }
            be.softmaxCrossEntropy(act[layers], data.set(), data.order(), offset, batch, sizes[layers],
                    grad[layers], metrics);
            for (int l = layers - 1; l >= 0; l--) {
                be.linearBackward(act[l], w[l], act[l + 1], grad[l + 1], l == 0 ? null : grad[l], dw[l], db[l],
                        batch, sizes[l], sizes[l + 1], l < layers - 1);
            }
            for (int l = 0; l < layers; l++) {
                be.sgdUpdate(w[l], dw[l], sizes[l] * sizes[l + 1], 0.01f);
                be.sgdUpdate(b[l], db[l], sizes[l + 1], 0.01f);
            }
            offset += batch;
        }
        return Backends.sync(be, metrics);
    }
}
