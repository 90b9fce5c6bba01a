package io.mlp4j.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The packed, cache-blocked GEMM of {@link VectorKernels} for large shapes (see {@link CpuKernels#packB} and
 * {@link CpuKernels#gemmPacked} for the contract).
 */
final class VectorPackedGemm {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();

    private VectorPackedGemm() {
    }

    // B is copied once per call into panels of NR = 4 vectors of columns, cut along the depth into blocks of KC:
    // block (k0, panel) is a contiguous [kc, NR] slab, so the micro-kernel streams it linearly (no strided rows,
    // no cache-set conflicts, few TLB pages) and a slab stays in cache while every row of the caller's chunk uses
    // it. The micro-kernel keeps MR x 4 vectors of C in registers and, per step of depth, loads 4 vectors of B and
    // broadcasts MR scalars of A. Each element of C is one chain of FMAs in depth order (starting from its bias or
    // zero, carried through C between depth blocks), whatever its row's position in a block: results do not
    // depend on how rows are split into chunks.

    private static final int NR = 4 * L;

    /** Depth of one packed slab: a slab of NR columns stays in L1 while the rows of a chunk use it. */
    private static final int KC = 256;

    /**
     * Depth rows of a slab written together when packing W^T: 64 rows of NR floats (16 KB at 512 bits) stay in L1
     * while each row of W streams into one column of them, instead of reading W down its columns with a stride
     * (cache-set conflicts at power-of-two widths).
     */
    private static final int TRANSPOSE_DEPTH = 64;

    static int panelWidth() {
        return NR;
    }

    static int packedLength(int n, int k, int rows) {
        return padded(n) * k + (n % NR == 0 ? 0 : rows * NR);
    }

    private static int padded(int n) {
        return (n + NR - 1) / NR * NR;
    }

    /** Where slab (k0, panel) starts: depth blocks one after another, each holding all panels of kc rows. */
    private static int slab(int k0, int kc, int panel, int n) {
        return k0 * padded(n) + panel * NR * kc;
    }

    static void packB(float[] b, int sp, int sn, int n, int k, float[] packed, int panel0, int panel1) {
        for (int panel = panel0; panel < panel1; panel++) {
            int j0 = panel * NR;
            int width = Math.min(NR, n - j0);
            for (int k0 = 0; k0 < k; k0 += KC) {
                int kc = Math.min(KC, k - k0);
                int dst = slab(k0, kc, panel, n);
                if (sn == 1) { // rows of B are contiguous: copy NR-wide pieces, zeros past n
                    for (int p = 0; p < kc; p++) {
                        int src = (k0 + p) * sp + j0;
                        int to = dst + p * NR;
                        int v = 0;
                        for (; v <= width - L; v += L) {
                            FloatVector.fromArray(F, b, src + v).intoArray(packed, to + v);
                        }
                        for (; v < width; v++) {
                            packed[to + v] = b[src + v];
                        }
                        java.util.Arrays.fill(packed, to + width, to + NR, 0f);
                    }
                } else { // B = W^T: each row of W runs along the depth; copy it down a column of the slab
                    for (int pb = 0; pb < kc; pb += TRANSPOSE_DEPTH) {
                        int pe = Math.min(kc, pb + TRANSPOSE_DEPTH);
                        for (int jj = 0; jj < width; jj++) {
                            int src = (k0 + pb) * sp + (j0 + jj) * sn;
                            for (int p = pb, to = dst + pb * NR + jj; p < pe; p++, src += sp, to += NR) {
                                packed[to] = b[src];
                            }
                        }
                        if (width < NR) { // a last, partial panel: zeros past n
                            for (int p = pb; p < pe; p++) {
                                java.util.Arrays.fill(packed, dst + p * NR + width, dst + (p + 1) * NR, 0f);
                            }
                        }
                    }
                }
            }
        }
    }

    static void gemmPacked(float[] a, int sm, int sk, float[] packed, float[] bias, float[] c, int m0, int m1,
                           int n, int k, boolean relu) {
        // The micro-kernels only accumulate (C += A B over one slab): bias and ReLU are separate passes over the
        // chunk's rows, cheap next to the depth, and keeping them out of the kernels keeps C2's code for them
        // tight. A last, partial panel is computed in a full-width tile (rows [m0, m1) of the working space after
        // the panels) and copied out at the end, so that the kernels never need masks: C2 on JDK 17 compiles
        // masked loads and stores into boxed vectors.
        int full = n / NR * NR;
        int edgeWidth = n - full;
        int edge = padded(n) * k;
        for (int m = m0; m < m1; m++) {
            if (bias == null) {
                java.util.Arrays.fill(c, m * n, m * n + full, 0f);
            } else {
                System.arraycopy(bias, 0, c, m * n, full);
            }
            if (edgeWidth > 0) {
                java.util.Arrays.fill(packed, edge + m * NR, edge + (m + 1) * NR, 0f);
                if (bias != null) {
                    System.arraycopy(bias, full, packed, edge + m * NR, edgeWidth);
                }
            }
        }
        for (int k0 = 0; k0 < k; k0 += KC) {
            int kc = Math.min(KC, k - k0);
            for (int j0 = 0; j0 < full; j0 += NR) {
                block(a, sm, sk, packed, slab(k0, kc, j0 / NR, n), c, n, m0, m1, m0 * n + j0, k0, kc);
            }
            if (edgeWidth > 0) {
                block(a, sm, sk, packed, slab(k0, kc, full / NR, n), packed, NR, m0, m1, edge + m0 * NR, k0, kc);
            }
        }
        for (int m = m0; m < m1; m++) {
            if (relu) {
                VectorKernels.relu(c, m * n, m * n + full);
                VectorKernels.relu(packed, edge + m * NR, edge + m * NR + edgeWidth);
            }
            if (edgeWidth > 0) {
                System.arraycopy(packed, edge + m * NR, c, m * n + full, edgeWidth);
            }
        }
    }

    /** Rows [m0, m1) of one slab, added into C's tile that starts at c[at] with rows ldc apart. */
    private static void block(float[] a, int sm, int sk, float[] b, int bo, float[] c, int ldc, int m0, int m1, int at,
                       int k0, int kc) {
        int m = m0;
        int ao = m0 * sm + k0 * sk;
        for (; m <= m1 - 6; m += 6, at += 6 * ldc, ao += 6 * sm) {
            kernel6(a, ao, sm, sk, b, bo, c, at, ldc, kc);
        }
        for (; m < m1; m++, at += ldc, ao += sm) {
            kernel1(a, ao, sk, b, bo, c, at, kc);
        }
    }

    /** Six rows by NR columns over one slab: 24 accumulators, 4 loads and 6 broadcasts per 24 FMAs. */
    private static void kernel6(float[] a, int a0, int sm, int sk, float[] b, int bo, float[] c, int r0,
                                int ldc, int kc) {
        int r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc;
        FloatVector c00 = FloatVector.fromArray(F, c, r0), c01 = FloatVector.fromArray(F, c, r0 + L);
        FloatVector c02 = FloatVector.fromArray(F, c, r0 + 2 * L), c03 = FloatVector.fromArray(F, c, r0 + 3 * L);
        FloatVector c10 = FloatVector.fromArray(F, c, r1), c11 = FloatVector.fromArray(F, c, r1 + L);
        FloatVector c12 = FloatVector.fromArray(F, c, r1 + 2 * L), c13 = FloatVector.fromArray(F, c, r1 + 3 * L);
        FloatVector c20 = FloatVector.fromArray(F, c, r2), c21 = FloatVector.fromArray(F, c, r2 + L);
        FloatVector c22 = FloatVector.fromArray(F, c, r2 + 2 * L), c23 = FloatVector.fromArray(F, c, r2 + 3 * L);
        FloatVector c30 = FloatVector.fromArray(F, c, r3), c31 = FloatVector.fromArray(F, c, r3 + L);
        FloatVector c32 = FloatVector.fromArray(F, c, r3 + 2 * L), c33 = FloatVector.fromArray(F, c, r3 + 3 * L);
        FloatVector c40 = FloatVector.fromArray(F, c, r4), c41 = FloatVector.fromArray(F, c, r4 + L);
        FloatVector c42 = FloatVector.fromArray(F, c, r4 + 2 * L), c43 = FloatVector.fromArray(F, c, r4 + 3 * L);
        FloatVector c50 = FloatVector.fromArray(F, c, r5), c51 = FloatVector.fromArray(F, c, r5 + L);
        FloatVector c52 = FloatVector.fromArray(F, c, r5 + 2 * L), c53 = FloatVector.fromArray(F, c, r5 + 3 * L);
        int a1 = a0 + sm, a2 = a1 + sm, a3 = a2 + sm, a4 = a3 + sm, a5 = a4 + sm;
        for (int p = 0; p < kc; p++) {
            int q = bo + p * NR;
            int ap = p * sk;
            FloatVector w0 = FloatVector.fromArray(F, b, q);
            FloatVector w1 = FloatVector.fromArray(F, b, q + L);
            FloatVector w2 = FloatVector.fromArray(F, b, q + 2 * L);
            FloatVector w3 = FloatVector.fromArray(F, b, q + 3 * L);
            FloatVector s = FloatVector.broadcast(F, a[a0 + ap]);
            c00 = w0.fma(s, c00); c01 = w1.fma(s, c01); c02 = w2.fma(s, c02); c03 = w3.fma(s, c03);
            s = FloatVector.broadcast(F, a[a1 + ap]);
            c10 = w0.fma(s, c10); c11 = w1.fma(s, c11); c12 = w2.fma(s, c12); c13 = w3.fma(s, c13);
            s = FloatVector.broadcast(F, a[a2 + ap]);
            c20 = w0.fma(s, c20); c21 = w1.fma(s, c21); c22 = w2.fma(s, c22); c23 = w3.fma(s, c23);
            s = FloatVector.broadcast(F, a[a3 + ap]);
            c30 = w0.fma(s, c30); c31 = w1.fma(s, c31); c32 = w2.fma(s, c32); c33 = w3.fma(s, c33);
            s = FloatVector.broadcast(F, a[a4 + ap]);
            c40 = w0.fma(s, c40); c41 = w1.fma(s, c41); c42 = w2.fma(s, c42); c43 = w3.fma(s, c43);
            s = FloatVector.broadcast(F, a[a5 + ap]);
            c50 = w0.fma(s, c50); c51 = w1.fma(s, c51); c52 = w2.fma(s, c52); c53 = w3.fma(s, c53);
        }
        c00.intoArray(c, r0); c01.intoArray(c, r0 + L);
        c02.intoArray(c, r0 + 2 * L); c03.intoArray(c, r0 + 3 * L);
        c10.intoArray(c, r1); c11.intoArray(c, r1 + L);
        c12.intoArray(c, r1 + 2 * L); c13.intoArray(c, r1 + 3 * L);
        c20.intoArray(c, r2); c21.intoArray(c, r2 + L);
        c22.intoArray(c, r2 + 2 * L); c23.intoArray(c, r2 + 3 * L);
        c30.intoArray(c, r3); c31.intoArray(c, r3 + L);
        c32.intoArray(c, r3 + 2 * L); c33.intoArray(c, r3 + 3 * L);
        c40.intoArray(c, r4); c41.intoArray(c, r4 + L);
        c42.intoArray(c, r4 + 2 * L); c43.intoArray(c, r4 + 3 * L);
        c50.intoArray(c, r5); c51.intoArray(c, r5 + L);
        c52.intoArray(c, r5 + 2 * L); c53.intoArray(c, r5 + 3 * L);
    }

    /** One row of {@link #kernel6}: the same chain of FMAs per element, for rows left over. */
    private static void kernel1(float[] a, int a0, int sk, float[] b, int bo, float[] c, int r0, int kc) {
        FloatVector c00 = FloatVector.fromArray(F, c, r0), c01 = FloatVector.fromArray(F, c, r0 + L);
        FloatVector c02 = FloatVector.fromArray(F, c, r0 + 2 * L), c03 = FloatVector.fromArray(F, c, r0 + 3 * L);
        for (int p = 0; p < kc; p++) {
            int q = bo + p * NR;
            FloatVector s = FloatVector.broadcast(F, a[a0 + p * sk]);
            c00 = FloatVector.fromArray(F, b, q).fma(s, c00);
            c01 = FloatVector.fromArray(F, b, q + L).fma(s, c01);
            c02 = FloatVector.fromArray(F, b, q + 2 * L).fma(s, c02);
            c03 = FloatVector.fromArray(F, b, q + 3 * L).fma(s, c03);
        }
        c00.intoArray(c, r0); c01.intoArray(c, r0 + L);
        c02.intoArray(c, r0 + 2 * L); c03.intoArray(c, r0 + 3 * L);
    }
}
