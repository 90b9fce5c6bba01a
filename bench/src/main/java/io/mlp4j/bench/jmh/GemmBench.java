package io.mlp4j.bench.jmh;

import io.mlp4j.spi.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.Random;

/**
 * The GEMMs of the two benchmark networks, per backend: {@code forward} = y = x w^T + b (2·rows·in·out flops),
 * {@code backward} = dW = dy^T x, dX = dy w and db (4·rows·in·out), {@code backwardFirst} = dW and db only, as
 * for the first layer (2·rows·in·out). Shapes rows x in x out: 784-32-10 at batch 128 and 784-512-512-10 at
 * batch 512. JmhMain turns the times into GFLOP/s.
 */
public class GemmBench extends BackendBench {

    static final int REPEAT = 8;

    @Param({"128x784x32", "128x32x10", "512x784x512", "512x512x512", "512x512x10"})
    public String shape;

    private Tensor x, w, b, y, dy, dx, dw, db;
    private int rows, in, out;

    @Setup(Level.Trial)
    public void setUp() {
        int[] s = Backends.shape(shape);
        rows = s[0];
        in = s[1];
        out = s[2];
        Random r = new Random(1);
        x = Backends.random(be, r, rows * in, 1f);
        w = Backends.random(be, r, out * in, 0.05f);
        b = Backends.random(be, r, out, 0.1f);
        y = be.allocate(rows * out);
        dy = Backends.random(be, r, rows * out, 0.01f);
        dx = be.allocate(rows * in);
        dw = be.allocate(out * in);
        db = be.allocate(out);
    }

    @Benchmark
    @OperationsPerInvocation(REPEAT)
    public float forward() {
        for (int i = 0; i < REPEAT; i++) {
            be.linearForward(x, w, b, y, rows, in, out, false);
        }
        return Backends.sync(be, y);
    }

    @Benchmark
    @OperationsPerInvocation(REPEAT)
    public float backward() {
        for (int i = 0; i < REPEAT; i++) {
            be.linearBackward(x, w, y, dy, dx, dw, db, rows, in, out, false);
        }
        return Backends.sync(be, dx);
    }

    @Benchmark
    @OperationsPerInvocation(REPEAT)
    public float backwardFirst() {
        for (int i = 0; i < REPEAT; i++) {
            be.linearBackward(x, w, y, dy, null, dw, db, rows, in, out, false);
        }
        return Backends.sync(be, dw);
    }
}
