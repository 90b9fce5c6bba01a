package io.mlp4j;

import io.mlp4j.spi.Settings;
import io.mlp4j.data.DataSet;
import io.mlp4j.training.Parameters;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every inference path against {@link ReferenceForward}: batch and single, threads, with and without the Vector API. */
class ClassifierInferenceTest {

    private static Classifier configured(Classifier c, boolean vector, int threads) {
        Settings s = Settings.of(Map.of("cpu.vector", Boolean.toString(vector), "threads", Integer.toString(threads)),
                Map.of(), new Properties());
        return new Classifier(c.network(), c.parameters(), c.labels(), s);
    }

    @Test
    void bundledModelAgreesWithTheReferenceOnAllOfMnistsTestSet() throws Exception {
        Classifier bundled = Classifier.pretrained();
        DataSet test = TestData.mnist().test();
        float[][] floats = new float[test.size()][];
        byte[][] bytes = new byte[test.size()][];
        int[] expected = new int[test.size()];
        Parameters p = bundled.parameters();
        for (int i = 0; i < test.size(); i++) {
            floats[i] = test.imageAsFloats(i);
            bytes[i] = test.image(i);
            expected[i] = ReferenceForward.predict(bundled.network(), p, floats[i]);
        }
        for (boolean vector : new boolean[] {true, false}) {
            for (int threads : new int[] {1, 2, 3}) {
                Classifier c = configured(bundled, vector, threads);
                String where = (vector ? "Vector API" : "plain loops") + ", " + threads + " threads";
                assertArrayEquals(expected, c.predict(floats), "predict(float[][]), " + where);
                assertArrayEquals(expected, c.predict(bytes), "predict(byte[][]), " + where);
                assertArrayEquals(expected, c.predict(test), "predict(DataSet), " + where);
            }
            Classifier c = configured(bundled, vector, 1);
            for (int i = 0; i < test.size(); i++) {
                assertEquals(expected[i], c.predict(floats[i]), "predict(float[]) of image " + i);
                assertEquals(expected[i], c.predict(bytes[i]), "predict(byte[]) of image " + i);
            }
        }
        Evaluation e = bundled.evaluate(test);
        int correct = 0;
        for (int i = 0; i < test.size(); i++) {
            correct += expected[i] == test.label(i) ? 1 : 0;
        }
        assertEquals((double) correct / test.size(), e.accuracy(), 0.0);
        assertTrue(e.accuracy() > 0.97, "bundled model accuracy " + e.accuracy());
    }

    @Test
    void oddShapesMatchTheReferenceAndBatchEqualsSingle() {
        Random random = new Random(7);
        int[][] shapes = {{784, 256, 10}, {785, 33, 7}, {784, 512, 512, 10}, {5, 3}, {100, 64, 16, 1}, {17, 70, 2}};
        int[] batches = {1, 5, 6, 7, 13, 255, 256, 257, 600};
        for (int[] sizes : shapes) {
            Network net = Network.of(sizes);
            Parameters params = net.initialParameters(random.nextLong());
            for (float[] q : params.tensors()) { // biases too, so that they are checked
                for (int i = 0; i < q.length; i++) {
                    q[i] += (float) random.nextGaussian() * 0.05f;
                }
            }
            for (boolean vector : new boolean[] {true, false}) {
                Classifier c = new Classifier(net, params, ModelLoader.defaultLabels(net.outputs()),
                        Settings.of(Map.of("cpu.vector", Boolean.toString(vector), "threads", "2"), Map.of(),
                                new Properties()));
                for (int rows : batches) {
                    float[][] x = new float[rows][net.inputs()];
                    for (float[] row : x) {
                        for (int i = 0; i < row.length; i++) { // sparse like digits: most inputs are zero
                            row[i] = random.nextInt(4) == 0 ? random.nextFloat() : 0f;
                        }
                    }
                    float[][] batch = c.probabilities(x);
                    for (int r = 0; r < rows; r++) {
                        float[] single = c.probabilities(x[r]);
                        assertArrayEquals(single, batch[r], "batch row " + r + " of " + rows + " vs single, "
                                + net + (vector ? ", Vector API" : ", plain loops"));
                        float[] ref = ReferenceForward.logits(net, params, x[r]);
                        float[] got = c.logits(x[r]);
                        for (int j = 0; j < ref.length; j++) {
                            assertEquals(ref[j], got[j], 1e-4f * Math.max(1f, Math.abs(ref[j])),
                                    "logit " + j + " of row " + r + ", " + net);
                        }
                    }
                }
            }
        }
    }

