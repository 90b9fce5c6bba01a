package io.mlp4j.backend.cublas;

import io.mlp4j.Classifier;
import io.mlp4j.EpochRecord;
import io.mlp4j.Evaluation;
import io.mlp4j.Network;
import io.mlp4j.Trainer;
import io.mlp4j.backend.Backend;
import io.mlp4j.backend.BackendProvider;
import io.mlp4j.backend.DeviceDataset;
import io.mlp4j.backend.IndexBuffer;
import io.mlp4j.backend.Settings;
import io.mlp4j.backend.Tensor;
import io.mlp4j.backend.cpu.CpuBackend;
import io.mlp4j.data.DataSet;
import io.mlp4j.data.Mnist;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The cublas backend against the cpu reference, operation by operation, then whole training runs. Needs a CUDA
 * device: skipped with the probe's reason where there is none, unless {@code -Dmlp4j.requireCuda=true} (or
 * {@code MLP4J_REQUIRE_CUDA=true}), as on the GPU machine, where a missing device is a failure.
 *
 * <p>Tolerance: "1e-5 relative" means each element within 1e-5 of the reference tensor's largest magnitude
 * (GEMMs sum hundreds of products in another order; relative to each element, sums that cancel would fail).
 */
class CublasBackendTest {

    private static Backend gpu;
    private static CpuBackend cpu;

    static boolean requireCuda() {
        return "true".equals(System.getProperty("mlp4j.requireCuda"))
                || "true".equals(System.getenv("MLP4J_REQUIRE_CUDA"));
    }

    private static BackendProvider.Probe probe;

    @BeforeAll
    static void open() {
        probe = new CublasProvider().probe(Settings.of(Map.of(), Map.of(), new Properties()));
        if (!probe.available()) {
            System.out.println("cublas GPU tests skipped: " + probe.reason());
            return;
        }
        gpu = new CublasProvider().open(Settings.of(Map.of(), Map.of(), new Properties()));
        cpu = new CpuBackend(1, CpuBackend.vectorApiAvailable());
        System.out.println("cublas: " + gpu.device() + " vs " + cpu.device());
    }

