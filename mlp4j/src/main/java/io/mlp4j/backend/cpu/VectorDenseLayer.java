package io.mlp4j.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DenseLayer} on the Vector API with FMA. Only loaded when {@code jdk.incubator.vector} is resolved.
 *
 * <p>W^T is packed once into column panels: as many panels of four vectors as fit, then panels of one vector
 * (zero-padded), each a contiguous {@code [in, width]} slab that the kernels stream in order. A kernel keeps a
 * tile of outputs in registers, starting from the bias, and per input adds one broadcast input times one row of
 * the slab: six rows by four vectors is 24 accumulators, 4 loads and 6 broadcasts per 24 FMAs. Every output is
 * one chain of FMAs in input order, whatever kernel computes it, so batch and single-image results are identical.
 * No masks: C2 on JDK 17 runs masked loads through a boxed fallback.
 */
final class VectorDenseLayer implements DenseLayer {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final int WIDE = 4 * L;

    private final int in;
    private final int out;
    private final int stride;
    /** Columns covered by four-vector panels; the rest are one-vector panels. */
    private final int wideColumns;
    private final float[] packed;
    private final float[] bias;

    /** @param w the weights, [out, in] row-major (PyTorch's layout); @param b the biases, [out] */
    VectorDenseLayer(float[] w, float[] b, int in, int out) {
        this.in = in;
        this.out = out;
        this.stride = (out + L - 1) / L * L;
        this.wideColumns = out / WIDE * WIDE;
        this.packed = new float[stride * in];
        this.bias = new float[stride];
        System.arraycopy(b, 0, bias, 0, out);
        for (int col = 0; col < stride; ) {
            int width = col < wideColumns ? WIDE : L;
            int slab = col * in;
            for (int o = col; o < Math.min(out, col + width); o++) {
                for (int i = 0; i < in; i++) {
                    packed[slab + i * width + (o - col)] = w[o * in + i];
                }
            }
            col += width;
        }
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
        return stride;
    }

