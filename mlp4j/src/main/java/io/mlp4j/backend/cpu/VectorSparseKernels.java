package io.mlp4j.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorKernels}' kernels for a layer whose input is mostly zeros (gathered pixels): the forward product
 * and the weight gradient, each skipping zero inputs and equal bit for bit to the dense kernel it replaces (see
 * {@link CpuKernels#gemmNTSparse} and {@link CpuKernels#weightGradientSparse}).
 *
 * <p>No vector is assigned on one branch only, or carried through an iteration that skips: C2 on JDK 17 boxes a
 * vector merged from two paths (a Phi), and a kernel written that way runs several times slower than the dense
 * one. Loops therefore walk lists of non-zero inputs, or the next non-zero row, with one path through the body.
 */
final class VectorSparseKernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();

    private VectorSparseKernels() {
    }

    static boolean sparseForward(int k, int n) {
        return k % L == 0 && n % (2 * L) == 0;
    }

    static int sparseIndexPerTile(int k) {
        return k + L + 1;
    }

    /**
     * Tiles of 4 rows by 2 vectors of outputs (8 accumulators in registers) over the inputs that are non-zero in
     * some row of the tile. gemmNT's order: lane class l (inputs l, l + L, ...) is one chain per output, the
     * classes are summed in lane order from zero (as reduceLanes does), then the bias. gemmPacked's order: one
     * chain from the bias, then ReLU by max.
     */
    static void gemmNTSparse(float[] a, float[] bt, float[] bias, float[] c, int[] index, int m0, int m1, int n,
                             int k, boolean relu, boolean packedOrder) {
        int segments = packedOrder ? 1 : L;
        for (int m = m0; m < m1; m += 4) {
            int rows = Math.min(4, m1 - m);
            int at = m / 4 * sparseIndexPerTile(k); // chunks start at multiples of 4 rows: a tile is one thread's
            listInputs(a, k, m, rows, index, at, segments);
            for (int j = 0; j < n; j += 2 * L) {
                tile4x2(a, k, m, rows, bt, n, j, bias, c, index, at, segments, relu, packedOrder);
            }
        }
    }

    /**
     * index[at + s] (s <= segments) = where segment s starts in index, then the inputs p < k with a non-zero in
     * some row m..m+rows-1, by lane class (p % segments) and ascending within it. Branch-free: the bits of the
     * rows' values are or-ed, the sign dropped (-0 is a zero), and the position advances when any bit is left.
     */
    private static void listInputs(float[] a, int k, int m, int rows, int[] index, int at, int segments) {
        int r1 = (m + Math.min(1, rows - 1)) * k, r2 = (m + Math.min(2, rows - 1)) * k;
        int r3 = (m + Math.min(3, rows - 1)) * k, r0 = m * k;
        int to = at + segments + 1;
        for (int s = 0; s < segments; s++) {
            index[at + s] = to;
            for (int p = s; p < k; p += segments) {
                int bits = Float.floatToRawIntBits(a[r0 + p]) | Float.floatToRawIntBits(a[r1 + p])
                        | Float.floatToRawIntBits(a[r2 + p]) | Float.floatToRawIntBits(a[r3 + p]);
                index[to] = p;
                to += (bits << 1) != 0 ? 1 : 0;
            }
        }
        index[at + segments] = to;
    }

    /** Rows m..m+rows-1 (a missing row repeats the last one, not stored), outputs j..j+2L. */
    private static void tile4x2(float[] a, int k, int m, int rows, float[] bt, int n, int j, float[] bias, float[] c,
                                int[] index, int at, int segments, boolean relu, boolean packedOrder) {
        int r0 = m * k, r1 = (m + Math.min(1, rows - 1)) * k;
        int r2 = (m + Math.min(2, rows - 1)) * k, r3 = (m + Math.min(3, rows - 1)) * k;
        // The bias starts the chains (packed order) or is added after the lane sums (gemmNT's): scaled by 1 or 0
        // rather than chosen, since a vector chosen between two values is boxed. A chain that starts from -0
        // instead of +0 has the same value (x + -0 = x), and the sums start from +0.
        float first = packedOrder ? 1f : 0f;
        FloatVector b0 = FloatVector.fromArray(F, bias, j).mul(first);
        FloatVector b1 = FloatVector.fromArray(F, bias, j + L).mul(first);
        FloatVector d0 = FloatVector.fromArray(F, bias, j).mul(1f - first);
        FloatVector d1 = FloatVector.fromArray(F, bias, j + L).mul(1f - first);
        FloatVector zero = FloatVector.zero(F);
        FloatVector v00 = zero, v01 = zero, v10 = zero, v11 = zero, v20 = zero, v21 = zero, v30 = zero, v31 = zero;
        for (int s = 0; s < segments; s++) {
            FloatVector c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1, c30 = b0, c31 = b1;
            for (int q = index[at + s], end = index[at + s + 1]; q < end; q++) {
                int p = index[q];
                FloatVector w0 = FloatVector.fromArray(F, bt, p * n + j);
                FloatVector w1 = FloatVector.fromArray(F, bt, p * n + j + L);
                FloatVector x = FloatVector.broadcast(F, a[r0 + p]);
                c00 = x.fma(w0, c00); c01 = x.fma(w1, c01);
                x = FloatVector.broadcast(F, a[r1 + p]);
                c10 = x.fma(w0, c10); c11 = x.fma(w1, c11);
                x = FloatVector.broadcast(F, a[r2 + p]);
                c20 = x.fma(w0, c20); c21 = x.fma(w1, c21);
                x = FloatVector.broadcast(F, a[r3 + p]);
                c30 = x.fma(w0, c30); c31 = x.fma(w1, c31);
            }
            v00 = v00.add(c00); v01 = v01.add(c01); v10 = v10.add(c10); v11 = v11.add(c11);
            v20 = v20.add(c20); v21 = v21.add(c21); v30 = v30.add(c30); v31 = v31.add(c31);
        }
        int co = m * n + j;
        store(v00.add(d0), v01.add(d1), c, co, relu, packedOrder);
        if (rows > 1) {
            store(v10.add(d0), v11.add(d1), c, co + n, relu, packedOrder);
        }
        if (rows > 2) {
            store(v20.add(d0), v21.add(d1), c, co + 2 * n, relu, packedOrder);
        }
        if (rows > 3) {
            store(v30.add(d0), v31.add(d1), c, co + 3 * n, relu, packedOrder);
        }
    }

    private static void store(FloatVector v0, FloatVector v1, float[] c, int at, boolean relu, boolean packedOrder) {
        v0.intoArray(c, at);
        v1.intoArray(c, at + L);
        if (relu) { // as each dense path does it: gemmPacked by max, gemmNT by "s < 0 ? 0 : s"
            for (int i = at; i < at + 2 * L; i++) {
                c[i] = packedOrder ? Math.max(c[i], 0f) : c[i] < 0f ? 0f : c[i];
            }
        }
    }

    static void weightGradientSparse(float[] dy, float[] x, float[] dwt, int rows, int in, int out, int i0, int i1) {
        int i = i0;
        for (; i <= i1 - 4; i += 4) {
            int o = 0;
            for (; o <= out - 2 * L; o += 2 * L) {
                gradient4x2(dy, x, dwt, rows, in, out, i, o);
            }
            for (; o <= out - L; o += L) {
                gradient4x1(dy, x, dwt, rows, in, out, i, o);
            }
            for (; o < out; o++) { // at most L - 1 columns: one scalar chain each, FMAs as the vector lanes do
                for (int t = 0; t < 4; t++) {
                    dwt[(i + t) * out + o] = gradientChain(dy, x, rows, in, out, i + t, o);
                }
            }
        }
        for (; i < i1; i++) {
            for (int o = 0; o < out; o++) {
                dwt[i * out + o] = gradientChain(dy, x, rows, in, out, i, o);
            }
        }
    }

    /**
     * dwt[i..i+3, o..o+2L) over all rows: eight accumulators; a row whose four inputs are all zero is skipped (on
     * MNIST-like inputs about 70% of them). fma(g, x, acc) is the same operation as gemmAxpy's fma(x, g, acc).
     */
    private static void gradient4x2(float[] dy, float[] x, float[] dwt, int rows, int in, int out, int i, int o) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int p = nextRow(x, in, i, 0, rows); p < rows; p = nextRow(x, in, i, p + 1, rows)) {
            int xo = p * in + i, go = p * out + o;
            float x0 = x[xo], x1 = x[xo + 1], x2 = x[xo + 2], x3 = x[xo + 3];
            FloatVector g0 = FloatVector.fromArray(F, dy, go);
            FloatVector g1 = FloatVector.fromArray(F, dy, go + L);
            FloatVector s = FloatVector.broadcast(F, x0);
            c00 = g0.fma(s, c00); c01 = g1.fma(s, c01);
            s = FloatVector.broadcast(F, x1);
            c10 = g0.fma(s, c10); c11 = g1.fma(s, c11);
            s = FloatVector.broadcast(F, x2);
            c20 = g0.fma(s, c20); c21 = g1.fma(s, c21);
            s = FloatVector.broadcast(F, x3);
            c30 = g0.fma(s, c30); c31 = g1.fma(s, c31);
        }
        int at = i * out + o;
        c00.intoArray(dwt, at); c01.intoArray(dwt, at + L);
        c10.intoArray(dwt, at + out); c11.intoArray(dwt, at + out + L);
        c20.intoArray(dwt, at + 2 * out); c21.intoArray(dwt, at + 2 * out + L);
        c30.intoArray(dwt, at + 3 * out); c31.intoArray(dwt, at + 3 * out + L);
    }

    /** {@link #gradient4x2} for one vector of columns. */
    private static void gradient4x1(float[] dy, float[] x, float[] dwt, int rows, int in, int out, int i, int o) {
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        for (int p = nextRow(x, in, i, 0, rows); p < rows; p = nextRow(x, in, i, p + 1, rows)) {
            int xo = p * in + i, go = p * out + o;
            float x0 = x[xo], x1 = x[xo + 1], x2 = x[xo + 2], x3 = x[xo + 3];
            FloatVector g = FloatVector.fromArray(F, dy, go);
            c0 = g.fma(FloatVector.broadcast(F, x0), c0);
            c1 = g.fma(FloatVector.broadcast(F, x1), c1);
            c2 = g.fma(FloatVector.broadcast(F, x2), c2);
            c3 = g.fma(FloatVector.broadcast(F, x3), c3);
        }
        int at = i * out + o;
        c0.intoArray(dwt, at);
        c1.intoArray(dwt, at + out);
        c2.intoArray(dwt, at + 2 * out);
        c3.intoArray(dwt, at + 3 * out);
    }

    /**
     * The first row from p on whose inputs i..i+3 are not all zero, or rows. A loop over these rows has one path
     * through its body, so that C2 keeps its vector accumulators in registers.
     */
    private static int nextRow(float[] x, int in, int i, int p, int rows) {
        for (int xo = p * in + i; p < rows; p++, xo += in) {
            if (x[xo] != 0f || x[xo + 1] != 0f || x[xo + 2] != 0f || x[xo + 3] != 0f) {
                return p;
            }
        }
        return rows;
    }

    private static float gradientChain(float[] dy, float[] x, int rows, int in, int out, int i, int o) {
        float acc = 0f;
        for (int p = 0; p < rows; p++) {
            float s = x[p * in + i];
            if (s != 0f) {
                acc = Math.fma(dy[p * out + o], s, acc);
            }
        }
        return acc;
    }
}
