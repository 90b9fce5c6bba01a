package io.mlp4j.backend.cpu;

/**
 * {@link DenseLayer} in plain loops: the path without {@code jdk.incubator.vector}. W^T is kept as one array per
 * input and each row is summed in an array of its own, so that the inner loop {@code acc[j] += x_i * w_i[j]} runs
 * over two arrays from index 0: that form C2 vectorises (with an offset into the output it did not, 10x slower).
 */
final class ScalarDenseLayer implements DenseLayer {

    private final int in;
    private final int out;
    private final float[][] wt;
    private final float[] bias;
    /** One row's sums, per thread: the kernels' only working space of their own, {@code out} floats. */
    private final ThreadLocal<float[]> rowSums;

    /** @param w the weights, [out, in] row-major (PyTorch's layout); @param b the biases, [out] */
    ScalarDenseLayer(float[] w, float[] b, int in, int out) {
        this.in = in;
        this.out = out;
        this.wt = new float[in][out];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                wt[i][o] = w[o * in + i];
            }
        }
        this.bias = b.clone();
        this.rowSums = ThreadLocal.withInitial(() -> new float[out]);
    }

    @Override
    public int in() {
        return in;
    }

    @Override
    public int out() {
        return out;
    }

    @Override
    public int stride() {
        return out;
    }

    @Override
    public void forward(float[] x, int xStride, float[] y, int r0, int r1, boolean relu, int[] skip, int skipAt) {
        float[] acc = rowSums.get();
        for (int r = r0; r < r1; r++) {
            int xo = r * xStride;
            System.arraycopy(bias, 0, acc, 0, out);
            for (int i = 0; i < in; i++) {
                float xi = x[xo + i];
                if (xi != 0f) {
                    float[] wi = wt[i];
                    for (int j = 0; j < out; j++) {
                        acc[j] += xi * wi[j];
                    }
                }
            }
            int yo = r * out;
            for (int j = 0; j < out; j++) {
                y[yo + j] = relu ? Math.max(acc[j], 0f) : acc[j];
            }
        }
    }
}
