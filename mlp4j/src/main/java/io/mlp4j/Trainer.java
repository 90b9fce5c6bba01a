package io.mlp4j;

import io.mlp4j.backend.Backend;
import io.mlp4j.backend.BackendRegistry;
import io.mlp4j.backend.DeviceDataset;
import io.mlp4j.backend.IndexBuffer;
import io.mlp4j.backend.Settings;
import io.mlp4j.backend.cpu.CpuBackend;
import io.mlp4j.backend.Tensor;
import io.mlp4j.data.DataSet;
import io.mlp4j.internal.DataSetAccess;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Trains a {@link Network} with cross-entropy loss and plain SGD on the configured backend, like the tutorial:
 * <pre>{@code
 * try (Trainer t = Trainer.builder(Network.of(784, 32, 10)).seed(42).build()) {
 *     t.fit(train, val, 5, 0.5);
 *     t.fit(train, val, 5, 0.1);      // continues where it stopped
 *     Classifier c = t.classifier();
 * }
 * }</pre>
 * Data sets and parameters live on the device for the trainer's life; each epoch the shuffled order is sent
 * once and the loss sums come back once. Not thread-safe: use a trainer from one thread.
 */
public final class Trainer implements AutoCloseable {

    /** Builds a {@link Trainer}. Unset values come from configuration (see README), then defaults. */
    public static final class Builder {
        private final Network network;
        private final Map<String, String> options = new HashMap<>();
        private long seed = 42;
        private int batchSize = 128;
        private int evalBatchSize = 1024;
        private TrainingListener listener = new TrainingListener() { };
        private Classifier start;
        private List<EpochRecord> startHistory = List.of();

        private Builder(Network network) {
            this.network = Objects.requireNonNull(network, "network");
        }

        /**
         * {@code auto}, {@code cpu}, {@code aparapi} or {@code cublas}; overrides every other configuration.
         *
         * @param name the backend
         * @return this builder
         */
        public Builder backend(String name) {
            return option("backend", name);
        }

        /**
         * Threads for the cpu backend.
         *
         * @param threads at least 1
         * @return this builder
         */
        public Builder threads(int threads) {
            return option("threads", Integer.toString(threads));
        }

