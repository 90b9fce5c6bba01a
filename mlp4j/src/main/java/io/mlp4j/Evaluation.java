package io.mlp4j;

import java.util.Locale;

/** Mean cross-entropy loss and accuracy of a model over a data set. */
public record Evaluation(double loss, double accuracy, int samples) {

    /**
     * {@code test_loss: 0.1234, test_acc: 0.9712} for prefix "test".
     *
     * @param prefix the name of the data set, e.g. {@code val} or {@code test}
     * @return the line, without a line break
     */
    public String line(String prefix) {
        return String.format(Locale.ROOT, "%s_loss: %.4f, %s_acc: %.4f", prefix, loss, prefix, accuracy);
    }
}
