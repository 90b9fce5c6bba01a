package io.mlp4j.aparapi;

import io.mlp4j.spi.*;
import org.junit.jupiter.api.Test;

/** Manual benchmark (not a test of correctness): per-operation time for the tutorial's shapes. */
class AparapiOpBench {
    @Test
    void bench() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("mlp4j.bench"), "set -Dmlp4j.bench=true");
        try (AparapiBackend b = OpenClAssumptions.open()) {
            int rows = 128;
            Tensor x = b.allocate(rows * 784), w1 = b.allocate(32 * 784), b1 = b.allocate(32), h = b.allocate(rows * 32);
            Tensor w2 = b.allocate(320), b2 = b.allocate(10), z = b.allocate(rows * 10), dz = b.allocate(rows * 10);
            Tensor dh = b.allocate(rows * 32), dw1 = b.allocate(32 * 784), db1 = b.allocate(32), dw2 = b.allocate(320), db2 = b.allocate(10), m = b.allocate(2);
            byte[] px = new byte[1000 * 784];
            new java.util.Random(1).nextBytes(px);
            DeviceDataset d = b.upload(px, new byte[1000], 1000, 784);
            IndexBuffer ix = b.allocateIndices(1000);
            int[] ord = new int[1000];
            for (int i = 0; i < 1000; i++) ord[i] = i;
            b.upload(ix, ord);
            Runnable[] ops = {
                () -> b.gather(d, ix, 0, rows, x),
                () -> b.linearForward(x, w1, b1, h, rows, 784, 32, true),
                () -> b.linearForward(h, w2, b2, z, rows, 32, 10, false),
                () -> b.softmaxCrossEntropy(z, d, ix, 0, rows, 10, dz, m),
                () -> b.linearBackward(h, w2, z, dz, dh, dw2, db2, rows, 32, 10, false),
                () -> b.linearBackward(x, w1, h, dh, null, dw1, db1, rows, 784, 32, true),
                () -> b.sgdUpdate(w1, dw1, 32 * 784, 0.1f),
                () -> b.sgdUpdate(b1, db1, 32, 0.1f),
            };
            String[] names = {"gather", "fwd1", "fwd2", "softmax", "bwd2", "bwd1", "sgd w1", "sgd b1"};
            float[] sink = new float[1];
            // Each operation n times in one execution (the download runs what was recorded): time per pass.
            for (int rep = 0; rep < 2; rep++) {
                double total = 0;
                for (int o = 0; o < ops.length; o++) {
                    for (int i = 0; i < 20; i++) ops[o].run();
                    b.download(m, sink);
                    long t0 = System.nanoTime();
                    int n = 200;
                    for (int i = 0; i < n; i++) ops[o].run();
                    b.download(m, sink);
                    double us = (System.nanoTime() - t0) / 1e3 / n;
                    total += us;
                    System.out.printf("%-8s %8.1f us%n", names[o], us);
                }
                System.out.printf("sum of these ops %.1f us%n", total);
                long t0 = System.nanoTime();
                int steps = 200;
                for (int i = 0; i < steps; i++) {
                    for (int o = 0; o < ops.length; o++) ops[o].run();
                    b.sgdUpdate(w2, dw2, 320, 0.1f);
                    b.sgdUpdate(b2, db2, 10, 0.1f);
                    if (i % 19 == 18) b.download(m, sink);
                }
                b.download(m, sink);
                double us = (System.nanoTime() - t0) / 1e3 / steps;
                System.out.printf("whole step %.1f us (%d passes so far) -> epoch of 391 steps %.3f s%n", us, b.passes(), us * 391 / 1e6);
            }
        }
    }
}
