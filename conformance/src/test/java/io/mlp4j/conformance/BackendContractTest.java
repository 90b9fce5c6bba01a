package io.mlp4j.conformance;

import io.mlp4j.Classifier;
import io.mlp4j.EpochRecord;
import io.mlp4j.Evaluation;
import io.mlp4j.Network;
import io.mlp4j.SelfCheck;
import io.mlp4j.Trainer;
import io.mlp4j.data.DataSet;
import io.mlp4j.data.Mnist;
import io.mlp4j.testsupport.TestMnist;
import io.mlp4j.spi.Backend;
import io.mlp4j.spi.BackendProvider;
import io.mlp4j.spi.DeviceDataset;
import io.mlp4j.spi.IndexBuffer;
import io.mlp4j.spi.OperationCheck;
import io.mlp4j.spi.OperationCheck.Shape;
import io.mlp4j.spi.Settings;
import io.mlp4j.spi.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every installed backend provider against the one scalar reference, {@link OperationCheck}: each element within
 * the float rounding bound of its computation, {@code 2 (k + 2) u m} (see its Javadoc), which any correct kernel
 * meets in any summation order. Then what the reference does not cover: fresh buffers, exact gathers, metrics that
 * accumulate, updates that stop at n, and training through the public API that agrees with the cpu backend.
 *
 * <p>A provider whose device is absent is skipped with its probe's reason, unless it is required here:
 * {@code -Dmlp4j.requireOpenCL=true} (CI, with PoCL) for aparapi, {@code -Dmlp4j.requireCuda=true} for cublas.
 */
class BackendContractTest {

    /** Settings from no environment and no system property: the tests choose every value. */
    private static final Settings SETTINGS = Settings.of(Map.of(), Map.of(), new Properties());

    /** The tutorial's two layers, odd sizes, one sample, tiny and large layers. */
    private static final List<Shape> SHAPES = List.of(new Shape(128, 784, 32), new Shape(128, 32, 10),
            new Shape(127, 785, 33), new Shape(1, 784, 10), new Shape(1, 5, 3), new Shape(17, 16, 16),
            new Shape(37, 50, 13), new Shape(1024, 784, 32), new Shape(1000, 512, 512));

    /** Each provider's backend, opened once for the operation checks. */
    private static final Map<String, Backend> OPEN = new HashMap<>();

    static List<BackendProvider> providers() {
        List<BackendProvider> all = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(all::add);
        all.sort(Comparator.comparing(BackendProvider::name));
        return all;
    }

    static Stream<Arguments> providerShapes() {
        return providers().stream().flatMap(p -> SHAPES.stream().map(s -> Arguments.of(p.name(), s)));
    }

    static Stream<String> providerNames() {
        return providers().stream().map(BackendProvider::name);
    }

    static Stream<String> acceleratorNames() {
        return providerNames().filter(n -> !n.equals("cpu"));
    }

    /** The provider's probe; skips the test (or fails it, where the device is required) when it cannot run. */
    private static BackendProvider.Probe probe(String name) {
        BackendProvider p = providers().stream().filter(q -> q.name().equals(name)).findFirst().orElseThrow();
        BackendProvider.Probe probe = p.probe(SETTINGS);
        if (!probe.available()) {
            String flag = name.equals("aparapi") ? "mlp4j.requireOpenCL" : name.equals("cublas") ? "mlp4j.requireCuda"
                    : null;
            if (flag != null && Boolean.parseBoolean(System.getProperty(flag, "false").trim())) {
                fail(name + " is required here (" + flag + "=true) but unavailable: " + probe.reason());
            }
            assumeTrue(false, name + " skipped: " + probe.reason());
        }
        return probe;
    }

    private static synchronized Backend backend(String name) {
        Backend b = OPEN.get(name);
        if (b == null) {
            b = probe(name).opener().get();
            OPEN.put(name, b);
        }
        return b;
    }

    @AfterAll
    static void closeAll() {
        OPEN.values().forEach(Backend::close);
        OPEN.clear();
    }

