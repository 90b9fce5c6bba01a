package io.mlp4j;

/**
 * Progress of training, called on the training thread. Keep it quick: {@link #onBatch} runs after every step.
 */
public interface TrainingListener {

    /**
     * After each training step.
     *
     * @param epoch   1-based epoch number
     * @param batch   1-based batch number within the epoch
     * @param batches batches in the epoch
     * @param samples samples trained so far in this epoch
     * @param seconds seconds since the epoch started
     * @param runningLoss mean training loss of the epoch so far; refreshed about 20 times per epoch (reading it
     *                    back from a GPU costs a synchronisation), so it may lag a few batches
     */
    default void onBatch(int epoch, int batch, int batches, int samples, double seconds, double runningLoss) {
    }

    /**
     * After each epoch's training and validation.
     *
     * @param record the epoch's figures
     */
    default void onEpoch(EpochRecord record) {
    }
}
