package io.mlp4j.aparapi;

import io.mlp4j.spi.*;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

/**
 * Manual benchmark (not a test of correctness), run with -Dmlp4j.bench=true: per-operation time for the tutorial's
 * shapes, and whole training steps (wall and process CPU time; the CPU time is less disturbed by other processes).
 */
class AparapiOpBench {
    private static final int ROWS = 128;

    /** The tutorial's tensors on one backend, weights random (so that ReLU cuts about half). */
    private record Net(AparapiBackend b, Runnable[] ops, Tensor w2, Tensor dw2, Tensor b2, Tensor db2, Tensor m) {
        static Net on(AparapiBackend b) {
            int rows = ROWS;
            Tensor x = b.allocate(rows * 784), w1 = b.allocate(32 * 784), b1 = b.allocate(32), h = b.allocate(rows * 32);
            Tensor w2 = b.allocate(320), b2 = b.allocate(10), z = b.allocate(rows * 10), dz = b.allocate(rows * 10);
            Tensor dh = b.allocate(rows * 32), dw1 = b.allocate(32 * 784), db1 = b.allocate(32), dw2 = b.allocate(320), db2 = b.allocate(10), m = b.allocate(2);
            Random r = new Random(1);
            float[] wv = new float[32 * 784];
            for (int i = 0; i < wv.length; i++) wv[i] = (float) r.nextGaussian() * 0.05f;
            b.upload(w1, wv);
            float[] w2v = new float[320];
            for (int i = 0; i < w2v.length; i++) w2v[i] = (float) r.nextGaussian() * 0.25f;
            b.upload(w2, w2v);
            byte[] px = new byte[1000 * 784];
            r.nextBytes(px);
            byte[] lab = new byte[1000];
            for (int i = 0; i < lab.length; i++) lab[i] = (byte) r.nextInt(10);
            DeviceDataset d = b.upload(px, lab, 1000, 784);
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
                () -> b.sgdUpdate(w1, dw1, 32 * 784, 0.01f),
                () -> b.sgdUpdate(b1, db1, 32, 0.01f),
            };
            return new Net(b, ops, w2, dw2, b2, db2, m);
        }

        /**
         * Microseconds per training step over n steps (a metrics download every 19 steps, as in training); cpu[0]
         * gets the process's CPU microseconds per step (less disturbed by other processes than the wall time).
         */
        double step(int n, double[] cpu) {
            float[] sink = new float[2];
            long c0 = cpuTicks();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                for (Runnable op : ops) op.run();
                b.sgdUpdate(w2, dw2, 320, 0.01f);
                b.sgdUpdate(b2, db2, 10, 0.01f);
                if (i % 19 == 18) b.download(m, sink);
            }
            b.download(m, sink);
            double us = (System.nanoTime() - t0) / 1e3 / n;
            cpu[0] = (cpuTicks() - c0) * 1e4 / n; // ticks of 10 ms
            return us;
        }
    }

    /** utime + stime of this process from /proc/self/stat, in clock ticks (USER_HZ, 100 on Linux). */
    static long cpuTicks() {
        try {
            String s = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void bench() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("mlp4j.bench"), "set -Dmlp4j.bench=true");
        try (AparapiBackend b = OpenClAssumptions.open()) {
            Net net = Net.on(b);
            String[] names = {"gather", "fwd1", "fwd2", "softmax", "bwd2", "bwd1", "sgd w1", "sgd b1"};
            float[] sink = new float[1];
            // Each operation n times in one execution (the download runs what was recorded): time per pass.
            double total = 0;
            for (int o = 0; o < net.ops.length; o++) {
                for (int i = 0; i < 20; i++) net.ops[o].run();
                b.download(net.m, sink);
                long t0 = System.nanoTime();
                int n = 200;
                for (int i = 0; i < n; i++) net.ops[o].run();
                b.download(net.m, sink);
                double us = (System.nanoTime() - t0) / 1e3 / n;
                total += us;
                System.out.printf("%-8s %8.1f us%n", names[o], us);
            }
            System.out.printf("sum of these ops %.1f us%n", total);
        }
        // Whole steps, several runs: wall and process CPU time per step, medians.
        int rounds = Integer.getInteger("mlp4j.bench.rounds", 5);
        int steps = Integer.getInteger("mlp4j.bench.steps", 600);
        double[] us = new double[rounds];
        double[] cpu = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            try (AparapiBackend b = OpenClAssumptions.open()) {
                Net net = Net.on(b);
                double[] c = new double[1];
                net.step(30, c);
                us[round] = net.step(steps, c);
                cpu[round] = c[0];
                System.out.printf("round %d: %.1f us per step, cpu %.1f us (%d passes so far)%n", round, us[round],
                        cpu[round], b.passes());
            }
        }
        Arrays.sort(us);
        Arrays.sort(cpu);
        System.out.printf("median %.1f us per step (cpu %.1f us) -> epoch of 391 steps %.3f s%n", us[rounds / 2],
                cpu[rounds / 2], us[rounds / 2] * 391 / 1e6);
    }
}
