package io.mlp4j.aparapi;

import io.mlp4j.spi.Backend;
import io.mlp4j.spi.BackendProvider;
import io.mlp4j.spi.DeviceDataset;
import io.mlp4j.spi.IndexBuffer;
import io.mlp4j.spi.Settings;
import io.mlp4j.spi.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The aparapi backend's command list (recorded operations run as the passes of one execution) and its fusions,
 * against the cpu reference (plain loops, one thread), found as a service like any provider, on a real OpenCL
 * device (PoCL here). Comparison ({@link #assertClose}): elementwise, {@code |a_i - r_i| <= 1e-5 * (|r_i| + rms(r))}.
 */
class AparapiCommandListTest {

    private static final double TOL = 1e-5;

    private static AparapiBackend gpu;
    private static Backend cpu;

    @BeforeAll
    static void open() {
        gpu = OpenClAssumptions.open();
        // The test code lives in io.mlp4j.aparapi, which provides the service but does not use it.
        AparapiCommandListTest.class.getModule().addUses(BackendProvider.class);
        Settings reference = Settings.of(Map.of(Settings.THREADS, "1", Settings.CPU_VECTOR, "false"), Map.of(),
                new Properties());
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.name().equals("cpu")) {
                cpu = p.probe(reference).opener().get();
            }
        }
    }

    @AfterAll
    static void close() {
        if (gpu != null) {
            gpu.close();
        }
        if (cpu != null) {
            cpu.close();
        }
    }

    /** The same random values in a tensor of each backend. */
    private record Pair(Tensor g, Tensor c, int length) {
    }

    private static Pair random(Random rnd, int length, float scale) {
        float[] v = new float[length];
        for (int i = 0; i < length; i++) {
            v[i] = (rnd.nextFloat() * 2 - 1) * scale;
        }
        return pair(v);
    }

    private static Pair pair(float[] v) {
        Tensor g = gpu.allocate(v.length);
        Tensor c = cpu.allocate(v.length);
        gpu.upload(g, v);
        cpu.upload(c, v);
        return new Pair(g, c, v.length);
    }

    private static float[] get(Backend b, Tensor t, int n) {
        float[] out = new float[n];
        b.download(t, out);
        return out;
    }

    static void assertClose(String what, Pair p, int n) {
        assertClose(what, get(cpu, p.c, n), get(gpu, p.g, n));
    }

    static void assertClose(String what, float[] ref, float[] actual) {
        assertEquals(ref.length, actual.length, what + ": length");
        double ss = 0;
        for (float r : ref) {
            ss += (double) r * r;
        }
        double rms = Math.sqrt(ss / Math.max(1, ref.length));
        for (int i = 0; i < ref.length; i++) {
            double err = Math.abs((double) actual[i] - ref[i]);
            double allowed = TOL * (Math.abs(ref[i]) + rms);
            if (!(err <= allowed)) {
                fail(what + ": element " + i + " is " + actual[i] + ", cpu reference " + ref[i] + " (error " + err
                        + " > allowed " + allowed + ")");
            }
        }
    }


    @Test
    void moreRecordedUploadsThanOneExecutionHoldsAllArrive() {
        // 1,500 uploads (of growing sizes, so the stage grows too) are more commands than one list holds: the list
        // runs when full, in the middle of the uploads, and every value must still land where it was sent.
        int count = MlpKernel.MAX_COMMANDS + 476;
        Tensor[] t = new Tensor[count];
        for (int i = 0; i < count; i++) {
            t[i] = gpu.allocate(1 + i % 40);
            float[] v = new float[1 + i % 40];
            java.util.Arrays.fill(v, i);
            gpu.upload(t[i], v);
        }
        for (int i = 0; i < count; i++) {
            float[] v = get(gpu, t[i], 1 + i % 40);
            for (float x : v) {
                assertEquals(i, x, "tensor " + i);
            }
        }
    }

    /**
     * The trainer's step on the tutorial's shapes, recorded and run as one execution: the gather is fused into the
     * first GEMM, the bias gradients into the weight-gradient GEMMs, the hidden layer's ReLU mask into the GEMM that
     * computes its gradient, the updates of W1 and b1 into the GEMM that computes their gradients; the second
     * layer's two gradient GEMMs share a pass, and so do the first layer's gradient GEMM and the updates of W2 and
     * b2. Every tensor must match the cpu backend's unfused step.
     */
    @Test
    void aTrainingStepRunsAsOneExecutionOfFiveFusedPassesAndMatchesCpu() {
        Random rnd = new Random(11);
        int count = 300;
        int rows = 128;
        byte[] pixels = new byte[count * 784];
        rnd.nextBytes(pixels);
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) rnd.nextInt(10);
        }
        DeviceDataset dg = gpu.upload(pixels, labels, count, 784);
        DeviceDataset dc = cpu.upload(pixels, labels, count, 784);
        int[] order = permutation(rnd, count);
        IndexBuffer ig = gpu.allocateIndices(count);
        IndexBuffer ic = cpu.allocateIndices(count);
        gpu.upload(ig, order);
        cpu.upload(ic, order);
        Pair x = random(rnd, rows * 784, 3f);
        Pair w1 = random(rnd, 32 * 784, 0.05f);
        Pair b1 = random(rnd, 32, 0.1f);
        Pair h = random(rnd, rows * 32, 3f);
        Pair w2 = random(rnd, 10 * 32, 0.2f);
        Pair b2 = random(rnd, 10, 0.1f);
        Pair z = random(rnd, rows * 10, 3f);
        Pair dh = random(rnd, rows * 32, 3f);
        Pair dz = random(rnd, rows * 10, 3f);
        Pair dw1 = random(rnd, 32 * 784, 3f);
        Pair db1 = random(rnd, 32, 3f);
        Pair dw2 = random(rnd, 10 * 32, 3f);
        Pair db2 = random(rnd, 10, 3f);
        Pair m = pair(new float[2]);
        get(gpu, m.g, 2); // runs everything recorded so far
        long passes = gpu.passes();
        long executions = gpu.executeCalls();
        for (Backend be : new Backend[]{gpu, cpu}) {
            boolean g = be == gpu;
            be.gather(g ? dg : dc, g ? ig : ic, 17, rows, g ? x.g : x.c);
            be.linearForward(g ? x.g : x.c, g ? w1.g : w1.c, g ? b1.g : b1.c, g ? h.g : h.c, rows, 784, 32, true);
            be.linearForward(g ? h.g : h.c, g ? w2.g : w2.c, g ? b2.g : b2.c, g ? z.g : z.c, rows, 32, 10, false);
            be.softmaxCrossEntropy(g ? z.g : z.c, g ? dg : dc, g ? ig : ic, 17, rows, 10, g ? dz.g : dz.c,
                    g ? m.g : m.c);
            be.linearBackward(g ? h.g : h.c, g ? w2.g : w2.c, g ? z.g : z.c, g ? dz.g : dz.c, g ? dh.g : dh.c,
                    g ? dw2.g : dw2.c, g ? db2.g : db2.c, rows, 32, 10, false);
            be.linearBackward(g ? x.g : x.c, g ? w1.g : w1.c, g ? h.g : h.c, g ? dh.g : dh.c, null,
                    g ? dw1.g : dw1.c, g ? db1.g : db1.c, rows, 784, 32, true);
            be.sgdUpdate(g ? w1.g : w1.c, g ? dw1.g : dw1.c, 32 * 784, 0.5f);
            be.sgdUpdate(g ? b1.g : b1.c, g ? db1.g : db1.c, 32, 0.5f);
            be.sgdUpdate(g ? w2.g : w2.c, g ? dw2.g : dw2.c, 10 * 32, 0.5f);
            be.sgdUpdate(g ? b2.g : b2.c, g ? db2.g : db2.c, 10, 0.5f);
        }
        float[] mg = get(gpu, m.g, 2);
        assertEquals(executions + 1, gpu.executeCalls(), "the step and the download in one execution");
        // forward 1 (with the gather), forward 2, softmax, dW2 and dh (independent: one pass), dW1 with the SGD
        // updates of W1 and b1, sharing its pass with those of W2 and b2
        assertEquals(passes + 5 + 1, gpu.passes(), "5 passes for the step, 1 for the download");
        float[] mc = get(cpu, m.c, 2);
        assertClose("loss sum", new float[]{mc[0]}, new float[]{mg[0]});
        assertEquals(mc[1], mg[1], "correct count");
        assertArrayEquals(get(cpu, x.c, rows * 784), get(gpu, x.g, rows * 784), "x, stored by the fused gather");
        assertClose("h", h, rows * 32);
        assertClose("z", z, rows * 10);
        assertClose("dz", dz, rows * 10);
        assertClose("dh, masked", dh, rows * 32);
        assertClose("dw2", dw2, 10 * 32);
        assertClose("db2", db2, 10);
        assertClose("dw1", dw1, 32 * 784);
        assertClose("db1", db1, 32);
        assertClose("w1", w1, 32 * 784);
        assertClose("b1", b1, 32);
        assertClose("w2", w2, 10 * 32);
        assertClose("b2", b2, 10);
    }

    @Test
    void anUpdateOfAGemmInputIsNotFusedIntoThatGemm() {
        // dw = dy^T x, then x -= lr dw (x and dw of the same length): fused into the GEMM, the update would change x
        // while the GEMM still reads it. It must run after the GEMM, as recorded, and the two commands not share a
        // pass either.
        Random rnd = new Random(5);
        int rows = 16;
        int in = 48;
        Pair x = random(rnd, rows * in, 1f);
        Pair w = random(rnd, rows * in, 1f);
        Pair y = random(rnd, rows * rows, 1f);
        Pair dy = random(rnd, rows * rows, 1f);
        Pair dw = random(rnd, rows * in, 1f);
        Pair db = random(rnd, rows, 1f);
        get(gpu, x.g, 1);
        long passes = gpu.passes();
        for (Backend be : new Backend[]{gpu, cpu}) {
            boolean g = be == gpu;
            be.linearBackward(g ? x.g : x.c, g ? w.g : w.c, g ? y.g : y.c, g ? dy.g : dy.c, null, g ? dw.g : dw.c,
                    g ? db.g : db.c, rows, in, rows, false);
            be.sgdUpdate(g ? x.g : x.c, g ? dw.g : dw.c, rows * in, 0.25f);
        }
        assertClose("dw", dw, rows * in);
        assertEquals(passes + 2 + 1, gpu.passes(), "the GEMM, the update, the download: one pass each");
        assertClose("x, updated after the GEMM", x, rows * in);
    }

    @Test
    void updatesOfOverlappingTensorsAreNotMerged() {
        // p -= lr g twice on the same p: in one pass they would race; the second must see the first's result.
        Pair p = pair(new float[]{1, 2, 3, 4});
        Pair g = pair(new float[]{1, 1, 1, 1});
        gpu.sgdUpdate(p.g, g.g, 4, 0.5f);
        gpu.sgdUpdate(g.g, p.g, 4, 1f); // g -= p, reading the p just updated
        assertArrayEquals(new float[]{0.5f, 1.5f, 2.5f, 3.5f}, get(gpu, p.g, 4));
        assertArrayEquals(new float[]{0.5f, -0.5f, -1.5f, -2.5f}, get(gpu, g.g, 4));
    }

    private static int[] permutation(Random rnd, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
