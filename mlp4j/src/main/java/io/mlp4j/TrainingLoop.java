package io.mlp4j;

import io.mlp4j.spi.Backend;
import io.mlp4j.spi.Settings;
import io.mlp4j.data.DataSet;
import io.mlp4j.training.Parameters;
import io.mlp4j.training.TrainingStep;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A trainer's device side: the backend it opened, the training step's buffers, the data sets put on the device,
 * and the loops over them: training epochs (shuffle, steps, progress, divergence check, validation) and
 * evaluation in a set's own order.
 */
final class TrainingLoop implements AutoCloseable {

    final Backend backend;
    final String choice;
    final Settings settings;
    final TrainingStep step;
    private final DeviceData data;
    private final Network net;
    private final TrainingListener listener;
    private final int batchSize;
    private final int evalBatchSize;
    private final long seed;
    private boolean closed;

    /**
     * Opens the configured backend and puts {@code init} on it; on failure nothing stays open.
     *
     * @throws IllegalArgumentException if a batch of a layer is more than one buffer holds, before opening anything
     */
    TrainingLoop(Network net, Parameters init, Map<String, String> options, TrainingListener listener,
                 int batchSize, int evalBatchSize, long seed) {
        int maxRows = Math.max(batchSize, evalBatchSize);
        TrainingStep.checkSizes(net.sizes(), maxRows);
        this.net = net;
        this.listener = listener;
        this.batchSize = batchSize;
        this.evalBatchSize = evalBatchSize;
        this.seed = seed;
        this.settings = Settings.current(options);
        BackendRegistry.Selection sel = BackendRegistry.open(settings);
        this.backend = sel.backend();
        this.choice = sel.why();
        try {
            step = new TrainingStep(backend, net.sizes(), maxRows);
            step.upload(init);
            data = new DeviceData(backend);
        } catch (RuntimeException | Error e) {
            backend.close(); // a trainer that fails to build leaves no threads or device memory behind
            throw e;
        }
    }

    /** Trains {@code epochs} epochs, appending each record to {@code history} and telling the listener. */
    List<EpochRecord> fit(DataSet train, DataSet val, int epochs, double lr, History history,
                          Function<DataSet, Evaluation> validate) {
        if (epochs < 0) {
            throw new IllegalArgumentException("epochs must not be negative, got " + epochs);
        }
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + lr);
        }
        if (train.size() == 0) {
            throw new IllegalArgumentException("training set " + train.name() + " is empty");
        }
        DeviceData.Resident resident = data.of(train, net);
        List<EpochRecord> out = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            EpochRecord r = train(history.size() + 1, resident, val, lr, validate);
            history.add(r);
            out.add(r);
            listener.onEpoch(r);
        }
        return out;
    }

    /**
     * Trains epoch number {@code epoch} over {@code train}, then validates with {@code validate} (skipped without
     * a validation set). The loss sum comes back about 20 times per epoch, for the progress display; a NaN or
     * infinite loss restores the parameters from before the epoch and throws.
     */
    private EpochRecord train(int epoch, DeviceData.Resident train, DataSet val, double lr,
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

    /** Checks that a set fits the network and puts it on the device (once). */
    void upload(DataSet set) {
        data.of(set, net);
    }

    /** Mean loss and accuracy over a set on the device, in its own order, in batches of {@code evalBatchSize}. */
    Evaluation evaluate(DataSet set) {
        DeviceData.Resident r = data.of(set, net);
        int size = set.size();
        step.resetMetrics();
        for (int offset = 0; offset < size; offset += evalBatchSize) {
            step.evaluate(r.storage(), r.inOrder(), offset, Math.min(evalBatchSize, size - offset));
        }
        float[] m = step.metrics();
        int n = Math.max(1, size);
        return new Evaluation(m[0] / n, m[1] / n, size);
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this trainer is closed");
        }
    }

    /** Frees the backend and everything on its device; again: nothing. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            backend.close();
        }
    }
}
