package io.mlp4j.spi;

import java.util.Map;

/**
 * A model as a file holds it, whatever the format: layer sizes from input to output, then per layer a weight
 * {@code [out, in]} (row-major, PyTorch's {@code nn.Linear} layout) and a bias {@code [out]}, plus string metadata.
 * The network is fully connected layers with ReLU between them (not after the last).
 */
public record ModelData(int[] layerSizes, float[][] weights, float[][] biases, Map<String, String> metadata) {
}