    @Test
    void everyBackendOfTheProjectIsInstalledAsAService() {
        assertEquals(List.of("aparapi", "cpu", "cublas"), providerNames().toList());
        for (BackendProvider p : providers()) {
            assertTrue(p.getClass().getModule().isNamed(), p.name() + " is found in its module: "
                    + p.getClass().getModule());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("providerShapes")
    void operationsMatchTheScalarReference(String name, Shape shape) {
        Backend b = backend(name);
        List<String> failed = new ArrayList<>();
        for (OperationCheck.Result r : new OperationCheck(b, shape.rows() * 31L + shape.in()).run(shape, r -> { })) {
            if (!r.passed()) {
                failed.add(r.line());
            }
        }
        assertTrue(failed.isEmpty(), name + " on " + b.device() + ":\n" + String.join("\n", failed));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providerNames")
    void freshBuffersAreZeroAndUploadsRoundTrip(String name) {
        Backend b = backend(name);
        Tensor t = b.allocate(1000);
        assertArrayEquals(new float[1000], get(b, t), "fresh tensors are zero");
        float[] v = new float[1000];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 0.25f - 7;
        }
        b.upload(t, v);
        assertArrayEquals(v, get(b, t));
        float[] head = new float[10];
        b.download(t, head);
        assertEquals(-7f, head[0], "a shorter download reads the start");
    }

    /** Exactly {@code (pixel & 0xFF) * (1f / 255f)}, at any offset, and a second data set leaves the first intact. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("providerNames")
    void gatherIsExactAndDataSetsStayApart(String name) {
        Backend b = backend(name);
        Random rnd = new Random(2);
        int features = 785;
        byte[][] pixels = {new byte[300 * features], new byte[70 * features]};
        DeviceDataset[] sets = new DeviceDataset[2];
        for (int k = 0; k < 2; k++) {
            rnd.nextBytes(pixels[k]);
            sets[k] = b.upload(pixels[k], new byte[pixels[k].length / features], pixels[k].length / features, features);
        }
        for (int k = 0; k < 2; k++) {
            int count = sets[k].count();
            int[] order = DataSet.permutation(count, rnd);
            IndexBuffer idx = b.allocateIndices(count);
            b.upload(idx, order);
            for (int[] c : new int[][] {{7, 27}, {0, count}, {count - 1, 1}}) {
                Tensor x = b.allocate(c[1] * features);
                b.gather(sets[k], idx, c[0], c[1], x);
                float[] got = get(b, x);
                for (int r = 0; r < c[1]; r++) {
                    for (int j = 0; j < features; j++) {
                        float want = (pixels[k][order[c[0] + r] * features + j] & 0xFF) * (1f / 255f);
                        if (got[r * features + j] != want) {
                            fail(name + ": data set " + k + ", offset " + c[0] + ", row " + r + ", feature " + j + ": "
                                    + got[r * features + j] + " instead of " + want);
                        }
                    }
                }
            }
        }
    }

    /** The metrics are added to, twice over; the gradient is optional. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("providerNames")
    void softmaxCrossEntropyAddsToTheMetrics(String name) {
        Backend b = backend(name);
        Random rnd = new Random(3);
        int rows = 127;
        int classes = 10;
        byte[] labels = new byte[rows + 8];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (byte) rnd.nextInt(classes);
        }
        DeviceDataset d = b.upload(new byte[labels.length], labels, labels.length, 1);
        IndexBuffer idx = b.allocateIndices(labels.length);
        b.upload(idx, DataSet.permutation(labels.length, rnd));
        float[] z = new float[rows * classes];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) rnd.nextGaussian() * 3;
        }
        Tensor logits = put(b, z);
        Tensor fromZero = put(b, new float[2]);
        b.softmaxCrossEntropy(logits, d, idx, 5, rows, classes, b.allocate(z.length), fromZero);
        float[] once = get(b, fromZero);
        Tensor added = put(b, new float[] {12.5f, 3f});
        b.softmaxCrossEntropy(logits, d, idx, 5, rows, classes, null, added);
        b.softmaxCrossEntropy(logits, d, idx, 5, rows, classes, null, added);
        float[] twice = get(b, added);
        assertEquals(12.5 + 2.0 * once[0], twice[0], 1e-5 * (12.5 + 2 * once[0]), name + ": loss sum");
        assertEquals(3 + 2 * once[1], twice[1], name + ": correct count");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providerNames")
    void sgdLeavesEverythingPastNAlone(String name) {
        Backend b = backend(name);
        float[] p = new float[25_088];
        float[] g = new float[p.length];
        Random rnd = new Random(9);
        for (int i = 0; i < p.length; i++) {
            p[i] = rnd.nextFloat();
            g[i] = rnd.nextFloat();
        }
        Tensor tp = put(b, p);
        b.sgdUpdate(tp, put(b, g), 25_000, 0.5f);
        float[] got = get(b, tp);
        for (int i = 25_000; i < p.length; i++) {
            assertEquals(p[i], got[i], name + ": element " + i + " is past n");
        }
    }

    /** The public self-check (what {@code mlp4j selfcheck} runs) passes every installed backend. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("providerNames")
    void selfCheckPasses(String name) {
        probe(name);
        List<String> lines = new ArrayList<>();
        SelfCheck.Outcome o = SelfCheck.run(name, Map.of(), true, lines::add);
        assertTrue(o.passed(), o.summary() + "\n" + String.join("\n", lines));
    }

    /**
     * 20 SGD steps on real digits through the Trainer, against the cpu backend (plain loops, one thread): the same
     * losses and the same predicted probabilities within 1e-4.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("acceleratorNames")
    void twentyStepsAgreeWithTheCpuBackend(String name) {
        probe(name);
        Mnist mnist = mnist();
        DataSet.Split split = mnist.train().head(20 * 128 + 1000).split(20 * 128, 7);
        DataSet images = mnist.test().head(200);
        for (Network net : new Network[] {Network.of(784, 32, 10), Network.of(784, 512, 512, 10)}) {
            String[] backends = {"cpu", name};
            EpochRecord[] rec = new EpochRecord[2];
            Evaluation[] eval = new Evaluation[2];
            Classifier[] model = new Classifier[2];
            for (int k = 0; k < 2; k++) {
                try (Trainer t = Trainer.builder(net).backend(backends[k]).threads(1).option(Settings.CPU_VECTOR, "false")
                        .seed(42).batchSize(128).build()) {
                    assertEquals(backends[k], t.backendName());
                    rec[k] = t.fit(split.first(), split.second(), 1, net.layers() > 2 ? 0.1 : 0.5).get(0);
                    eval[k] = t.evaluate(images);
                    model[k] = t.classifier();
                }
            }
            assertEquals(rec[0].trainLoss(), rec[1].trainLoss(), 1e-4 * rec[0].trainLoss(), net + ": training loss");
            assertEquals(rec[0].valLoss(), rec[1].valLoss(), 1e-4 * rec[0].valLoss(), net + ": validation loss");
            assertEquals(eval[0].loss(), eval[1].loss(), 1e-4 * eval[0].loss(), net + ": test loss");
            for (int i = 0; i < images.size(); i++) {
                assertArrayEquals(model[0].probabilities(images.imageAsFloats(i)),
                        model[1].probabilities(images.imageAsFloats(i)), 1e-4f, net + ": probabilities of image " + i);
            }
        }
    }

    /** The tutorial's whole schedule (5 epochs at 0.5, 5 at 0.1, 50,000 / 10,000, batch 128) reaches its accuracy. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("acceleratorNames")
    void tutorialScheduleReachesTheTutorialsAccuracy(String name) {
        probe(name);
        Mnist mnist = mnist();
        DataSet.Split split = mnist.train().split(50_000, 42);
        try (Trainer t = Trainer.builder(Network.of(784, 32, 10)).backend(name).seed(42).build()) {
            t.fit(split.first(), split.second(), 5, 0.5);
            t.fit(split.first(), split.second(), 5, 0.1);
            EpochRecord last = t.history().epochs().get(9);
            Evaluation test = t.evaluate(mnist.test());
            System.out.println(name + ": " + last.tutorialLine() + "; " + test.line("test") + "  [" + t.device() + "]");
            assertTrue(last.valAccuracy() >= 0.960, "validation accuracy " + last.valAccuracy());
            assertTrue(test.accuracy() >= 0.965, "test accuracy " + test.accuracy());
        }
    }

    // ---------------------------------------------------------------- helpers

    /** The real MNIST (see {@link TestMnist}). */
    private static Mnist mnist() {
        return TestMnist.mnist();
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
}