    /** Skips each test (or fails it, when CUDA is required) without a CUDA device. */
    @BeforeEach
    void assumeCuda() {
        if (!probe.available() && requireCuda()) {
            fail("a CUDA device is required (mlp4j.requireCuda) but: " + probe.reason());
        }
        assumeTrue(probe.available(), "no CUDA device, cublas GPU test skipped: " + probe.reason());
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

    // ---------------------------------------------------------------- helpers

    private static float[] random(Random r, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
        return a;
    }

    private static Tensor put(Backend b, float[] v) {
        Tensor t = b.allocate(v.length);
        b.upload(t, v);
        return t;
    }

    private static float[] get(Backend b, Tensor t) {
        float[] v = new float[t.length()];
        b.download(t, v);
        return v;
    }

    static void assertClose(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        double limit = tol * Math.max(scale, 1e-6);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) expected[i] - actual[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        assertTrue(worst <= limit, String.format("%s: element %d is %s, expected %s (difference %.3g > %.3g)",
                what, at, at < 0 ? "?" : actual[at], at < 0 ? "?" : expected[at], worst, limit));
    }

    // ---------------------------------------------------------------- operations

    private static final int[][] SHAPES = {
        {128, 784, 32}, {128, 32, 10}, {512, 784, 512}, {512, 512, 512}, {512, 512, 10}, {37, 50, 13}, {1, 784, 10}};

    @Test
    void gatherMatchesExactly() {
        Random r = new Random(1);
        int count = 300;
        int features = 784;
        byte[] pixels = new byte[count * features];
        r.nextBytes(pixels);
        byte[] labels = new byte[count];
        int[] order = DataSet.permutation(count, r);
        float[] want = new float[100 * features];
        float[] got = new float[100 * features];
        DeviceDataset dc = cpu.upload(pixels, labels, count, features);
        DeviceDataset dg = gpu.upload(pixels, labels, count, features);
        IndexBuffer ic = cpu.allocateIndices(count);
        IndexBuffer ig = gpu.allocateIndices(count);
        cpu.upload(ic, order);
        gpu.upload(ig, order);
        Tensor xc = cpu.allocate(want.length);
        Tensor xg = gpu.allocate(got.length);
        cpu.gather(dc, ic, 150, 100, xc);
        gpu.gather(dg, ig, 150, 100, xg);
        cpu.download(xc, want);
        gpu.download(xg, got);
        assertClose(want, got, 0, "gather");
    }

    @Test
    void linearForwardMatches() {
        Random r = new Random(2);
        for (int[] s : SHAPES) {
            int rows = s[0], in = s[1], out = s[2];
            float[] x = random(r, rows * in, 1f);
            float[] w = random(r, out * in, (float) (1 / Math.sqrt(in)));
            float[] b = random(r, out, 0.1f);
            for (boolean relu : new boolean[] {false, true}) {
                float[] want = new float[rows * out];
                float[] got = new float[rows * out];
                Tensor yc = cpu.allocate(rows * out);
                Tensor yg = gpu.allocate(rows * out);
                cpu.linearForward(put(cpu, x), put(cpu, w), put(cpu, b), yc, rows, in, out, relu);
                gpu.linearForward(put(gpu, x), put(gpu, w), put(gpu, b), yg, rows, in, out, relu);
                cpu.download(yc, want);
                gpu.download(yg, got);
                assertClose(want, got, 1e-5, "forward " + rows + "x" + in + "x" + out + " relu=" + relu);
            }
        }
    }

    @Test
    void linearBackwardMatches() {
        Random r = new Random(3);
        for (int[] s : SHAPES) {
            int rows = s[0], in = s[1], out = s[2];
            float[] x = random(r, rows * in, 1f);
            float[] w = random(r, out * in, (float) (1 / Math.sqrt(in)));
            float[] y = random(r, rows * out, 1f);
            float[] dy = random(r, rows * out, 0.01f);
            for (boolean relu : new boolean[] {false, true}) {
                for (boolean withDx : new boolean[] {false, true}) {
                    String what = "backward " + rows + "x" + in + "x" + out + " relu=" + relu + " dx=" + withDx;
                    float[][] want = backward(cpu, x, w, y, dy, rows, in, out, relu, withDx);
                    float[][] got = backward(gpu, x, w, y, dy, rows, in, out, relu, withDx);
                    assertClose(want[0], got[0], 1e-5, what + ": masked dy");
                    assertClose(want[1], got[1], 1e-5, what + ": dw");
                    assertClose(want[2], got[2], 1e-5, what + ": db");
                    if (withDx) {
                        assertClose(want[3], got[3], 1e-5, what + ": dx");
                    }
                }
            }
        }
    }

    private static float[][] backward(Backend be, float[] x, float[] w, float[] y, float[] dy, int rows, int in,
                                      int out, boolean relu, boolean withDx) {
        Tensor tdy = put(be, dy);
        Tensor dx = withDx ? be.allocate(rows * in) : null;
        Tensor dw = put(be, random(new Random(9), out * in, 1f)); // overwritten, not accumulated
        Tensor db = put(be, random(new Random(8), out, 1f));
        be.linearBackward(put(be, x), put(be, w), put(be, y), tdy, dx, dw, db, rows, in, out, relu);
        return new float[][] {get(be, tdy), get(be, dw), get(be, db), withDx ? get(be, dx) : null};
    }

    @Test
    void softmaxCrossEntropyMatches() {
        Random r = new Random(4);
        int count = 1000;
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) r.nextInt(10);
        }
        byte[] pixels = new byte[count];
        int[] order = DataSet.permutation(count, r);
        for (int rows : new int[] {1, 128, 300, 512}) {
            float[] z = random(r, rows * 10, 3f);
            float[][] want = softmax(cpu, pixels, labels, order, z, rows);
            float[][] got = softmax(gpu, pixels, labels, order, z, rows);
            assertClose(want[0], got[0], 1e-5, "dLogits rows=" + rows);
            assertClose(want[1], got[1], 1e-5, "metrics with dLogits rows=" + rows);
            assertClose(want[2], got[2], 1e-5, "metrics without dLogits rows=" + rows);
        }
    }

    private static float[][] softmax(Backend be, byte[] pixels, byte[] labels, int[] order, float[] z, int rows) {
        DeviceDataset d = be.upload(pixels, labels, labels.length, 1);
        IndexBuffer idx = be.allocateIndices(order.length);
        be.upload(idx, order);
        Tensor logits = put(be, z);
        Tensor dz = be.allocate(z.length);
        Tensor metrics = put(be, new float[] {1.5f, 2f}); // adds to what is there
        be.softmaxCrossEntropy(logits, d, idx, 7, rows, 10, dz, metrics);
        float[] m1 = get(be, metrics);
        be.softmaxCrossEntropy(logits, d, idx, 7, rows, 10, null, metrics);
        float[] m2 = get(be, metrics);
        return new float[][] {get(be, dz), m1, m2};
    }

    @Test
    void sgdMatches() {
        Random r = new Random(5);
        float[] p = random(r, 100_003, 1f);
        float[] g = random(r, 100_003, 1f);
        Tensor pc = put(cpu, p);
        Tensor pg = put(gpu, p);
        cpu.sgdUpdate(pc, put(cpu, g), 100_000, 0.37f);
        gpu.sgdUpdate(pg, put(gpu, g), 100_000, 0.37f);
        float[] want = get(cpu, pc);
        float[] got = get(gpu, pg);
        assertClose(want, got, 1e-6, "sgd");
        assertEquals(p[100_001], got[100_001], "sgd must stop at n");
    }

    // ---------------------------------------------------------------- training

    private static Mnist mnist() {
        String d = System.getProperty("mlp4j.data");
        if (d == null || d.isBlank() || d.contains("${")) {
            d = System.getenv("MLP4J_DATA");
        }
        Path dir = Path.of(d == null || d.isBlank() ? "../../shared/mnist" : d);
        assumeTrue(Files.isDirectory(dir), "MNIST not found at " + dir + "; set MLP4J_DATA");
        try {
            return Mnist.load(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** 20 SGD steps on real digits, through the Trainer: same losses and same model within 1e-4. */
    @Test
    void twentyStepsAgreeWithTheCpuBackend() {
        Mnist mnist = mnist();
        DataSet train = mnist.train().head(20 * 128);
        DataSet probe = mnist.test().head(200);
        for (Network net : new Network[] {Network.of(784, 32, 10), Network.of(784, 512, 512, 10)}) {
            EpochRecord[] rec = new EpochRecord[2];
            Evaluation[] eval = new Evaluation[2];
            Classifier[] model = new Classifier[2];
            String[] backends = {"cpu", "cublas"};
            for (int k = 0; k < 2; k++) {
                try (Trainer t = Trainer.builder(net).backend(backends[k]).threads(1).seed(7).build()) {
                    rec[k] = t.fit(train, null, 1, net.layers() > 2 ? 0.1 : 0.5).get(0);
                    eval[k] = t.evaluate(probe);
                    model[k] = t.classifier();
                }
            }
            assertEquals(rec[0].trainLoss(), rec[1].trainLoss(), 1e-4 * Math.max(1, rec[0].trainLoss()),
                    net + ": mean training loss");
            assertEquals(eval[0].loss(), eval[1].loss(), 1e-4 * Math.max(1, eval[0].loss()), net + ": test loss");
            for (int i = 0; i < probe.size(); i++) {
                float[] a = model[0].probabilities(probe.imageAsFloats(i));
                float[] b = model[1].probabilities(probe.imageAsFloats(i));
                for (int c = 0; c < a.length; c++) {
                    assertEquals(a[c], b[c], 1e-4, net + ": probability " + c + " of image " + i);
                }
            }
        }
    }

    /** The tutorial's schedule on the GPU reaches the tutorial's accuracy, like the cpu backend. */
    @Test
    void tutorialScheduleOnTheGpu() {
        Mnist mnist = mnist();
        DataSet.Split split = mnist.train().split(50_000, 42);
        try (Trainer t = Trainer.builder(Network.of(784, 32, 10)).backend("cublas").seed(42).build()) {
            t.fit(split.first(), split.second(), 5, 0.5).forEach(e -> System.out.println(e.tutorialLine()));
            t.fit(split.first(), split.second(), 5, 0.1).forEach(e -> System.out.println(e.tutorialLine()));
            EpochRecord last = t.history().epochs().get(9);
            Evaluation test = t.evaluate(mnist.test());
            System.out.println(test.line("test") + "  [" + t.device() + "]");
            assertTrue(last.valAccuracy() >= 0.960, "validation accuracy " + last.valAccuracy());
            assertTrue(test.accuracy() >= 0.965, "test accuracy " + test.accuracy());
        }
    }
}