        /**
         * Any configuration key without its {@code mlp4j.} prefix, e.g. {@code aparapi.device}.
         *
         * @param key the key, e.g. {@code cpu.vector}
         * @param value its value
         * @return this builder
         */
        public Builder option(String key, String value) {
            options.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * The network this builder trains (for {@link Trainer#resume}: the checkpoint's).
         *
         * @return the network
         */
        public Network network() {
            return network;
        }

        /**
         * The seed so far (for {@link Trainer#resume}: the checkpoint's).
         *
         * @return the seed
         */
        public long seed() {
            return seed;
        }

        /**
         * Seed of the initial parameters and of the shuffling.
         *
         * @param seed any value; the same seed gives the same run
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Training batch size (default 128).
         *
         * @param batchSize samples per step, at least 1
         * @return this builder
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Batch size for {@link #evaluate}; it does not change the results, only speed and memory.
         *
         * @param evalBatchSize at least 1
         * @return this builder
         */
        public Builder evalBatchSize(int evalBatchSize) {
            if (evalBatchSize < 1) {
                throw new IllegalArgumentException("evaluation batch size must be at least 1, got " + evalBatchSize);
            }
            this.evalBatchSize = evalBatchSize;
            return this;
        }

        /**
         * Receives progress after every batch and epoch, on the training thread.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(TrainingListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Starts from a trained model's parameters instead of fresh ones (same network shape).
         *
         * @param model a classifier of the builder's network shape
         * @return this builder
         */
        public Builder startFrom(Classifier model) {
            if (!model.network().equals(network)) {
                throw new IllegalArgumentException("the starting model is " + model.network()
                        + " but the trainer's network is " + network);
            }
            this.start = model;
            return this;
        }

        /**
         * Opens the backend and puts the parameters on it.
         *
         * @return a trainer; close it to free the device memory
         * @throws IllegalArgumentException if the configured backend is unknown
         * @throws IllegalStateException if it cannot run here, naming why
         */
        public Trainer build() {
            return new Trainer(this);
        }
    }

    /** A data set on the device with two index orders: the epoch's shuffle (training) and 0..n-1 (evaluation). */
    private record Resident(DeviceDataset data, IndexBuffer shuffled, IndexBuffer identity, int[] hostOrder,
                            int[] sampleRows) {
    }

    private final Network net;
    private final Backend backend;
    private final Settings settings;
    private final String choice;
    private final int batchSize;
    private final int evalBatchSize;
    private final TrainingListener listener;
    private final long seed;
    private final List<String> labels;
    private final History history = new History();

    private final Tensor[] w, b, dw, db, act, grad;
    private final Tensor metrics;
    private final float[] metricsHost = new float[2];
    private final Map<DataSet, Resident> resident = new IdentityHashMap<>();
    /** Device copies by source array: the views of one data set (a train/validation split) share one. */
    private final Map<byte[], DeviceDataset> uploaded = new IdentityHashMap<>();
    private boolean closed;

    /**
     * A builder that trains {@code network}, with the backend from configuration unless {@link Builder#backend} names one.
     *
     * @param network the shape to train
     * @return a new builder
     */
    public static Builder builder(Network network) {
        return new Builder(network);
    }

    private Trainer(Builder b) {
        Classifier start = b.start;
        this.net = b.network;
        this.batchSize = b.batchSize;
        this.evalBatchSize = b.evalBatchSize;
        this.listener = b.listener;
        this.seed = b.seed;
        b.startHistory.forEach(history::add);
        int layers = net.layers();
        int maxRows = Math.max(batchSize, evalBatchSize);
        for (int l = 0; l <= layers; l++) { // before opening anything: sizes beyond one buffer are the caller's error
            int width = l == 0 ? net.inputs() : net.out(l - 1);
            checkBufferSize("activations of " + maxRows + " rows x " + width, (long) maxRows * width);
            if (l < layers) {
                checkBufferSize("layer " + (l + 1) + " weights " + net.out(l) + " x " + net.in(l),
                        (long) net.in(l) * net.out(l));
            }
        }
        float[][] init = start != null ? start.parameters() : net.initialParameters(b.seed);
        labels = start != null ? start.labels() : Classifier.defaultLabels(net.outputs());
        w = new Tensor[layers];
        this.b = new Tensor[layers];
        dw = new Tensor[layers];
        db = new Tensor[layers];
        act = new Tensor[layers + 1];
        grad = new Tensor[layers + 1];
        this.settings = Settings.current(b.options);
        BackendRegistry.Selection sel = BackendRegistry.open(settings);
        this.backend = sel.backend();
        this.choice = sel.why();
        try {
            for (int l = 0; l < layers; l++) {
                w[l] = backend.allocate(net.in(l) * net.out(l));
                this.b[l] = backend.allocate(net.out(l));
                dw[l] = backend.allocate(net.in(l) * net.out(l));
                db[l] = backend.allocate(net.out(l));
                backend.upload(w[l], init[l]);
                backend.upload(this.b[l], init[layers + l]);
            }
            for (int l = 0; l <= layers; l++) {
                int width = l == 0 ? net.inputs() : net.out(l - 1);
                act[l] = backend.allocate(maxRows * width);
                grad[l] = l == 0 ? null : backend.allocate(maxRows * width);
            }
            metrics = backend.allocate(2);
        } catch (RuntimeException | Error e) {
            backend.close(); // a trainer that fails to build leaves no threads or device memory behind
            throw e;
        }
    }

    private static void checkBufferSize(String what, long floats) {
        if (floats > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException(what + " = " + floats + " floats is more than one buffer can hold ("
                    + (Integer.MAX_VALUE - 64) + "); use a smaller batch size or narrower layers");
        }
    }

    /**
     * The backend in use: {@code cpu}, {@code aparapi} or {@code cublas}.
     *
     * @return the backend's name
     */
    public String backendName() {
        return backend.name();
    }

    /**
     * The device the backend computes on, in words.
     *
     * @return the device
     */
    public String device() {
        return backend.device();
    }

    /**
     * How the backend was chosen, e.g. {@code "cpu (environment MLP4J_BACKEND)"}.
     *
     * @return the choice and its source
     */
    public String backendChoice() {
        return choice;
    }

    /**
     * The shape of the network being trained.
     *
     * @return the network
     */
    public Network network() {
        return net;
    }

    /**
     * The seed of the initial parameters and of each epoch's shuffle (from the builder, or the checkpoint).
     *
     * @return the seed
     */
    public long seed() {
        return seed;
    }

    /**
     * Every epoch trained so far, including those of a resumed checkpoint.
     *
     * @return the live history
     */
    public History history() {
        return history;
    }

    /**
     * Trains for {@code epochs} epochs at learning rate {@code lr}, validating after each; can be called again
     * to continue. Prints nothing: see {@link TrainingListener} and {@link EpochRecord#tutorialLine()}.
     *
     * @param train the training set, shuffled each epoch
     * @param val the validation set
     * @param epochs how many epochs, 0 or more
     * @param lr the learning rate
     * @return the new epochs' records (also appended to {@link #history()})
     * @throws TrainingDivergedException if the loss becomes NaN or infinite; the parameters are those from
     *                                   before the failing epoch
     */
    public List<EpochRecord> fit(DataSet train, DataSet val, int epochs, double lr) {
        checkOpen();
        if (epochs < 0) {
            throw new IllegalArgumentException("epochs must not be negative, got " + epochs);
        }
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + lr);
        }
        if (train.size() == 0) {
            throw new IllegalArgumentException("training set " + train.name() + " is empty");
        }
        Resident data = residentOf(train);
        List<EpochRecord> out = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            EpochRecord r = trainEpoch(train, data, val, lr);
            history.add(r);
            out.add(r);
            listener.onEpoch(r);
        }
        return out;
    }

