package io.mlp4j.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.mlp4j.Classifier;
import io.mlp4j.data.DataSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ONNX files written by {@code torch.onnx.export} (made by src/test/python/make_fixtures.py) load, predict on all
 * 10,000 MNIST test images exactly what PyTorch predicted, and agree with ONNX Runtime running the same file.
 */
class PyTorchFixtureTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // fixture, network, what the graph ends in, input shape after N
            "tutorial,   784-32-10,    logits,       1x28x28",   // view(x.size(0), -1): Shape/Gather/Concat/Reshape, Gemm
            "two-hidden, 784-32-16-10, softmax,      784",       // MatMul + Add, Softmax
            "flatten,    784-24-10,    logsoftmax,   1x28x28",   // nn.Flatten, Gemm, LogSoftmax
    })
    void loadsAndMatchesPyTorchAndOnnxRuntime(String name, String network, String ending, String inputShape)
            throws Exception {
        Path file = fixture(name);
        Classifier model = Classifier.load(file);
        assertEquals(network, model.network().toString());
        assertTrue(Classifier.metadata(file).get("onnx_producer").startsWith("pytorch"));

        Properties expected = new Properties();
        try (InputStream in = getClass().getResourceAsStream("pytorch/fixtures.properties")) {
            expected.load(in);
        }
        String predictions = expected.getProperty(name + ".predictions");
        DataSet test = TestData.mnist().test();
        assertEquals(test.size(), predictions.length());
        int correct = 0;
        for (int i = 0; i < test.size(); i++) {
            int p = model.predict(test.imageAsFloats(i));
            assertEquals(predictions.charAt(i) - '0', p, "image " + i + ": PyTorch predicted otherwise");
            correct += p == test.label(i) ? 1 : 0;
        }
        assertEquals(Integer.parseInt(expected.getProperty(name + ".correct")), correct, "test accuracy x 10,000");
        System.out.printf("%s: test accuracy %.4f, as in PyTorch%n", name, correct / (double) test.size());

        compareWithOnnxRuntime(model, file, ending, inputShape, test);
    }

    /** ONNX Runtime's output of the PyTorch file against ours: logits, probabilities or log-probabilities. */
    private static void compareWithOnnxRuntime(Classifier model, Path file, String ending, String inputShape,
                                               DataSet test) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] shape = inputShape.equals("784") ? new long[] {0, 784} : new long[] {0, 1, 28, 28};
        try (OrtSession session = env.createSession(file.toString())) {
            for (int from = 0; from < test.size(); from += 2000) {
                shape[0] = 2000;
                try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(TestData.batch(test, from, 2000)),
                        shape); OrtSession.Result r = session.run(Map.of("input", t))) {
                    float[][] out = (float[][]) r.get(0).getValue();
                    for (int i = 0; i < out.length; i++) {
                        float[] x = test.imageAsFloats(from + i);
                        float[] ours = ending.equals("logits") ? model.logits(x) : model.probabilities(x);
                        for (int k = 0; k < ours.length; k++) {
                            float theirs = ending.equals("logsoftmax") ? (float) Math.exp(out[i][k]) : out[i][k];
                            assertEquals(ours[k], theirs, OnnxRuntimeTest.TOLERANCE * Math.max(1f, Math.abs(ours[k])),
                                    file.getFileName() + " image " + (from + i) + " class " + k);
                        }
                    }
                }
            }
        }
    }

    private Path fixture(String name) throws Exception {
        Path file = dir.resolve(name + ".onnx");
        try (InputStream in = getClass().getResourceAsStream("pytorch/" + name + ".onnx")) {
            Files.copy(in, file);
        }
        return file;
    }
}