    @Override
    public boolean allFinite(float[] x) {
        // x * 0 + acc: stays 0 for finite x, becomes NaN for NaN or infinity; two chains to halve the latency
        FloatVector zero = FloatVector.zero(F);
        FloatVector a0 = zero;
        FloatVector a1 = zero;
        int i = 0;
        for (; i <= x.length - 2 * L; i += 2 * L) {
            a0 = FloatVector.fromArray(F, x, i).fma(zero, a0);
            a1 = FloatVector.fromArray(F, x, i + L).fma(zero, a1);
        }
        float s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < x.length; i++) {
            s += x[i] * 0f;
        }
        return s == 0f;
    }

    @Override
    public void forward(float[] x, int xStride, float[] y, int r0, int r1, boolean relu, int[] skip, int skipAt) {
        // Every tile's list of non-zero inputs first (region g: its count, then the list), then panel by panel
        // over all the tiles, so that each weight panel is read from memory once per call and then from cache.
        int tiles = (r1 - r0) / 6;
        for (int g = 0; g < tiles; g++) {
            int at = skipAt + g * (in + 1);
            skip[at] = nonZero6(x, (r0 + 6 * g) * xStride, xStride, skip, at + 1);
        }
        for (int col = 0; col < wideColumns; col += WIDE) {
            for (int g = 0; g < tiles; g++) {
                int at = skipAt + g * (in + 1);
                int r = r0 + 6 * g;
                rows6x4(x, r * xStride, xStride, skip, at + 1, skip[at], col * in, y, r * stride + col, col);
            }
        }
        for (int col = wideColumns; col < stride; col += L) {
            for (int g = 0; g < tiles; g++) {
                int at = skipAt + g * (in + 1);
                int r = r0 + 6 * g;
                rows6x1(x, r * xStride, xStride, skip, at + 1, skip[at], col * in, y, r * stride + col, col);
            }
        }
        if (relu) {
            VectorKernels.relu(y, r0 * stride, (r0 + 6 * tiles) * stride); // a pass of its own: no vector crosses calls
        }
        for (int r = r0 + 6 * tiles; r < r1; r++) {
            int x0 = r * xStride;
            int count = nonZero1(x, x0, skip, skipAt);
            int y0 = r * stride;
            for (int col = 0; col < wideColumns; col += WIDE) {
                row1x4(x, x0, skip, skipAt, count, col * in, y, y0 + col, col);
            }
            for (int col = wideColumns; col < stride; col += L) {
                row1x1(x, x0, skip, skipAt, count, col * in, y, y0 + col, col);
            }
            if (relu) {
                VectorKernels.relu(y, y0, y0 + stride);
            }
        }
    }

    /** The inputs that are not zero in at least one of six rows, into {@code skip}; returns how many. */
    private int nonZero6(float[] x, int x0, int xs, int[] skip, int at) {
        int count = at;
        for (int i = 0, o = x0; i < in; i++, o++) {
            int bits = Float.floatToRawIntBits(x[o]) | Float.floatToRawIntBits(x[o + xs])
                    | Float.floatToRawIntBits(x[o + 2 * xs]) | Float.floatToRawIntBits(x[o + 3 * xs])
                    | Float.floatToRawIntBits(x[o + 4 * xs]) | Float.floatToRawIntBits(x[o + 5 * xs]);
            skip[count] = i;
            count += (bits & 0x7fffffff) != 0 ? 1 : 0; // branch-free: -0 counts as zero
        }
        return count - at;
    }

    private int nonZero1(float[] x, int x0, int[] skip, int at) {
        int count = at;
        for (int i = 0; i < in; i++) {
            skip[count] = i;
            count += x[x0 + i] != 0f ? 1 : 0;
        }
        return count - at;
    }

    private void rows6x4(float[] x, int x0, int xs, int[] nz, int at, int count, int slab, float[] y, int y0,
                         int col) {
        FloatVector b0 = FloatVector.fromArray(F, bias, col), b1 = FloatVector.fromArray(F, bias, col + L);
        FloatVector b2 = FloatVector.fromArray(F, bias, col + 2 * L), b3 = FloatVector.fromArray(F, bias, col + 3 * L);
        FloatVector c00 = b0, c01 = b1, c02 = b2, c03 = b3, c10 = b0, c11 = b1, c12 = b2, c13 = b3;
        FloatVector c20 = b0, c21 = b1, c22 = b2, c23 = b3, c30 = b0, c31 = b1, c32 = b2, c33 = b3;
        FloatVector c40 = b0, c41 = b1, c42 = b2, c43 = b3, c50 = b0, c51 = b1, c52 = b2, c53 = b3;
        int x1 = x0 + xs, x2 = x1 + xs, x3 = x2 + xs, x4 = x3 + xs, x5 = x4 + xs;
        for (int t = at; t < at + count; t++) {
            int i = nz[t];
            int q = slab + i * WIDE;
            FloatVector w0 = FloatVector.fromArray(F, packed, q);
            FloatVector w1 = FloatVector.fromArray(F, packed, q + L);
            FloatVector w2 = FloatVector.fromArray(F, packed, q + 2 * L);
            FloatVector w3 = FloatVector.fromArray(F, packed, q + 3 * L);
            FloatVector s = FloatVector.broadcast(F, x[x0 + i]);
            c00 = w0.fma(s, c00); c01 = w1.fma(s, c01); c02 = w2.fma(s, c02); c03 = w3.fma(s, c03);
            s = FloatVector.broadcast(F, x[x1 + i]);
            c10 = w0.fma(s, c10); c11 = w1.fma(s, c11); c12 = w2.fma(s, c12); c13 = w3.fma(s, c13);
            s = FloatVector.broadcast(F, x[x2 + i]);
            c20 = w0.fma(s, c20); c21 = w1.fma(s, c21); c22 = w2.fma(s, c22); c23 = w3.fma(s, c23);
            s = FloatVector.broadcast(F, x[x3 + i]);
            c30 = w0.fma(s, c30); c31 = w1.fma(s, c31); c32 = w2.fma(s, c32); c33 = w3.fma(s, c33);
            s = FloatVector.broadcast(F, x[x4 + i]);
            c40 = w0.fma(s, c40); c41 = w1.fma(s, c41); c42 = w2.fma(s, c42); c43 = w3.fma(s, c43);
            s = FloatVector.broadcast(F, x[x5 + i]);
            c50 = w0.fma(s, c50); c51 = w1.fma(s, c51); c52 = w2.fma(s, c52); c53 = w3.fma(s, c53);
        }
        c00.intoArray(y, y0); c01.intoArray(y, y0 + L); c02.intoArray(y, y0 + 2 * L); c03.intoArray(y, y0 + 3 * L);
        c10.intoArray(y, y0 + stride); c11.intoArray(y, y0 + stride + L); c12.intoArray(y, y0 + stride + 2 * L); c13.intoArray(y, y0 + stride + 3 * L);
        c20.intoArray(y, y0 + 2 * stride); c21.intoArray(y, y0 + 2 * stride + L); c22.intoArray(y, y0 + 2 * stride + 2 * L); c23.intoArray(y, y0 + 2 * stride + 3 * L);
        c30.intoArray(y, y0 + 3 * stride); c31.intoArray(y, y0 + 3 * stride + L); c32.intoArray(y, y0 + 3 * stride + 2 * L); c33.intoArray(y, y0 + 3 * stride + 3 * L);
        c40.intoArray(y, y0 + 4 * stride); c41.intoArray(y, y0 + 4 * stride + L); c42.intoArray(y, y0 + 4 * stride + 2 * L); c43.intoArray(y, y0 + 4 * stride + 3 * L);
        c50.intoArray(y, y0 + 5 * stride); c51.intoArray(y, y0 + 5 * stride + L); c52.intoArray(y, y0 + 5 * stride + 2 * L); c53.intoArray(y, y0 + 5 * stride + 3 * L);
    }

    private void rows6x1(float[] x, int x0, int xs, int[] nz, int at, int count, int slab, float[] y, int y0,
                         int col) {
        FloatVector c0 = FloatVector.fromArray(F, bias, col), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        int x1 = x0 + xs, x2 = x1 + xs, x3 = x2 + xs, x4 = x3 + xs, x5 = x4 + xs;
        for (int t = at; t < at + count; t++) {
            int i = nz[t];
            FloatVector w = FloatVector.fromArray(F, packed, slab + i * L);
            c0 = w.fma(FloatVector.broadcast(F, x[x0 + i]), c0);
            c1 = w.fma(FloatVector.broadcast(F, x[x1 + i]), c1);
            c2 = w.fma(FloatVector.broadcast(F, x[x2 + i]), c2);
            c3 = w.fma(FloatVector.broadcast(F, x[x3 + i]), c3);
            c4 = w.fma(FloatVector.broadcast(F, x[x4 + i]), c4);
            c5 = w.fma(FloatVector.broadcast(F, x[x5 + i]), c5);
        }
        c0.intoArray(y, y0);
        c1.intoArray(y, y0 + stride);
        c2.intoArray(y, y0 + 2 * stride);
        c3.intoArray(y, y0 + 3 * stride);
        c4.intoArray(y, y0 + 4 * stride);
        c5.intoArray(y, y0 + 5 * stride);
    }

    private void row1x4(float[] x, int x0, int[] nz, int at, int count, int slab, float[] y, int y0, int col) {
        FloatVector c0 = FloatVector.fromArray(F, bias, col), c1 = FloatVector.fromArray(F, bias, col + L);
        FloatVector c2 = FloatVector.fromArray(F, bias, col + 2 * L), c3 = FloatVector.fromArray(F, bias, col + 3 * L);
        for (int t = at; t < at + count; t++) {
            int i = nz[t];
            int q = slab + i * WIDE;
            FloatVector s = FloatVector.broadcast(F, x[x0 + i]);
            c0 = FloatVector.fromArray(F, packed, q).fma(s, c0);
            c1 = FloatVector.fromArray(F, packed, q + L).fma(s, c1);
            c2 = FloatVector.fromArray(F, packed, q + 2 * L).fma(s, c2);
            c3 = FloatVector.fromArray(F, packed, q + 3 * L).fma(s, c3);
        }
        c0.intoArray(y, y0); c1.intoArray(y, y0 + L); c2.intoArray(y, y0 + 2 * L); c3.intoArray(y, y0 + 3 * L);
    }

    private void row1x1(float[] x, int x0, int[] nz, int at, int count, int slab, float[] y, int y0, int col) {
        FloatVector c = FloatVector.fromArray(F, bias, col);
        for (int t = at; t < at + count; t++) {
            int i = nz[t];
            c = FloatVector.fromArray(F, packed, slab + i * L).fma(FloatVector.broadcast(F, x[x0 + i]), c);
        }
        c.intoArray(y, y0);
    }
}
