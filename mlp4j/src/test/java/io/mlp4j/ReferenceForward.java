package io.mlp4j;

import io.mlp4j.training.Parameters;

/**
 * The plain forward pass, written as the math reads: one scalar accumulator per output, inputs in order, bias at
 * the end. Every inference path is checked against it; nothing outside the tests uses it.
 */
final class ReferenceForward {

    private ReferenceForward() {
    }

    static float[] logits(Network net, Parameters parameters, float[] input) {
        float[] x = input;
        int layers = net.layers();
        for (int l = 0; l < layers; l++) {
            float[] w = parameters.weights()[l];
            float[] b = parameters.biases()[l];
            int in = net.in(l);
            float[] y = new float[net.out(l)];
            for (int o = 0; o < y.length; o++) {
                float s = 0f;
                for (int i = 0; i < in; i++) {
                    s += x[i] * w[o * in + i];
                }
                s += b[o];
                y[o] = l < layers - 1 && s < 0f ? 0f : s;
            }
            x = y;
        }
        return x;
    }

    static int predict(Network net, Parameters parameters, float[] input) {
        float[] z = logits(net, parameters, input);
        int best = 0;
        for (int i = 1; i < z.length; i++) {
            if (z[i] > z[best]) {
                best = i;
            }
        }
        return best;
    }
}
