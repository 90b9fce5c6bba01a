package io.mlp4j.backend.cpu;

/**
 * {@link DenseLayer} in plain loops: the path without {@code jdk.incubator.vector}. W^T is kept as one array per
 * input and each row is summed in an array of its own, so that the inner loop {@code acc[j] += x_i * w_i[j]} runs
 * over arrays from index 0: that form C2 vectorises (with an offset into the output it did not, 10x slower).
 * Four rows at a time share each load of a weight row.
 */
final class ScalarDenseLayer implements DenseLayer {

    private final int in;
    private final int out;
    private final float[][] wt;
    private final float[] bias;
    /** Four rows' sums, per thread: the kernels' only working space of their own, 4 x {@code out} floats. */
    private final ThreadLocal<float[][]> rowSums;

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
        this.rowSums = ThreadLocal.withInitial(() -> new float[4][out]);
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
    public boolean allFinite(float[] x) {
        // x * 0 is 0 for finite x and NaN otherwise; four sums so that the adds need not wait on each other
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int i = 0;
        for (; i <= x.length - 4; i += 4) {
            s0 += x[i] * 0f;
            s1 += x[i + 1] * 0f;
            s2 += x[i + 2] * 0f;
            s3 += x[i + 3] * 0f;
        }
        for (; i < x.length; i++) {
            s0 += x[i] * 0f;
        }
        return s0 + s1 + s2 + s3 == 0f;
    }

    @Override
    public void forward(float[] x, int xStride, float[] y, int r0, int r1, boolean relu, int[] skip, int skipAt) {
        float[][] acc = rowSums.get();
        int r = r0;
        for (; r <= r1 - 4; r += 4) { // four rows share each load of a weight row
            float[] a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
            for (float[] a : acc) {
                System.arraycopy(bias, 0, a, 0, out);
            }
            int x0 = r * xStride, x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
            for (int i = 0; i < in; i++) {
                float v0 = x[x0 + i], v1 = x[x1 + i], v2 = x[x2 + i], v3 = x[x3 + i];
                if (v0 != 0f || v1 != 0f || v2 != 0f || v3 != 0f) {
                    float[] wi = wt[i];
                    for (int j = 0; j < out; j++) {
                        float w = wi[j];
                        a0[j] += v0 * w;
                        a1[j] += v1 * w;
                        a2[j] += v2 * w;
                        a3[j] += v3 * w;
                    }
                }
            }
            for (int q = 0; q < 4; q++) {
                store(acc[q], y, (r + q) * out, relu);
            }
        }
        for (; r < r1; r++) {
            float[] a0 = acc[0];
            System.arraycopy(bias, 0, a0, 0, out);
            int xo = r * xStride;
            for (int i = 0; i < in; i++) {
                float xi = x[xo + i];
                if (xi != 0f) {
                    float[] wi = wt[i];
                    for (int j = 0; j < out; j++) {
                        a0[j] += xi * wi[j];
                    }
                }
            }
            store(a0, y, r * out, relu);
        }
    }

    private void store(float[] acc, float[] y, int at, boolean relu) {
        for (int j = 0; j < out; j++) {
            y[at + j] = relu ? Math.max(acc[j], 0f) : acc[j];
        }
    }
}
