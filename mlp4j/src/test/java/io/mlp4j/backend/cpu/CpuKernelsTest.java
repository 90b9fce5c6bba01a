package io.mlp4j.backend.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Vector API kernels against the plain loops, and both against a float64 reference. */
class CpuKernelsTest {

    private final CpuKernels scalar = new ScalarKernels();
    private final CpuKernels vector = new VectorKernels();

    static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextFloat() * 2f - 1f;
        }
        return a;
    }

    /** Normwise relative error of both results against the float64 reference: max |x - ref| / max |ref|. */
    static double relErr(float[] a, float[] b, double[] ref) {
        double scale = 1e-12;
        for (double v : ref) {
            scale = Math.max(scale, Math.abs(v));
        }
        double worst = 0;
        for (int i = 0; i < ref.length; i++) {
            worst = Math.max(worst, Math.max(Math.abs(a[i] - ref[i]), Math.abs(b[i] - ref[i])) / scale);
        }
        return worst;
    }

    @ParameterizedTest
    @CsvSource({"128,784,32", "128,32,10", "80,784,32", "127,785,33", "1,1,1", "5,3,17", "1024,784,512"})
    void gemmNTMatchesReference(int m, int k, int n) {
        Random r = new Random(m * 31L + k * 7L + n);
        float[] a = random(r, m * k), b = random(r, n * k), bias = random(r, n);
        double[] ref = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = bias[j];
                for (int p = 0; p < k; p++) {
                    s += (double) a[i * k + p] * b[j * k + p];
                }
                ref[i * n + j] = Math.max(0, s);
            }
        }
        float[] c1 = new float[m * n], c2 = new float[m * n];
        scalar.gemmNT(a, b, bias, c1, 0, m, n, k, true);
        vector.gemmNT(a, b, bias, c2, 0, m, n, k, true);
        assertTrue(relErr(c1, c2, ref) < 1e-5, "relative error " + relErr(c1, c2, ref));
    }

    @ParameterizedTest
    @CsvSource({"128,10,32", "128,32,784", "80,32,784", "127,33,785", "1,1,1", "5,17,3"})
    void gemmAxpyMatchesReferenceInBothLayouts(int m, int k, int n) {
        Random r = new Random(m * 13L + k * 5L + n);
        float[] a = random(r, m * k), b = random(r, k * n);
        for (boolean transposed : new boolean[] {false, true}) {
            int sm = transposed ? 1 : k;
            int sk = transposed ? m : 1;
            double[] ref = new double[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        s += (double) a[i * sm + p * sk] * b[p * n + j];
                    }
                    ref[i * n + j] = s;
                }
            }
            float[] c1 = new float[m * n], c2 = new float[m * n];
            java.util.Arrays.fill(c2, Float.NaN); // the kernel must overwrite, not accumulate
            scalar.gemmAxpy(a, sm, sk, b, c1, 0, m, n, k);
            vector.gemmAxpy(a, sm, sk, b, c2, 0, m, n, k);
            assertTrue(relErr(c1, c2, ref) < 1e-5, "transposed=" + transposed + " error " + relErr(c1, c2, ref));
        }
    }

    /**
     * The packed path in its three uses (x w^T + bias with ReLU, dy^T x, dy w), on shapes with a partial last
     * panel, several depth blocks, rows that do not fill the micro-kernel, and row ranges that start inside the
     * matrix; the output is computed in two row ranges, as threads would.
     */
    @ParameterizedTest
    @CsvSource({"512,512,784", "512,784,512", "37,70,300", "13,64,64", "6,10,1", "1,1,1", "130,600,257",
            "96,200,80"})
    void gemmPackedMatchesReferenceInEveryUse(int m, int n, int k) {
        Random r = new Random(m * 17L + n * 3L + k);
        float[] a = random(r, m * k), b = random(r, n * k), bias = random(r, n);
        for (int use = 0; use < 3; use++) {
            boolean nt = use == 0;
            int sm = use == 1 ? 1 : k, sk = use == 1 ? m : 1; // use 1: a holds A^T
            int sp = nt ? 1 : n, sn = nt ? k : 1; // use 0: b holds B^T
            double[] ref = new double[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = nt ? bias[j] : 0;
                    for (int p = 0; p < k; p++) {
                        s += (double) a[i * sm + p * sk] * b[p * sp + j * sn];
                    }
                    ref[i * n + j] = nt ? Math.max(0, s) : s;
                }
            }
            float[] c1 = new float[m * n], c2 = new float[m * n];
            java.util.Arrays.fill(c1, Float.NaN); // the kernels must overwrite, not accumulate
            java.util.Arrays.fill(c2, Float.NaN);
            int split = m / 3;
            for (CpuKernels kernels : new CpuKernels[] {scalar, vector}) {
                float[] c = kernels == scalar ? c1 : c2;
                float[] packed = new float[kernels.packedLength(n, k, m)];
                java.util.Arrays.fill(packed, Float.NaN); // working space starts dirty
                int panels = (n + kernels.panelWidth() - 1) / kernels.panelWidth();
                kernels.packB(b, sp, sn, n, k, packed, 0, panels / 2);
                kernels.packB(b, sp, sn, n, k, packed, panels / 2, panels);
                kernels.gemmPacked(a, sm, sk, packed, nt ? bias : null, c, split, m, n, k, nt);
                kernels.gemmPacked(a, sm, sk, packed, nt ? bias : null, c, 0, split, n, k, nt);
            }
            assertTrue(relErr(c1, c2, ref) < 1e-5, "use " + use + " error " + relErr(c1, c2, ref));
        }
    }

    /** Bias gradients: the column sums, in row order, from both kernels. */
    @Test
    void columnSumsAddEachColumnInRowOrder() {
        Random r = new Random(9);
        int rows = 37, n = 19;
        float[] g = random(r, rows * n);
        float[] expected = new float[n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < rows; i++) {
                expected[j] += g[i * n + j];
            }
        }
        for (CpuKernels kernels : new CpuKernels[] {scalar, vector}) {
            float[] sums = new float[n + 1];
            java.util.Arrays.fill(sums, Float.NaN);
            kernels.columnSums(g, rows, n, sums);
            assertArrayEquals(expected, java.util.Arrays.copyOf(sums, n));
            assertTrue(Float.isNaN(sums[n]), "nothing written past n");
        }
    }

    @Test
    void gatherScalesBytesAndFollowsTheIndices() {
        int features = 787; // not a multiple of the vector length
        byte[] pixels = new byte[3 * features];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 7);
        }
        int[] idx = {2, 0, 1, 2};
        float[] x1 = new float[3 * features], x2 = new float[3 * features];
        scalar.gather(pixels, features, idx, 1, x1, 0, 3);
        vector.gather(pixels, features, idx, 1, x2, 0, 3);
        assertArrayEquals(x1, x2);
        assertEquals((pixels[5] & 0xFF) / 255f, x1[5], 1e-7f);
        assertEquals(255 * (1f / 255f), 1f);
        assertEquals((pixels[2 * features] & 0xFF) * (1f / 255f), x1[2 * features]);
    }

    @Test
    void reluMaskAndSgd() {
        Random r = new Random(3);
        float[] y = random(r, 101), d1 = random(r, 101), d2 = d1.clone();
        scalar.reluMask(y, d1, 0, 101);
        vector.reluMask(y, d2, 0, 101);
        assertArrayEquals(d1, d2);
        for (int i = 0; i < 101; i++) {
            assertTrue(y[i] > 0 || d1[i] == 0f);
        }
        float[] p1 = random(r, 101), p2 = p1.clone(), g = random(r, 101);
        scalar.sgd(p1, g, 0.5f, 0, 101);
        vector.sgd(p2, g, 0.5f, 0, 101);
        assertArrayEquals(p1, p2, 1e-6f);
    }
}
