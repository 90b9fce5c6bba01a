package io.mlp4j.backend.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on Java's Vector API with FMA. Only loaded when {@code jdk.incubator.vector} is resolved (see
 * {@link CpuBackend#vectorApiAvailable()}). Register blocking: 4 output rows at a time, so that each loaded vector
 * of the other operand feeds four FMAs. Large products go through {@link VectorPackedGemm}.
 */
final class VectorKernels implements CpuKernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Bytes loaded per step of {@link #gather}: as many as the float species has lanes. */
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128.length() == L
            ? ByteVector.SPECIES_128 : ByteVector.SPECIES_64.length() == L ? ByteVector.SPECIES_64
            : ByteVector.SPECIES_256;

    @Override
    public void gather(byte[] pixels, int features, int[] indices, int offset, float[] x, int m0, int m1) {
        // Bytes are signed in Java: flipping the top bit maps 0..255 to -128..127 exactly, which converts
        // straight to float; adding 128 back is exact, and the scaling is the same multiply as the scalar path.
        boolean vectorised = B.length() == L;
        for (int r = m0; r < m1; r++) {
            int src = indices[offset + r] * features;
            int dst = r * features;
            int j = 0;
            if (vectorised) {
                for (; j <= features - L; j += L) {
                    ((FloatVector) ByteVector.fromArray(B, pixels, src + j).lanewise(VectorOperators.XOR, (byte) 0x80)
                            .convertShape(VectorOperators.B2F, F, 0))
                            .add(128f).mul(ScalarKernels.INV_255).intoArray(x, dst + j);
                }
            }
            for (; j < features; j++) {
                x[dst + j] = (pixels[src + j] & 0xFF) * ScalarKernels.INV_255;
            }
        }
    }

    @Override
    public void gemmNT(float[] a, float[] b, float[] bias, float[] c, int m0, int m1, int n, int k, boolean relu) {
        // Columns outer, rows inner: each 4 rows of b are loaded from L2 once per chunk and then reused from L1 by
        // every 4 rows of a (a chunk's rows of a stay in L1), instead of streaming all of b per 4 rows of a.
        int rows4 = m0 + (m1 - m0) / 4 * 4;
        int j = 0;
        for (; j <= n - 4; j += 4) {
            for (int m = m0; m < rows4; m += 4) {
                dot4x4(a, b, bias, c, m, j, n, k);
            }
        }
        for (int m = m0; m < rows4; m++) {
            for (int jj = j; jj < n; jj++) {
                c[m * n + jj] = dot(a, m * k, b, jj * k, k) + bias[jj];
            }
        }
        for (int m = rows4; m < m1; m++) {
            for (int jj = 0; jj < n; jj++) {
                c[m * n + jj] = dot(a, m * k, b, jj * k, k) + bias[jj];
            }
        }
        if (relu) { // one vector pass: a scalar test per output would branch on the data and mispredict half the time
            relu(c, m0 * n, m1 * n);
        }
    }

    /**
     * ReLU over {@code x[from, to)}: values below zero become zero (-0 and NaN stay as they are). A compare and a
     * blend, not a masked store, which C2 on JDK 17 runs through boxed vectors.
     */
    static void relu(float[] x, int from, int to) {
        int i = from;
        for (; i <= to - L; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            v.blend(0f, v.compare(VectorOperators.LT, 0f)).intoArray(x, i);
        }
        for (; i < to; i++) {
            x[i] = x[i] < 0f ? 0f : x[i];
        }
    }

    private static float dot(float[] a, int ao, float[] b, int bo, int k) {
        FloatVector acc = FloatVector.zero(F);
        int p = 0;
        for (; p <= k - L; p += L) {
            acc = FloatVector.fromArray(F, a, ao + p).fma(FloatVector.fromArray(F, b, bo + p), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) {
            s += a[ao + p] * b[bo + p];
        }
        return s;
    }

    /** Rows m..m+3 of a against rows j..j+3 of b: sixteen accumulators, eight loads per sixteen FMAs. */
    private static void dot4x4(float[] a, float[] b, float[] bias, float[] c, int m, int j, int n, int k) {
        int a0 = m * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        int b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int p = 0;
        for (; p <= k - L; p += L) {
            FloatVector w0 = FloatVector.fromArray(F, b, b0 + p);
            FloatVector w1 = FloatVector.fromArray(F, b, b1 + p);
            FloatVector w2 = FloatVector.fromArray(F, b, b2 + p);
            FloatVector w3 = FloatVector.fromArray(F, b, b3 + p);
            FloatVector x = FloatVector.fromArray(F, a, a0 + p);
            c00 = x.fma(w0, c00); c01 = x.fma(w1, c01); c02 = x.fma(w2, c02); c03 = x.fma(w3, c03);
            x = FloatVector.fromArray(F, a, a1 + p);
            c10 = x.fma(w0, c10); c11 = x.fma(w1, c11); c12 = x.fma(w2, c12); c13 = x.fma(w3, c13);
            x = FloatVector.fromArray(F, a, a2 + p);
            c20 = x.fma(w0, c20); c21 = x.fma(w1, c21); c22 = x.fma(w2, c22); c23 = x.fma(w3, c23);
            x = FloatVector.fromArray(F, a, a3 + p);
            c30 = x.fma(w0, c30); c31 = x.fma(w1, c31); c32 = x.fma(w2, c32); c33 = x.fma(w3, c33);
        }
        if (p < k) { // tail: masked loads read zeros past k
            VectorMask<Float> t = F.indexInRange(p, k);
            FloatVector w0 = FloatVector.fromArray(F, b, b0 + p, t);
            FloatVector w1 = FloatVector.fromArray(F, b, b1 + p, t);
            FloatVector w2 = FloatVector.fromArray(F, b, b2 + p, t);
            FloatVector w3 = FloatVector.fromArray(F, b, b3 + p, t);
            FloatVector x = FloatVector.fromArray(F, a, a0 + p, t);
            c00 = x.fma(w0, c00); c01 = x.fma(w1, c01); c02 = x.fma(w2, c02); c03 = x.fma(w3, c03);
            x = FloatVector.fromArray(F, a, a1 + p, t);
            c10 = x.fma(w0, c10); c11 = x.fma(w1, c11); c12 = x.fma(w2, c12); c13 = x.fma(w3, c13);
            x = FloatVector.fromArray(F, a, a2 + p, t);
            c20 = x.fma(w0, c20); c21 = x.fma(w1, c21); c22 = x.fma(w2, c22); c23 = x.fma(w3, c23);
            x = FloatVector.fromArray(F, a, a3 + p, t);
            c30 = x.fma(w0, c30); c31 = x.fma(w1, c31); c32 = x.fma(w2, c32); c33 = x.fma(w3, c33);
        }
        store4(c, m * n + j, c00, c01, c02, c03, bias, j);
        store4(c, (m + 1) * n + j, c10, c11, c12, c13, bias, j);
        store4(c, (m + 2) * n + j, c20, c21, c22, c23, bias, j);
        store4(c, (m + 3) * n + j, c30, c31, c32, c33, bias, j);
    }

    private static void store4(float[] c, int at, FloatVector s0, FloatVector s1, FloatVector s2, FloatVector s3,
                               float[] bias, int j) {
        c[at] = s0.reduceLanes(VectorOperators.ADD) + bias[j];
        c[at + 1] = s1.reduceLanes(VectorOperators.ADD) + bias[j + 1];
        c[at + 2] = s2.reduceLanes(VectorOperators.ADD) + bias[j + 2];
        c[at + 3] = s3.reduceLanes(VectorOperators.ADD) + bias[j + 3];
    }

    @Override
    public void gemmAxpy(float[] a, int sm, int sk, float[] b, float[] c, int m0, int m1, int n, int k) {
        int m = m0;
        for (; m <= m1 - 4; m += 4) {
            int j = 0;
            for (; j <= n - 4 * L; j += 4 * L) {
                axpy4x4(a, sm, sk, b, c, m, j, n, k);
            }
            for (; j <= n - 2 * L; j += 2 * L) {
                axpy4x2(a, sm, sk, b, c, m, j, n, k);
            }
            for (; j <= n - L; j += L) { // unmasked: C2 on JDK 17 runs masked loads slower (784 = 49 vectors)
                axpy4x1(a, sm, sk, b, c, m, j, n, k);
            }
            for (; j < n; j += L) {
                VectorMask<Float> t = F.indexInRange(j, n);
                for (int i = 0; i < 4; i++) {
                    axpyRow(a, sm, sk, b, c, m + i, j, n, k, t);
                }
            }
        }
        for (; m < m1; m++) {
            for (int j = 0; j < n; j += L) {
                axpyRow(a, sm, sk, b, c, m, j, n, k, F.indexInRange(j, n));
            }
        }
    }

    /** c[m..m+3, j..j+4L) over all k: sixteen accumulators, four loads and four broadcasts per sixteen FMAs. */
    private static void axpy4x4(float[] a, int sm, int sk, float[] b, float[] c, int m, int j, int n, int k) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int a0 = m * sm, a1 = a0 + sm, a2 = a1 + sm, a3 = a2 + sm;
        for (int p = 0; p < k; p++) {
            int bo = p * n + j;
            int ao = p * sk;
            FloatVector w0 = FloatVector.fromArray(F, b, bo);
            FloatVector w1 = FloatVector.fromArray(F, b, bo + L);
            FloatVector w2 = FloatVector.fromArray(F, b, bo + 2 * L);
            FloatVector w3 = FloatVector.fromArray(F, b, bo + 3 * L);
            FloatVector s = FloatVector.broadcast(F, a[a0 + ao]);
            c00 = w0.fma(s, c00); c01 = w1.fma(s, c01); c02 = w2.fma(s, c02); c03 = w3.fma(s, c03);
            s = FloatVector.broadcast(F, a[a1 + ao]);
            c10 = w0.fma(s, c10); c11 = w1.fma(s, c11); c12 = w2.fma(s, c12); c13 = w3.fma(s, c13);
            s = FloatVector.broadcast(F, a[a2 + ao]);
            c20 = w0.fma(s, c20); c21 = w1.fma(s, c21); c22 = w2.fma(s, c22); c23 = w3.fma(s, c23);
            s = FloatVector.broadcast(F, a[a3 + ao]);
            c30 = w0.fma(s, c30); c31 = w1.fma(s, c31); c32 = w2.fma(s, c32); c33 = w3.fma(s, c33);
        }
        int co = m * n + j;
        c00.intoArray(c, co); c01.intoArray(c, co + L); c02.intoArray(c, co + 2 * L); c03.intoArray(c, co + 3 * L);
        co += n;
        c10.intoArray(c, co); c11.intoArray(c, co + L); c12.intoArray(c, co + 2 * L); c13.intoArray(c, co + 3 * L);
        co += n;
        c20.intoArray(c, co); c21.intoArray(c, co + L); c22.intoArray(c, co + 2 * L); c23.intoArray(c, co + 3 * L);
        co += n;
        c30.intoArray(c, co); c31.intoArray(c, co + L); c32.intoArray(c, co + 2 * L); c33.intoArray(c, co + 3 * L);
    }

    /** c[m..m+3, j..j+2L) over all k: eight accumulators, two loads and four broadcasts per eight FMAs. */
    private static void axpy4x2(float[] a, int sm, int sk, float[] b, float[] c, int m, int j, int n, int k) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        int a0 = m * sm, a1 = a0 + sm, a2 = a1 + sm, a3 = a2 + sm;
        for (int p = 0; p < k; p++) {
            int bo = p * n + j;
            int ao = p * sk;
            FloatVector w0 = FloatVector.fromArray(F, b, bo);
            FloatVector w1 = FloatVector.fromArray(F, b, bo + L);
            FloatVector s = FloatVector.broadcast(F, a[a0 + ao]);
            c00 = w0.fma(s, c00); c01 = w1.fma(s, c01);
            s = FloatVector.broadcast(F, a[a1 + ao]);
            c10 = w0.fma(s, c10); c11 = w1.fma(s, c11);
            s = FloatVector.broadcast(F, a[a2 + ao]);
            c20 = w0.fma(s, c20); c21 = w1.fma(s, c21);
            s = FloatVector.broadcast(F, a[a3 + ao]);
            c30 = w0.fma(s, c30); c31 = w1.fma(s, c31);
        }
        int co = m * n + j;
        c00.intoArray(c, co); c01.intoArray(c, co + L);
        c10.intoArray(c, co + n); c11.intoArray(c, co + n + L);
        c20.intoArray(c, co + 2 * n); c21.intoArray(c, co + 2 * n + L);
        c30.intoArray(c, co + 3 * n); c31.intoArray(c, co + 3 * n + L);
    }

    /** c[m..m+3, j..j+L) over all k: four accumulators, one load and four broadcasts per four FMAs. */
    private static void axpy4x1(float[] a, int sm, int sk, float[] b, float[] c, int m, int j, int n, int k) {
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        int a0 = m * sm, a1 = a0 + sm, a2 = a1 + sm, a3 = a2 + sm;
        for (int p = 0; p < k; p++) {
            FloatVector w = FloatVector.fromArray(F, b, p * n + j);
            int ao = p * sk;
            c0 = w.fma(FloatVector.broadcast(F, a[a0 + ao]), c0);
            c1 = w.fma(FloatVector.broadcast(F, a[a1 + ao]), c1);
            c2 = w.fma(FloatVector.broadcast(F, a[a2 + ao]), c2);
            c3 = w.fma(FloatVector.broadcast(F, a[a3 + ao]), c3);
        }
        int co = m * n + j;
        c0.intoArray(c, co);
        c1.intoArray(c, co + n);
        c2.intoArray(c, co + 2 * n);
        c3.intoArray(c, co + 3 * n);
    }

    private static void axpyRow(float[] a, int sm, int sk, float[] b, float[] c, int m, int j, int n, int k,
                                VectorMask<Float> t) {
        FloatVector acc = FloatVector.zero(F);
        int ao = m * sm;
        for (int p = 0; p < k; p++) {
            acc = FloatVector.fromArray(F, b, p * n + j, t).fma(FloatVector.broadcast(F, a[ao + p * sk]), acc);
        }
        acc.intoArray(c, m * n + j, t);
    }

    @Override
    public int panelWidth() {
        return VectorPackedGemm.panelWidth();
    }

    @Override
    public int packedLength(int n, int k, int rows) {
        return VectorPackedGemm.packedLength(n, k, rows);
    }

    @Override
    public void packB(float[] b, int sp, int sn, int n, int k, float[] packed, int panel0, int panel1) {
        VectorPackedGemm.packB(b, sp, sn, n, k, packed, panel0, panel1);
    }

    @Override
    public void gemmPacked(float[] a, int sm, int sk, float[] packed, float[] bias, float[] c, int m0, int m1,
                           int n, int k, boolean relu) {
        VectorPackedGemm.gemmPacked(a, sm, sk, packed, bias, c, m0, m1, n, k, relu);
    }

    @Override
    public void reluMask(float[] y, float[] dy, int from, int to) {
        // A blend, not a masked store: C2 on JDK 17 runs masked stores through a boxed fallback, while compare +
        // blend compile to vector instructions.
        int i = from;
        FloatVector zero = FloatVector.zero(F);
        for (; i <= to - L; i += L) {
            VectorMask<Float> dead = FloatVector.fromArray(F, y, i).compare(VectorOperators.LE, 0f);
            FloatVector.fromArray(F, dy, i).blend(zero, dead).intoArray(dy, i);
        }
        for (; i < to; i++) {
            if (y[i] <= 0f) {
                dy[i] = 0f;
            }
        }
    }

    @Override
    public void sgd(float[] p, float[] g, float lr, int from, int to) {
        int i = from;
        FloatVector neg = FloatVector.broadcast(F, -lr);
        for (; i <= to - L; i += L) {
            FloatVector.fromArray(F, g, i).fma(neg, FloatVector.fromArray(F, p, i)).intoArray(p, i);
        }
        for (; i < to; i++) {
            p[i] -= lr * g[i];
        }
    }

    @Override
    public String description() {
        return "Vector API, " + F.vectorBitSize() + "-bit";
    }
}