    @Test
    void badBatchesNameTheRow() {
        Classifier c = configured(trained(), true, 2);
        float[][] x = new float[40][784];
        x[23][5] = Float.NaN;
        x[31][6] = Float.POSITIVE_INFINITY;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.predict(x));
        assertEquals("input 23 contains NaN; expected finite values in [0, 1]", e.getMessage());
        float[][] shortRow = new float[3][784];
        shortRow[2] = new float[783];
        e = assertThrows(IllegalArgumentException.class, () -> c.predict(shortRow));
        assertTrue(e.getMessage().startsWith("input 2 has 783 values"), e.getMessage());
        byte[][] nullRow = new byte[2][];
        nullRow[0] = new byte[784];
        NullPointerException n = assertThrows(NullPointerException.class, () -> c.predict(nullRow));
        assertEquals("input 1 is null", n.getMessage());
        assertEquals(0, c.predict(new float[0][]).length);
    }

    @Test
    void singleImagesAllocateNothingAfterWarmUp() {
        Classifier c = configured(trained(), true, 2);
        DataSet data = TrainerTest.synthetic(64, 5);
        float[][] x = new float[data.size()][];
        byte[][] px = new byte[data.size()][];
        for (int i = 0; i < x.length; i++) {
            x[i] = data.imageAsFloats(i);
            px[i] = data.image(i);
        }
        // Until C2 has compiled the whole path, vectors are boxed: warm up in rounds and judge the steady state,
        // a round of 10,000 predictions that allocates (almost) nothing. Boxing or a per-call object would cost
        // at least 16 bytes per call, 160,000 per round, in every round.
        long id = Thread.currentThread().getId();
        long sum = 0;
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 60 && best > 2_000; round++) {
            long before = allocatedBytes(id);
            for (int i = 0; i < 5_000; i++) {
                sum += c.predict(x[i % x.length]) + c.predict(px[i % px.length]);
            }
            best = Math.min(best, allocatedBytes(id) - before);
        }
        assertTrue(sum >= 0);
        assertTrue(best <= 2_000, "10,000 single-image predictions allocated at best " + best + " bytes in a round");
    }

    /** HotSpot's per-thread allocation counter (com.sun.management, read reflectively: the module does not read it). */
    private static long allocatedBytes(long threadId) {
        try {
            Object mx = ManagementFactory.getThreadMXBean();
            return (long) Class.forName("com.sun.management.ThreadMXBean")
                    .getMethod("getThreadAllocatedBytes", long.class).invoke(mx, threadId);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("this JVM has no per-thread allocation counter", e);
        }
    }

    private static Classifier trained() {
        DataSet data = TrainerTest.synthetic(300, 3);
        try (Trainer t = Trainer.builder(Network.of(784, 40, 10)).backend("cpu").seed(4).build()) {
            t.fit(data, null, 1, 0.5);
            return t.classifier();
        }
    }

    @Test
    void threadsComeFromConfigurationAndWithThreads() {
        Classifier c = configured(trained(), true, 3);
        assertEquals("Vector API, 3 threads", c.engine());
        assertEquals("Vector API, 1 thread", c.withThreads(1).engine());
        assertThrows(IllegalArgumentException.class, () -> c.withThreads(0));
        assertEquals("plain loops, 2 threads", configured(c, false, 2).engine());
    }
}
