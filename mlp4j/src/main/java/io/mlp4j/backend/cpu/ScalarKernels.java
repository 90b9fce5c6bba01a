package io.mlp4j.backend.cpu;

/** Plain-loop kernels: the fallback when {@code jdk.incubator.vector} is not resolved, and a readable reference. */
final class ScalarKernels implements CpuKernels {

    static final float INV_255 = 1f / 255f;

    @Override
    public void gather(byte[] pixels, int features, int[] indices, int offset, float[] x, int m0, int m1) {
        for (int r = m0; r < m1; r++) {
            int src = indices[offset + r] * features;
            int dst = r * features;
            for (int j = 0; j < features; j++) {
                x[dst + j] = (pixels[src + j] & 0xFF) * INV_255;
            }
        }
    }

    @Override
    public void gemmNT(float[] a, float[] b, float[] bias, float[] c, int m0, int m1, int n, int k, boolean relu) {
        for (int m = m0; m < m1; m++) {
            int ao = m * k;
            for (int j = 0; j < n; j++) {
                int bo = j * k;
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    s += a[ao + p] * b[bo + p];
                }
                s += bias[j];
                c[m * n + j] = relu && s < 0f ? 0f : s;
            }
        }
    }

    @Override
    public void gemmAxpy(float[] a, int sm, int sk, float[] b, float[] c, int m0, int m1, int n, int k) {
        for (int m = m0; m < m1; m++) {
            int co = m * n;
            java.util.Arrays.fill(c, co, co + n, 0f);
            for (int p = 0; p < k; p++) {
                float s = a[m * sm + p * sk];
                int bo = p * n;
                for (int j = 0; j < n; j++) {
                    c[co + j] += s * b[bo + j];
                }
            }
        }
    }

    /** Packed layout here: plain row-major {@code [k, n]}, one column per panel. */
    @Override
    public int panelWidth() {
        return 1;
    }

    @Override
    public int packedLength(int n, int k, int rows) {
        return n * k;
    }

    @Override
    public void packB(float[] b, int sp, int sn, int n, int k, float[] packed, int panel0, int panel1) {
        for (int p = 0; p < k; p++) {
            for (int j = panel0; j < panel1; j++) {
                packed[p * n + j] = b[p * sp + j * sn];
            }
        }
    }

    @Override
    public void gemmPacked(float[] a, int sm, int sk, float[] packed, float[] bias, float[] c, int m0, int m1,
                           int n, int k, boolean relu) {
        gemmAxpy(a, sm, sk, packed, c, m0, m1, n, k);
        if (bias != null || relu) {
            for (int m = m0; m < m1; m++) {
                for (int j = 0; j < n; j++) {
                    float s = c[m * n + j] + (bias == null ? 0f : bias[j]);
                    c[m * n + j] = relu && s < 0f ? 0f : s;
                }
            }
        }
    }

    @Override
    public void reluMask(float[] y, float[] dy, int from, int to) {
        for (int i = from; i < to; i++) {
            if (y[i] <= 0f) {
                dy[i] = 0f;
            }
        }
    }

    @Override
    public void sgd(float[] p, float[] g, float lr, int from, int to) {
        for (int i = from; i < to; i++) {
            p[i] -= lr * g[i];
        }
    }

    @Override
    public String description() {
        return "plain loops";
    }
}
