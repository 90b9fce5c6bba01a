package io.mlp4j.onnx;

import io.mlp4j.data.DataSet;
import io.mlp4j.data.Mnist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The real MNIST, from MLP4J_DATA (CI: ../shared/mnist), loaded once per test JVM; missing in CI is a failure. */
final class TestData {

    private static Mnist mnist;

    private TestData() {
    }

    static synchronized Mnist mnist() {
        if (mnist == null) {
            String d = System.getProperty("mlp4j.data");
            if (d == null || d.isBlank() || d.contains("${")) {
                d = System.getenv("MLP4J_DATA");
            }
            Path dir = Path.of(d == null || d.isBlank() ? "../shared/mnist" : d);
            if (!Files.isDirectory(dir)) {
                if ("true".equals(System.getenv("CI"))) {
                    throw new IllegalStateException("MNIST not found at " + dir + " (set MLP4J_DATA)");
                }
                assumeTrue(false, "MNIST not found at " + dir + "; set MLP4J_DATA to run this test");
            }
            try {
                mnist = Mnist.load(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return mnist;
    }

    /** Images {@code [from, from + n)} of a data set as one row-major float batch, pixels / 255. */
    static float[] batch(DataSet data, int from, int n) {
        int f = data.features();
        float[] out = new float[n * f];
        for (int i = 0; i < n; i++) {
            System.arraycopy(data.imageAsFloats(from + i), 0, out, i * f, f);
        }
        return out;
    }
}
