package io.mlp4j;

import java.util.Locale;

/**
 * One epoch of training: its number (1-based over the trainer's life), learning rate, mean training loss,
 * validation loss and accuracy, wall-clock seconds of the training pass, and training samples per second.
 */
public record EpochRecord(int epoch, double learningRate, double trainLoss, double valLoss, double valAccuracy,
                          double seconds, double samplesPerSecond) {

    /**
     * The tutorial's line: {@code Epoch [3], val_loss: 0.1520, val_acc: 0.9561}.
     *
     * @return the line, without a line break
     */
    public String tutorialLine() {
        return String.format(Locale.ROOT, "Epoch [%d], val_loss: %.4f, val_acc: %.4f", epoch, valLoss, valAccuracy);
    }
}
