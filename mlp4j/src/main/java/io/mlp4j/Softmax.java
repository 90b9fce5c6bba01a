package io.mlp4j;

/** Softmax and cross-entropy over one row of logits, shifted by the row's maximum so that no exponential overflows. */
final class Softmax {

    private Softmax() {
    }

    /** {@code p[pAt, pAt + n) = softmax(z[zAt, zAt + n))}; {@code p} may be {@code z}. */
    static void softmax(float[] z, int zAt, float[] p, int pAt, int n) {
        float max = max(z, zAt, n);
        double sum = expSum(z, zAt, n, max);
        for (int i = 0; i < n; i++) {
            p[pAt + i] = (float) (Math.exp(z[zAt + i] - max) / sum);
        }
    }

    /**
     * {@code -log(softmax(z)[label])}, with the probability floored as a float would be: a confident wrong answer
     * costs about 87, not infinity.
     */
    static double crossEntropy(float[] z, int at, int n, int label) {
        float max = max(z, at, n);
        double p = Math.exp(z[at + label] - max) / expSum(z, at, n, max);
        return -Math.log(Math.max(p, Float.MIN_NORMAL));
    }

    private static float max(float[] z, int at, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, z[at + i]);
        }
        return max;
    }

    private static double expSum(float[] z, int at, int n, float max) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(z[at + i] - max);
        }
        return sum;
    }
}
