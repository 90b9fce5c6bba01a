package io.mlp4j.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A network's trainable values: per linear layer a weight {@code [out, in]} (row-major, PyTorch's
 * {@code nn.Linear} layout) and a bias {@code [out]}. The arrays are not copied: {@link #copy} when the holder must
 * not see later changes.
 *
 * @param weights one array per layer, {@code out * in} floats
 * @param biases one array per layer, {@code out} floats
 */
public record Parameters(float[][] weights, float[][] biases) {

    /** @throws IllegalArgumentException if weights and biases disagree on the number of layers */
    public Parameters {
        if (weights.length != biases.length) {
            throw new IllegalArgumentException(weights.length + " weight arrays but " + biases.length + " bias arrays");
        }
    }

    /**
     * Fresh parameters like PyTorch's {@code nn.Linear} default: weights and biases uniform in
     * {@code [-1/sqrt(in), 1/sqrt(in))}, drawn layer by layer (weights, then bias) from {@code seed}.
     *
     * @param sizes layer widths, input first
     * @param seed the seed
     * @return the parameters
     */
    public static Parameters initial(int[] sizes, long seed) {
        Random random = new Random(seed);
        int layers = sizes.length - 1;
        float[][] w = new float[layers][];
        float[][] b = new float[layers][];
        for (int l = 0; l < layers; l++) {
            float bound = (float) (1.0 / Math.sqrt(sizes[l]));
            w[l] = uniform(random, sizes[l] * sizes[l + 1], bound);
            b[l] = uniform(random, sizes[l + 1], bound);
        }
        return new Parameters(w, b);
    }

    private static float[] uniform(Random random, int n, float bound) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (random.nextFloat() * 2f - 1f) * bound;
        }
        return v;
    }

    /** @return the number of linear layers */
    public int layers() {
        return weights.length;
    }

    /** @return every array, the weights then the biases, for comparing parameters value by value */
    public List<float[]> tensors() {
        List<float[]> all = new ArrayList<>(Arrays.asList(weights));
        all.addAll(Arrays.asList(biases));
        return all;
    }

    /** @return a deep copy */
    public Parameters copy() {
        float[][] w = new float[layers()][];
        float[][] b = new float[layers()][];
        for (int l = 0; l < layers(); l++) {
            w[l] = weights[l].clone();
            b[l] = biases[l].clone();
        }
        return new Parameters(w, b);
    }

    /**
     * Checks that every array has the length the network's shape asks for.
     *
     * @param sizes layer widths, input first
     * @return this
     * @throws IllegalArgumentException naming the first layer that does not fit
     */
    public Parameters checkShape(int[] sizes) {
        if (layers() != sizes.length - 1) {
            throw new IllegalArgumentException(layers() + " layers of parameters for a network of "
                    + (sizes.length - 1));
        }
        for (int l = 0; l < layers(); l++) {
            if (weights[l].length != sizes[l] * sizes[l + 1] || biases[l].length != sizes[l + 1]) {
                throw new IllegalArgumentException("layer " + (l + 1) + " parameters (" + weights[l].length
                        + " weights, " + biases[l].length + " biases) do not fit " + sizes[l] + " -> " + sizes[l + 1]);
            }
        }
        return this;
    }
}
