package io.mlp4j.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.mlp4j.Classifier;
import io.mlp4j.Network;
import io.mlp4j.Trainer;
import io.mlp4j.data.DataSet;
import io.mlp4j.data.Mnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Models exported by mlp4j give ONNX Runtime's results what mlp4j computes, on all 10,000 MNIST test images. */
class OnnxRuntimeTest {

    /**
     * 1e-5, relative to the logit's size where that is above 1: the bundled model's logits reach ~25, where one
     * float32 step is 2e-6 and a different summation order (ONNX Runtime's blocked GEMM) moves a 1,040-term sum
     * by a few steps.
     */
    static final float TOLERANCE = 1e-5f;
    private static final int BATCH = 1000;

    @TempDir
    Path dir;

    @Test
    void bundledModelRunsInOnnxRuntimeWithTheSameLogits() throws Exception {
        Classifier model = Classifier.pretrained();
        Path file = dir.resolve("bundled.onnx");
        model.save(file);
        compareWithOnnxRuntime(model, file);
    }

    @Test
    void freshlyTrainedModelRunsInOnnxRuntimeWithTheSameLogits() throws Exception {
        Mnist mnist = TestData.mnist();
        Classifier model;
        try (Trainer t = Trainer.builder(Network.of(784, 48, 24, 10)).seed(11).backend("cpu").build()) {
            DataSet train = mnist.train().head(20_000);
            t.fit(train, mnist.test().head(1000), 1, 0.5);
            model = t.classifier();
        }
        Path file = dir.resolve("fresh.onnx");
        model.save(file, Map.of("seed", "11", "trained_on", "MNIST (20,000 images)"));
        compareWithOnnxRuntime(model, file);
        try (OrtSession s = OrtEnvironment.getEnvironment().createSession(file.toString())) {
            assertEquals("mlp4j", s.getMetadata().getProducerName());
            assertEquals("11", s.getMetadata().getCustomMetadataValue("seed").orElseThrow());
            assertEquals("784-48-24-10", s.getMetadata().getCustomMetadataValue("network").orElseThrow());
        }
    }

    @Test
    void anExportedModelLoadsBackWithTheSameParametersAndMetadata() throws Exception {
        Classifier model = Classifier.pretrained();
        Path file = dir.resolve("m.onnx");
        model.save(file, Map.of("note", "round trip"));
        Classifier back = Classifier.load(file);
        assertEquals(model.network(), back.network());
        assertEquals(model.labels(), back.labels());
        DataSet test = TestData.mnist().test();
        for (int i = 0; i < 100; i++) {
            assertArrayEquals(model.logits(test.imageAsFloats(i)), back.logits(test.imageAsFloats(i)));
        }
        Map<String, String> meta = Classifier.metadata(file);
        assertEquals("round trip", meta.get("note"));
        assertTrue(meta.get("onnx_producer").startsWith("mlp4j "), meta.toString());
    }

    /** Same logits within {@link #TOLERANCE}, same probabilities, same argmax, on every test image. */
    static void compareWithOnnxRuntime(Classifier model, Path file) throws OrtException {
        DataSet test = TestData.mnist().test();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int classes = model.network().outputs();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(file.toString(), options)) {
                NodeInfo input = session.getInputInfo().get("input");
                long[] shape = ((TensorInfo) input.getInfo()).getShape();
                assertArrayEquals(new long[] {-1, 784}, shape, "input [N, 784] with a dynamic batch");
                float worst = 0;
                float worstRelative = 0;
                for (int from = 0; from < test.size(); from += BATCH) {
                    int n = Math.min(BATCH, test.size() - from);
                    float[] x = TestData.batch(test, from, n);
                    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {n, 784});
                         OrtSession.Result r = session.run(Map.of("input", t))) {
                        float[][] logits = (float[][]) r.get("logits").orElseThrow().getValue();
                        float[][] probabilities = (float[][]) r.get("probabilities").orElseThrow().getValue();
                        for (int i = 0; i < n; i++) {
                            float[] ours = model.logits(test.imageAsFloats(from + i));
                            float[] p = model.probabilities(test.imageAsFloats(from + i));
                            assertEquals(classes, logits[i].length);
                            for (int k = 0; k < classes; k++) {
                                float diff = Math.abs(ours[k] - logits[i][k]);
                                worst = Math.max(worst, diff);
                                worstRelative = Math.max(worstRelative, diff / Math.max(1f, Math.abs(ours[k])));
                                assertEquals(ours[k], logits[i][k], TOLERANCE * Math.max(1f, Math.abs(ours[k])),
                                        "image " + (from + i) + " class " + k);
                                assertEquals(p[k], probabilities[i][k], TOLERANCE, "image " + (from + i));
                            }
                            assertEquals(argMax(ours), argMax(logits[i]), "image " + (from + i));
                        }
                    }
                }
                System.out.printf("%s: largest logit difference to ONNX Runtime over %d images: %.3g"
                        + " (relative: %.3g)%n", file.getFileName(), test.size(), worst, worstRelative);
            }
        }
    }

    static int argMax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
