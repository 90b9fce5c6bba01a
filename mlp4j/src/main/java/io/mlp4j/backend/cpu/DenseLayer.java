package io.mlp4j.backend.cpu;

/**
 * One trained layer, {@code y = x W^T + b} (then ReLU if asked), with its weights laid out once for inference.
 * Immutable: any number of threads may run it at once, each on its own rows and scratch.
 *
 * <p>Both implementations skip the inputs that are zero in every row of a group. Their products are exact zeros
 * (the weights are finite), so the result is the same as the dense sum; images of digits are mostly background
 * and hidden layers after ReLU are about half zeros, so this saves about half of the arithmetic.
 */
interface DenseLayer {

    /** Inputs per row. */
    int in();

    /** Outputs per row. */
    int out();

    /** Floats between the starts of two output rows: {@link #out()} rounded up to the kernels' width. */
    int stride();

    /** Whether every value is finite (inputs are checked with the same kernels' instruction set). */
    boolean allFinite(float[] x);

    /**
     * Output rows {@code [r0, r1)}: reads {@code x[r * xStride + i]} for i in [0, in()), writes
     * {@code y[r * stride() + j]} for j in [0, stride()) (the padding columns get zeros).
     * {@code skip[skipAt, skipAt + ((r1 - r0) / 6 + 1) * (in() + 1))} is working space that no other thread uses
     * meanwhile (a list of non-zero inputs and its length per 6-row tile).
     */
    void forward(float[] x, int xStride, float[] y, int r0, int r1, boolean relu, int[] skip, int skipAt);
}
