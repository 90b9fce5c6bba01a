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

    /** {@code dy[i] = 0} where {@code y[i] <= 0}, for i in [from, to). */
    void reluMask(float[] y, float[] dy, int from, int to);

    /** {@code p[i] -= lr * g[i]} for i in [from, to). */
    void sgd(float[] p, float[] g, float lr, int from, int to);

    /** Short name for reports. */
    String description();
}