    private EpochRecord trainEpoch(DataSet train, Resident data, DataSet val, double lr) {
        int epoch = history.size() + 1;
        float[][] before = parameters();
        // A fresh permutation each epoch, like PyTorch's RandomSampler, drawn from (seed, epoch) alone so that
        // a run resumed from a checkpoint sees the same batches as one that never stopped.
        fillIdentity(data.hostOrder);
        DataSet.shuffle(data.hostOrder, new Random(seed * 0x9E3779B97F4A7C15L + epoch));
        if (data.sampleRows != null) { // a view: from sample numbers to rows of the shared arrays
            for (int i = 0; i < data.hostOrder.length; i++) {
                data.hostOrder[i] = data.sampleRows[data.hostOrder[i]];
            }
        }
        backend.upload(data.shuffled, data.hostOrder);
        resetMetrics();
        int n = train.size();
        int batches = (n + batchSize - 1) / batchSize;
        int progressEvery = Math.max(1, batches / 20);
        double runningLoss = Double.NaN;
        long t0 = System.nanoTime();
        for (int i = 0; i < batches; i++) {
            int offset = i * batchSize;
            int rows = Math.min(batchSize, n - offset);
            step(data, offset, rows, (float) lr);
            if ((i + 1) % progressEvery == 0 || i + 1 == batches) {
                backend.download(metrics, metricsHost);
                runningLoss = metricsHost[0] / (offset + rows);
                if (!Double.isFinite(runningLoss)) { // checked where the sum is read anyway: no extra sync
                    restore(before);
                    throw new TrainingDivergedException(String.format(java.util.Locale.ROOT,
                            "training diverged in epoch %d by step %d of %d at learning rate %s: the mean loss is"
                                    + " %s. The parameters from before this epoch were kept; try a smaller learning"
                                    + " rate.", epoch, i + 1, batches, lr, runningLoss));
                }
            }
            listener.onBatch(epoch, i + 1, batches, offset + rows, (System.nanoTime() - t0) / 1e9, runningLoss);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double trainLoss = runningLoss;
        Evaluation v = val == null || val.size() == 0 ? new Evaluation(Double.NaN, Double.NaN, 0) : evaluate(val);
        return new EpochRecord(epoch, lr, trainLoss, v.loss(), v.accuracy(), seconds, n / seconds);
    }

    /** One SGD step on rows [offset, offset+rows) of the data's current order. */
    private void step(Resident data, int offset, int rows, float lr) {
        int layers = net.layers();
        forward(data, data.shuffled, offset, rows);
        backend.softmaxCrossEntropy(act[layers], data.data, data.shuffled, offset, rows, net.outputs(),
                grad[layers], metrics);
        for (int l = layers - 1; l >= 0; l--) {
            backend.linearBackward(act[l], w[l], act[l + 1], grad[l + 1], l == 0 ? null : grad[l], dw[l], db[l],
                    rows, net.in(l), net.out(l), l < layers - 1);
        }
        for (int l = 0; l < layers; l++) {
            backend.sgdUpdate(w[l], dw[l], net.in(l) * net.out(l), lr);
            backend.sgdUpdate(b[l], db[l], net.out(l), lr);
        }
    }

    private void forward(Resident data, IndexBuffer order, int offset, int rows) {
        backend.gather(data.data, order, offset, rows, act[0]);
        for (int l = 0; l < net.layers(); l++) {
            backend.linearForward(act[l], w[l], b[l], act[l + 1], rows, net.in(l), net.out(l), l < net.layers() - 1);
        }
    }

    /**
     * Mean loss and accuracy over a data set, in its own order, without changing the parameters. On the cpu backend
     * this is {@link Classifier#evaluate}'s inference path (packed weights, no per-batch copies); other backends
     * evaluate on their device, where the data already are.
     *
     * @param data a labelled data set
     * @return the mean loss and the accuracy
     */
    public Evaluation evaluate(DataSet data) {
        checkOpen();
        Resident r = residentOf(data);
        if (backend instanceof CpuBackend) {
            return classifier().evaluate(data);
        }
        resetMetrics();
        for (int offset = 0; offset < data.size(); offset += evalBatchSize) {
            int rows = Math.min(evalBatchSize, data.size() - offset);
            forward(r, r.identity, offset, rows);
            backend.softmaxCrossEntropy(act[net.layers()], r.data, r.identity, offset, rows, net.outputs(), null,
                    metrics);
        }
        backend.download(metrics, metricsHost);
        int n = Math.max(1, data.size());
        return new Evaluation(metricsHost[0] / n, metricsHost[1] / n, data.size());
    }

    /**
     * Saves a checkpoint: the parameters, the seed and the history, in one safetensors file, written atomically.
     * {@link #resume} continues from it exactly as if training had not stopped (same batches, same results).
     *
     * @param file where to write; replaced if it exists
     * @throws IOException if the file cannot be written (nothing is left at {@code file} then)
     */
    public void saveCheckpoint(Path file) throws IOException {
        checkOpen();
        classifier().save(file, Map.of(CHECKPOINT_SEED, Long.toString(seed), CHECKPOINT_HISTORY, history.toCsv(true)));
    }

    /**
     * A builder that continues a checkpoint written by {@link #saveCheckpoint}: same network, parameters, seed and
     * history (the next epoch is numbered after the last one saved). Backend and batch sizes are configured as usual.
     *
     * @param checkpoint a file written by {@link #saveCheckpoint}
     * @return a builder; set a backend or options, then {@link Builder#build}
     * @throws IOException if the file is not a readable mlp4j checkpoint
     */
    public static Builder resume(Path checkpoint) throws IOException {
        Classifier.Loaded loaded = Classifier.loadWithMetadata(checkpoint);
        String seedText = loaded.metadata().get(CHECKPOINT_SEED);
        String historyText = loaded.metadata().get(CHECKPOINT_HISTORY);
        if (seedText == null || historyText == null) {
            throw new IOException(checkpoint + ": a model file but not a checkpoint (no " + CHECKPOINT_SEED + "/"
                    + CHECKPOINT_HISTORY + " metadata); write checkpoints with Trainer.saveCheckpoint");
        }
        Builder b = builder(loaded.classifier().network()).startFrom(loaded.classifier());
        try {
            b.seed(Long.parseLong(seedText));
            b.startHistory = History.parseCsv(historyText);
        } catch (IllegalArgumentException e) {
            throw new IOException(checkpoint + ": corrupt checkpoint metadata: " + e.getMessage(), e);
        }
        return b;
    }

    private static final String CHECKPOINT_SEED = "mlp4j.checkpoint.seed";
    private static final String CHECKPOINT_HISTORY = "mlp4j.checkpoint.history";

    /**
     * A snapshot of the current parameters as an immutable, thread-safe classifier.
     *
     * @return the classifier
     */
    public Classifier classifier() {
        checkOpen();
        return new Classifier(net, parameters(), labels, settings);
    }

    private float[][] parameters() {
        int layers = net.layers();
        float[][] p = new float[2 * layers][];
        for (int l = 0; l < layers; l++) {
            p[l] = new float[w[l].length()];
            backend.download(w[l], p[l]);
            p[layers + l] = new float[b[l].length()];
            backend.download(b[l], p[layers + l]);
        }
        return p;
    }

    private void restore(float[][] p) {
        for (int l = 0; l < net.layers(); l++) {
            backend.upload(w[l], p[l]);
            backend.upload(b[l], p[net.layers() + l]);
        }
    }

    private void resetMetrics() {
        metricsHost[0] = 0;
        metricsHost[1] = 0;
        backend.upload(metrics, metricsHost);
    }

    private Resident residentOf(DataSet data) {
        Resident r = resident.get(data);
        if (r != null) {
            return r;
        }
        if (data.features() != net.inputs()) {
            throw new IllegalArgumentException(data.name() + " has images of " + data.rows() + "x" + data.cols()
                    + " = " + data.features() + " pixels, but the network " + net + " takes " + net.inputs());
        }
        if (data.classCount() > net.outputs()) {
            throw new IllegalArgumentException(data.name() + " has labels up to " + (data.classCount() - 1)
                    + ", but the network " + net + " has only " + net.outputs() + " outputs");
        }
        DataSetAccess arrays = DataSetAccess.get(); // no copies: backends only read them
        int[] sampleRows = arrays.sampleRows(data);
        int[] order = new int[data.size()];
        fillIdentity(order);
        IndexBuffer identity = backend.allocateIndices(Math.max(1, order.length));
        backend.upload(identity, sampleRows != null ? sampleRows : order);
        byte[] pixels = arrays.pixels(data);
        byte[] labels = arrays.labels(data);
        DeviceDataset onDevice = uploaded.get(pixels);
        if (onDevice == null) {
            onDevice = backend.upload(pixels, labels, labels.length, data.features());
            uploaded.put(pixels, onDevice);
        }
        r = new Resident(onDevice, backend.allocateIndices(Math.max(1, order.length)), identity, order, sampleRows);
        resident.put(data, r);
        return r;
    }

    private static void fillIdentity(int[] order) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this trainer is closed");
        }
    }

    /** Frees the backend and everything on its device. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            backend.close();
        }
    }
}
