package io.mlp4j;

import java.util.Locale;

/** A class index, its label and its probability. */
public record Prediction(int index, String label, double probability) {

    /** {@code 7 (0.981)}. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (%.3f)", label, probability);
    }
}
