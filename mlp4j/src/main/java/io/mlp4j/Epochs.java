package io.mlp4j;

import io.mlp4j.data.DataSet;
import io.mlp4j.training.Parameters;
import io.mlp4j.training.TrainingStep;

import java.util.Locale;
import java.util.function.Function;

/**
 * A trainer's loops over a data set on the device: one training epoch (shuffle, steps, progress, divergence
 * check, validation) and evaluation in the set's own order.
 */
final class Epochs {

    private final TrainingStep step;
    private final DeviceData data;
    private final TrainingListener listener;
    private final int batchSize;
    private final int evalBatchSize;
    private final long seed;

    Epochs(TrainingStep step, DeviceData data, TrainingListener listener, int batchSize, int evalBatchSize, long seed) {
        this.step = step;
        this.data = data;
        this.listener = listener;
        this.batchSize = batchSize;
        this.evalBatchSize = evalBatchSize;
        this.seed = seed;
    }

    /**
     * Trains epoch number {@code epoch} over {@code train}, then validates with {@code validate} (skipped without
     * a validation set). The loss sum comes back about 20 times per epoch, for the progress display; a NaN or
     * infinite loss restores the parameters from before the epoch and throws.
     */
    EpochRecord train(int epoch, DeviceData.Resident train, DataSet val, double lr,
                      Function<DataSet, Evaluation> validate) {
        Parameters before = step.download();
        data.shuffle(train, seed, epoch);
        step.resetMetrics();
        int n = train.set().size();
        int batches = (n + batchSize - 1) / batchSize;
        int progressEvery = Math.max(1, batches / 20);
        double runningLoss = Double.NaN;
        long t0 = System.nanoTime();
        for (int i = 0; i < batches; i++) {
            int offset = i * batchSize;
            int rows = Math.min(batchSize, n - offset);
            step.train(train.storage(), train.shuffled(), offset, rows, (float) lr);
            if ((i + 1) % progressEvery == 0 || i + 1 == batches) {
                runningLoss = step.metrics()[0] / (offset + rows);
                if (!Double.isFinite(runningLoss)) { // checked where the sum is read anyway: no extra sync
                    step.upload(before);
                    throw new TrainingDivergedException(String.format(Locale.ROOT,
                            "training diverged in epoch %d by step %d of %d at learning rate %s: the mean loss is"
                                    + " %s. The parameters from before this epoch were kept; try a smaller learning"
                                    + " rate.", epoch, i + 1, batches, lr, runningLoss));
                }
            }
            listener.onBatch(epoch, i + 1, batches, offset + rows, (System.nanoTime() - t0) / 1e9, runningLoss);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Evaluation v = val == null || val.size() == 0 ? new Evaluation(Double.NaN, Double.NaN, 0) : validate.apply(val);
        return new EpochRecord(epoch, lr, runningLoss, v.loss(), v.accuracy(), seconds, n / seconds);
    }

    /** Mean loss and accuracy over a set on the device, in its own order, in batches of {@code evalBatchSize}. */
    Evaluation evaluate(DeviceData.Resident r) {
        int size = r.set().size();
        step.resetMetrics();
        for (int offset = 0; offset < size; offset += evalBatchSize) {
            step.evaluate(r.storage(), r.inOrder(), offset, Math.min(evalBatchSize, size - offset));
        }
        float[] m = step.metrics();
        int n = Math.max(1, size);
        return new Evaluation(m[0] / n, m[1] / n, size);
    }
}
