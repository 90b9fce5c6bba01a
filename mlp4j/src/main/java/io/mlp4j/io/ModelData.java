package io.mlp4j.io;

import java.util.Map;

/**
 * A model's parameters as stored in a file: layer sizes, then per layer a weight {@code [out, in]} (row-major,
 * PyTorch's {@code nn.Linear} layout) and a bias {@code [out]}, plus string metadata.
 */
public record ModelData(int[] layerSizes, float[][] weights, float[][] biases, Map<String, String> metadata) {
}
