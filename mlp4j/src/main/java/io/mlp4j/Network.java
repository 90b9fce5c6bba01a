package io.mlp4j;

import io.mlp4j.training.Parameters;

import java.util.Arrays;

/**
 * The shape of a multi-layer perceptron: fully connected layers with ReLU between them (not after the last),
 * e.g. {@code Network.of(784, 32, 10)} is the tutorial's model. Immutable.
 */
public final class Network {

    private final int[] sizes;

    private Network(int[] sizes) {
        this.sizes = sizes;
    }

    /**
     * Layer widths from input to output; at least two, each positive.
     *
     * @param sizes the width of each layer, input first
     * @return the network
     */
    public static Network of(int... sizes) {
        if (sizes.length < 2) {
            throw new IllegalArgumentException("a network needs at least an input and an output size, got "
                    + Arrays.toString(sizes));
        }
        for (int s : sizes) {
            if (s <= 0) {
                throw new IllegalArgumentException("layer sizes must be positive, got " + Arrays.toString(sizes));
            }
        }
        return new Network(sizes.clone());
    }

    /**
     * Parses {@code "784-32-10"}.
     *
     * @param text layer widths joined by {@code -}
     * @return the network
     * @throws IllegalArgumentException naming the text if it is not of that form
     */
    public static Network parse(String text) {
        String[] parts = text.trim().split("-");
        int[] sizes = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                sizes[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad network '" + text + "': expected sizes like 784-32-10");
            }
        }
        return of(sizes);
    }

    /**
     * Layer widths from input to output.
     *
     * @return a copy of the widths
     */
    public int[] sizes() {
        return sizes.clone();
    }

    /**
     * Width of the input layer.
     *
     * @return the number of inputs
     */
    public int inputs() {
        return sizes[0];
    }

    /**
     * Width of the output layer.
     *
     * @return the number of classes
     */
    public int outputs() {
        return sizes[sizes.length - 1];
    }

    /**
     * Number of linear layers.
     *
     * @return the number of weight matrices
     */
    public int layers() {
        return sizes.length - 1;
    }

    /**
     * Inputs of linear layer {@code layer}.
     *
     * @param layer 0-based index of a linear layer
     * @return its number of inputs
     */
    public int in(int layer) {
        return sizes[layer];
    }

    /**
     * Outputs of linear layer {@code layer}.
     *
     * @param layer 0-based index of a linear layer
     * @return its number of outputs
     */
    public int out(int layer) {
        return sizes[layer + 1];
    }

    /**
     * Trainable parameters in all layers.
     *
     * @return the number of weights and biases
     */
    public long parameterCount() {
        long n = 0;
        for (int l = 0; l < layers(); l++) {
            n += (long) in(l) * out(l) + out(l);
        }
        return n;
    }

    /** Fresh parameters like PyTorch's {@code nn.Linear} default, drawn from {@code seed}: see {@link Parameters#initial}. */
    Parameters initialParameters(long seed) {
        return Parameters.initial(sizes, seed);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Network n && Arrays.equals(sizes, n.sizes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(sizes);
    }

    /** {@code 784-32-10}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < sizes.length; i++) {
            s.append(i == 0 ? "" : "-").append(sizes[i]);
        }
        return s.toString();
    }
}
