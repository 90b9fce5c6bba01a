package io.mlp4j.onnx;

import io.mlp4j.data.DataSet;
import io.mlp4j.data.Mnist;
import io.mlp4j.testsupport.TestMnist;

/** The real MNIST, from MLP4J_DATA (CI: ../shared/mnist), loaded once per test JVM; missing in CI is a failure. */
final class TestData {

    private TestData() {
    }

    /** The real MNIST (see {@link TestMnist}). */
    static Mnist mnist() {
        return TestMnist.mnist();
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
