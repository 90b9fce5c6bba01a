package io.mlp4j;

/**
 * Training produced a NaN or infinite loss. The trainer has restored the parameters from the start of the
 * failing epoch, so {@link Trainer#classifier()} still returns the last good model.
 */
public final class TrainingDivergedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    TrainingDivergedException(String message) {
        super(message);
    }
}
