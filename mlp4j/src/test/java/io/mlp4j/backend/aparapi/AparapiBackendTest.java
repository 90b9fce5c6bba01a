package io.mlp4j.backend.aparapi;

import io.mlp4j.backend.Backend;
import io.mlp4j.backend.DeviceDataset;
import io.mlp4j.backend.IndexBuffer;
import io.mlp4j.backend.Tensor;
import io.mlp4j.backend.cpu.CpuBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every operation of the aparapi backend against the cpu reference ({@code new CpuBackend(1, false)}: plain loops,
 * one thread) on seeded random inputs, on a real OpenCL device (PoCL here).
 *
 * <p>Comparison ({@link #assertClose}): elementwise with a floor, {@code |a_i - r_i| <= 1e-5 * (|r_i| + rms(r))},
 * i.e. relative error 1e-5 per element, where elements much smaller than the typical magnitude (cancellation in a
 * dot product) are held to 1e-5 of the RMS of the whole reference instead of their own tiny value.
 */
class AparapiBackendTest {

    private static final double TOL = 1e-5;

    private static AparapiBackend gpu;
    private static CpuBackend cpu;

    @BeforeAll
    static void open() {
        gpu = OpenClAssumptions.open();
        cpu = new CpuBackend(1, false);
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
    void uploadDownloadAndZeroFill() {
        Tensor t = gpu.allocate(1000);
        assertArrayEquals(new float[1000], get(gpu, t, 1000), "fresh tensors are zero");
        float[] v = new float[1000];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 0.25f - 7;
        }
        gpu.upload(t, v);
        assertArrayEquals(v, get(gpu, t, 1000));
        float[] head = new float[10];
        gpu.download(t, head);
        assertEquals(-7f, head[0]);
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

    @Test
    void arenaGrowthKeepsDeviceResults() {
        Random rnd = new Random(1);
        Pair p = random(rnd, 513, 1f);
        Pair g = random(rnd, 513, 1f);
        gpu.sgdUpdate(p.g, g.g, 513, 0.1f);
        cpu.sgdUpdate(p.c, g.c, 513, 0.1f);
        // Far more than the arena holds: forces a reallocation after device-side results exist.
        Tensor big = gpu.allocate(4_000_000);
        assertClose("parameters after the arena grew", p, 513);
        assertArrayEquals(new float[16], java.util.Arrays.copyOf(get(gpu, big, 4_000_000), 16));
    }

    @Test
    void gatherMatchesCpuExactly() {
        Random rnd = new Random(2);
        int count = 300;
        int features = 785;
        byte[] pixels = new byte[count * features];
        rnd.nextBytes(pixels);
        byte[] labels = new byte[count];
        DeviceDataset dg = gpu.upload(pixels, labels, count, features);
        DeviceDataset dc = cpu.upload(pixels, labels, count, features);
        int[] order = permutation(rnd, count);
        IndexBuffer ig = gpu.allocateIndices(count);
        IndexBuffer ic = cpu.allocateIndices(count);
        gpu.upload(ig, order);
        cpu.upload(ic, order);
        for (int[] c : new int[][]{{7, 127}, {0, 300}, {299, 1}}) {
            Tensor xg = gpu.allocate(c[1] * features);
            Tensor xc = cpu.allocate(c[1] * features);
            gpu.gather(dg, ig, c[0], c[1], xg);
            cpu.gather(dc, ic, c[0], c[1], xc);
            assertArrayEquals(get(cpu, xc, c[1] * features), get(gpu, xg, c[1] * features),
                    "gather offset " + c[0] + " rows " + c[1]);
        }
    }

    @Test
    void secondDataSetIsAppendedWithoutDisturbingTheFirst() {
        Random rnd = new Random(3);
        byte[] p1 = new byte[50 * 20];
        byte[] p2 = new byte[70 * 20];
        rnd.nextBytes(p1);
        rnd.nextBytes(p2);
        DeviceDataset d1 = gpu.upload(p1, new byte[50], 50, 20);
        DeviceDataset d2 = gpu.upload(p2, new byte[70], 70, 20);
        IndexBuffer ix = gpu.allocateIndices(70);
        gpu.upload(ix, permutation(rnd, 70));
        Tensor x = gpu.allocate(70 * 20);
        for (DeviceDataset d : new DeviceDataset[]{d1, d2}) {
            byte[] src = d == d1 ? p1 : p2;
            int[] order = permutation(rnd, d.count());
            gpu.upload(ix, order);
            gpu.gather(d, ix, 0, d.count(), x);
            float[] got = get(gpu, x, d.count() * 20);
            for (int r = 0; r < d.count(); r++) {
                for (int j = 0; j < 20; j++) {
                    assertEquals((src[order[r] * 20 + j] & 0xFF) * (1f / 255f), got[r * 20 + j]);
                }
            }
        }
    }

    @ParameterizedTest(name = "rows={0} in={1} out={2} relu={3}")
    @CsvSource({"127, 785, 33, 1", "128, 784, 32, 1", "128, 32, 10, 0", "80, 784, 32, 1", "80, 32, 10, 0",
            "1, 5, 3, 1", "17, 16, 16, 0", "1024, 784, 32, 1"})
    void linearForwardMatchesCpu(int rows, int in, int out, int relu) {
        Random rnd = new Random(rows * 31L + in * 7L + out);
        Pair x = random(rnd, rows * in, 1f);
        Pair w = random(rnd, out * in, 0.1f);
        Pair b = random(rnd, out, 0.5f);
        Pair y = random(rnd, rows * out, 9f); // garbage to be overwritten
        gpu.linearForward(x.g, w.g, b.g, y.g, rows, in, out, relu != 0);
        cpu.linearForward(x.c, w.c, b.c, y.c, rows, in, out, relu != 0);
        assertClose("y", y, rows * out);
    }

    @ParameterizedTest(name = "rows={0} in={1} out={2} relu={3} dx={4}")
    @CsvSource({"127, 785, 33, 1, 1", "128, 784, 32, 1, 0", "128, 32, 10, 0, 1", "80, 784, 32, 1, 0",
            "80, 32, 10, 0, 1", "1, 5, 3, 1, 1", "33, 17, 19, 1, 1"})
    void linearBackwardMatchesCpu(int rows, int in, int out, int relu, int withDx) {
        Random rnd = new Random(rows * 131L + in * 17L + out);
        Pair x = random(rnd, rows * in, 1f);
        Pair w = random(rnd, out * in, 0.1f);
        Pair y = random(rnd, rows * out, 1f); // about half <= 0: the ReLU mask matters
        Pair dy = random(rnd, rows * out, 0.01f);
        Pair dx = withDx != 0 ? random(rnd, rows * in, 5f) : null;
        Pair dw = random(rnd, out * in, 5f);
        Pair db = random(rnd, out, 5f);
        gpu.linearBackward(x.g, w.g, y.g, dy.g, dx == null ? null : dx.g, dw.g, db.g, rows, in, out, relu != 0);
        cpu.linearBackward(x.c, w.c, y.c, dy.c, dx == null ? null : dx.c, dw.c, db.c, rows, in, out, relu != 0);
        assertClose("masked dy", dy, rows * out);
        assertClose("dw", dw, out * in);
        assertClose("db", db, out);
        if (dx != null) {
            assertClose("dx", dx, rows * in);
        }
    }

    @ParameterizedTest(name = "rows={0} classes={1} offset={2} grad={3}")
    @CsvSource({"127, 10, 5, 1", "128, 10, 0, 1", "80, 10, 48, 1", "1024, 10, 0, 0", "1000, 10, 24, 0",
            "3, 7, 1, 1"})
    void softmaxCrossEntropyMatchesCpu(int rows, int classes, int offset, int grad) {
        Random rnd = new Random(rows + 1000L * classes);
        int count = rows + offset + 3;
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) rnd.nextInt(classes);
        }
        byte[] pixels = new byte[count];
        DeviceDataset dg = gpu.upload(pixels, labels, count, 1);
        DeviceDataset dc = cpu.upload(pixels, labels, count, 1);
        int[] order = permutation(rnd, count);
        IndexBuffer ig = gpu.allocateIndices(count);
        IndexBuffer ic = cpu.allocateIndices(count);
        gpu.upload(ig, order);
        cpu.upload(ic, order);
        Pair z = random(rnd, rows * classes, 4f);
        Pair dz = grad != 0 ? random(rnd, rows * classes, 3f) : null;
        Pair m = pair(new float[]{12.5f, 3f});
        for (int pass = 0; pass < 2; pass++) { // twice: metrics accumulate
            gpu.softmaxCrossEntropy(z.g, dg, ig, offset, rows, classes, dz == null ? null : dz.g, m.g);
            cpu.softmaxCrossEntropy(z.c, dc, ic, offset, rows, classes, dz == null ? null : dz.c, m.c);
        }
        float[] mc = get(cpu, m.c, 2);
        float[] mg = get(gpu, m.g, 2);
        assertClose("loss sum", new float[]{mc[0]}, new float[]{mg[0]});
        assertEquals(mc[1], mg[1], "correct count");
        if (dz != null) {
            assertClose("dLogits", dz, rows * classes);
        }
    }

    @Test
    void sgdUpdateMatchesCpuAndStopsAtN() {
        Random rnd = new Random(9);
        Pair p = random(rnd, 25_088, 1f);
        Pair g = random(rnd, 25_088, 1f);
        gpu.sgdUpdate(p.g, g.g, 25_000, 0.5f);
        cpu.sgdUpdate(p.c, g.c, 25_000, 0.5f);
        assertClose("p", p, 25_088);
    }

    /**
     * The trainer's step on the tutorial's shapes, recorded and run as one execution: the gather is fused into the
     * first GEMM, the bias gradients into the weight-gradient GEMMs, the hidden layer's ReLU mask into the GEMM that
     * computes its gradient, the four updates into one pass. Every tensor must match the cpu backend's unfused step.
     */
    @Test
    void aTrainingStepRunsAsOneExecutionOfSevenFusedPassesAndMatchesCpu() {
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
        assertEquals(passes + 7 + 1, gpu.passes(), "7 passes for the step, 1 for the download");
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
    void updatesOfOverlappingTensorsAreNotMerged() {
        // p -= lr g twice on the same p: in one pass they would race; the second must see the first's result.
        Pair p = pair(new float[]{1, 2, 3, 4});
        Pair g = pair(new float[]{1, 1, 1, 1});
        gpu.sgdUpdate(p.g, g.g, 4, 0.5f);
        gpu.sgdUpdate(g.g, p.g, 4, 1f); // g -= p, reading the p just updated
        assertArrayEquals(new float[]{0.5f, 1.5f, 2.5f, 3.5f}, get(gpu, p.g, 4));
        assertArrayEquals(new float[]{0.5f, -0.5f, -1.5f, -2.5f}, get(gpu, g.g, 4));
    }

    @Test
    void everyOperationRanThroughOpenClOnTheChosenDevice() {
        // Run each operation once (other tests may run in any order).
        Random rnd = new Random(4);
        DeviceDataset d = gpu.upload(new byte[4 * 3], new byte[4], 4, 3);
        IndexBuffer ix = gpu.allocateIndices(4);
        gpu.upload(ix, new int[]{3, 2, 1, 0});
        Pair x = random(rnd, 12, 1f);
        Pair w = random(rnd, 6, 1f);
        Pair b = random(rnd, 2, 1f);
        Pair y = random(rnd, 8, 1f);
        Pair dy = random(rnd, 8, 1f);
        Pair dx = random(rnd, 12, 1f);
        Pair m = random(rnd, 2, 1f);
        gpu.gather(d, ix, 0, 4, x.g);
        get(gpu, x.g, 12); // runs the gather alone (followed by a GEMM, it would be fused into it)
        gpu.linearForward(x.g, w.g, b.g, y.g, 4, 3, 2, true);
        gpu.softmaxCrossEntropy(y.g, d, ix, 0, 4, 2, dy.g, m.g);
        gpu.linearBackward(x.g, w.g, y.g, dy.g, dx.g, w.g, b.g, 4, 3, 2, true);
        gpu.sgdUpdate(w.g, dx.g, 6, 0.1f);
        get(gpu, w.g, 6);
        for (int op = 0; op < MlpKernel.OP_COUNT; op++) {
            assertTrue(gpu.verified(op), "operation " + MlpKernel.opName(op) + " confirmed on OpenCL");
        }
        assertTrue(gpu.kernel().isRunningCL(), "Aparapi reports OpenCL execution");
        assertEquals(gpu.openClDevice(), gpu.kernel().getTargetDevice());
        assertTrue(gpu.kernel().getExecutionTime() >= 0);
        // And the Java-thread fallback is refused, not taken.
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> gpu.kernel().executeFallbackAlgorithm(null, 0));
        assertTrue(e.getMessage().contains("refuses"), e.getMessage());
    }

    @Test
    void dataStaysOnTheDeviceBetweenOperations() {
        // Explicit buffers: once uploaded, the device copy is the truth. Scribbling over the host arena must
        // change nothing on the device, and running kernels must not copy results back into the host arena.
        Tensor p = gpu.allocate(64);
        Tensor g = gpu.allocate(64);
        float[] ones = new float[64];
        java.util.Arrays.fill(ones, 1f);
        gpu.upload(p, ones);
        gpu.upload(g, ones);
        float[] host = gpu.kernel().mem;
        int off = ((AparapiBackend.AparapiTensor) p).offset();
        java.util.Arrays.fill(host, off, off + 64, 1000f);
        gpu.sgdUpdate(p, g, 64, 0.25f);
        gpu.sgdUpdate(p, g, 64, 0.25f);
        assertEquals(1000f, host[off], "no implicit device-to-host copy of the arena");
        float[] out = get(gpu, p, 64);
        for (float v : out) {
            assertEquals(0.5f, v, "device data kept, host scribble ignored");
        }
    }

    @Test
    void garbageCollectionDoesNotLoseDeviceData() {
        Tensor p = gpu.allocate(64);
        Tensor g = gpu.allocate(64);
        float[] ones = new float[64];
        java.util.Arrays.fill(ones, 1f);
        gpu.upload(p, ones);
        gpu.upload(g, ones);
        IndexBuffer ix = gpu.allocateIndices(3);
        gpu.upload(ix, new int[]{2, 0, 1});
        DeviceDataset d = gpu.upload(new byte[]{10, 20, 30}, new byte[3], 3, 1);
        gpu.sgdUpdate(p, g, 64, 0.25f);
        for (int i = 0; i < 3; i++) {
            System.gc();
            byte[][] junk = new byte[2000][];
            for (int j = 0; j < junk.length; j++) {
                junk[j] = new byte[1000];
            }
        }
        gpu.sgdUpdate(p, g, 64, 0.25f);
        assertEquals(0.5f, get(gpu, p, 1)[0]);
        Tensor x = gpu.allocate(3);
        gpu.gather(d, ix, 0, 3, x);
        assertArrayEquals(new float[]{30 * (1f / 255f), 10 * (1f / 255f), 20 * (1f / 255f)}, get(gpu, x, 3));
    }

    @Test
    void lostDeviceDataIsDetectedNotReturned() {
        // Replacing the arena array is what a moving GC looks like to Aparapi: the device buffer is re-created
        // from the Java array. The next download must fail loudly instead of returning stale values.
        try (AparapiBackend b = OpenClAssumptions.open()) {
            Tensor t = b.allocate(8);
            b.upload(t, new float[]{1, 2, 3, 4, 5, 6, 7, 8});
            b.kernel().mem = b.kernel().mem.clone();
            b.sgdUpdate(t, t, 8, 0f);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> get(b, t, 8));
            assertTrue(e.getMessage().contains("lost its device data"), e.getMessage());
        }
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
