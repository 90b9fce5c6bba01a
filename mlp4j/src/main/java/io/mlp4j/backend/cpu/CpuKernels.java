package io.mlp4j.backend.cpu;

/**
 * The CPU backend's arithmetic, over plain float arrays (row-major). Two implementations give the same results
 * within float tolerance: {@link VectorKernels} (Java's Vector API, FMA) and {@link ScalarKernels} (plain loops
 * that C2 may auto-vectorise). Every method works on the output rows {@code [m0, m1)} so that the caller can split
 * the work across threads; each output element is computed by exactly one thread in a fixed order, which keeps
 * results independent of the thread count.
 */
interface CpuKernels {

    /** {@code x[r, :] = pixels[indices[offset + r], :] / 255} for rows r in [m0, m1). */
    void gather(byte[] pixels, int features, int[] indices, int offset, float[] x, int m0, int m1);

    /** {@code c[m, n] = sum_k a[m, k] * b[n, k] + bias[n]}, then ReLU if asked; a is [*, k], b is [n, k]. */
    void gemmNT(float[] a, float[] b, float[] bias, float[] c, int m0, int m1, int n, int k, boolean relu);

    /**
     * {@code c[m, :] = sum_k A(m, k) * b[k, :]} where {@code A(m, k) = a[m * sm + k * sk]}: with
     * {@code (sm, sk) = (k, 1)} this is {@code a b}, with {@code (1, M)} it is {@code a^T b}.
     */
    void gemmAxpy(float[] a, int sm, int sk, float[] b, float[] c, int m0, int m1, int n, int k);

    /**
     * Columns per panel of {@link #packB}'s layout; {@link #packB} packs whole panels, so callers split its work
     * by panels.
     */
    int panelWidth();

    /** Floats that {@link #packB} and {@link #gemmPacked} need for a {@code [k, n]} operand and rows of output. */
    int packedLength(int n, int k, int rows);

    /**
     * Copies {@code B(p, j) = b[p * sp + j * sn]} for p in [0, k) and the columns of panels [panel0, panel1) into
     * {@code packed}, in the order that {@link #gemmPacked} reads it. With {@code (sp, sn) = (n, 1)} B is
     * {@code b}; with {@code (1, k)} it is {@code b^T}.
     */
    void packB(float[] b, int sp, int sn, int n, int k, float[] packed, int panel0, int panel1);

    /**
     * {@code c[m, j] = sum_k A(m, k) * B(k, j) (+ bias[j], then ReLU if asked)} for rows m in [m0, m1), where
     * {@code A(m, k) = a[m * sm + k * sk]} and B is {@link #packB packed}; {@code bias} may be null.
     */
    void gemmPacked(float[] a, int sm, int sk, float[] packed, float[] bias, float[] c, int m0, int m1, int n,
                    int k, boolean relu);

    /** {@code sums[j] = sum over rows r of g[r, j]} for j < n, in row order: the bias gradient. */
    default void columnSums(float[] g, int rows, int n, float[] sums) {
        java.util.Arrays.fill(sums, 0, n, 0f);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                sums[j] += g[r * n + j];
            }
        }
    }

    /**
     * Softmax + cross-entropy over rows [r0, r1) of logits {@code z[rows, classes]} against
     * {@code labels[indices[offset + r]]}: unless {@code dz} is null, writes {@code (softmax - onehot) / rows} into
     * it; stores the number of correct arg-max predictions in {@code correct[slot]}.
     *
     * @return the summed loss of the rows
     */
    default double softmaxCrossEntropy(float[] z, byte[] labels, int[] indices, int offset, int r0, int r1,
                                       int rows, int classes, float[] dz, int[] correct, int slot) {
        float invRows = 1f / rows;
        double lossSum = 0;
        int right = 0;
        for (int r = r0; r < r1; r++) {
            int o = r * classes;
            int label = labels[indices[offset + r]] & 0xFF;
            int best = 0;
            float max = z[o];
            for (int c = 1; c < classes; c++) {
                if (z[o + c] > max) {
                    max = z[o + c];
                    best = c;
                }
            }
            // exp once per logit; the gradient buffer (or, in evaluation, nothing) holds them meanwhile
            float sum = 0f;
            for (int c = 0; c < classes; c++) {
                float e = (float) Math.exp(z[o + c] - max);
                sum += e;
                if (dz != null) {
                    dz[o + c] = e;
                }
            }
            lossSum += Math.log(sum) - (z[o + label] - max);
            if (best == label) {
                right++;
            }
            if (dz != null) {
                float scale = invRows / sum;
                for (int c = 0; c < classes; c++) {
                    dz[o + c] = dz[o + c] * scale - (c == label ? invRows : 0f);
                }
            }
        }
        correct[slot] = right;
        return lossSum;
    }

    /** {@code dy[i] = 0} where {@code y[i] <= 0}, for i in [from, to). */
    void reluMask(float[] y, float[] dy, int from, int to);

    /** {@code p[i] -= lr * g[i]} for i in [from, to). */
    void sgd(float[] p, float[] g, float lr, int from, int to);

    /** Short name for reports. */
    String description();
}
