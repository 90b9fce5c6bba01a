package io.mlp4j;

import io.mlp4j.backend.Backend;
import io.mlp4j.backend.BackendRegistry;
import io.mlp4j.backend.Settings;
import io.mlp4j.backend.cpu.CpuBackend;
import io.mlp4j.data.DataSet;
import io.mlp4j.training.Parameters;
import io.mlp4j.training.TrainingStep;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
         * Continues a checkpoint: its parameters, seed and history (the next epoch is numbered after its last).
         * Backend and batch sizes are configured as usual; the same data and batch size give the same batches.
         *
         * @param checkpoint a checkpoint of the builder's network shape
         * @return this builder
         */
        public Builder resumeFrom(Checkpoint checkpoint) {
            startFrom(checkpoint.model());
            seed(checkpoint.seed());
            startHistory = checkpoint.history();
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

    private final Network net;
    private final Backend backend;
    private final Settings settings;
    private final String choice;
    private final long seed;
    private final List<String> labels;
    private final History history = new History();
    private final TrainingStep step;
    private final DeviceData data;
    private final Epochs loops;
    private final TrainingListener listener;
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
        this.net = b.network;
        this.seed = b.seed;
        this.listener = b.listener;
        b.startHistory.forEach(history::add);
        int maxRows = Math.max(b.batchSize, b.evalBatchSize);
        TrainingStep.checkSizes(net.sizes(), maxRows); // before opening anything: the caller's error
        Parameters init = b.start != null ? b.start.parameters() : net.initialParameters(b.seed);
        labels = b.start != null ? b.start.labels() : ModelLoader.defaultLabels(net.outputs());
        this.settings = Settings.current(b.options);
        BackendRegistry.Selection sel = BackendRegistry.open(settings);
        this.backend = sel.backend();
        this.choice = sel.why();
        try {
            step = new TrainingStep(backend, net.sizes(), maxRows);
            step.upload(init);
            data = new DeviceData(backend);
            loops = new Epochs(step, data, b.listener, b.batchSize, b.evalBatchSize, seed);
        } catch (RuntimeException | Error e) {
            backend.close(); // a trainer that fails to build leaves no threads or device memory behind
            throw e;
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
        DeviceData.Resident resident = data.of(train, net);
        List<EpochRecord> out = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            EpochRecord r = loops.train(history.size() + 1, resident, val, lr, this::evaluate);
            history.add(r);
            out.add(r);
            listener.onEpoch(r);
        }
        return out;
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
        DeviceData.Resident r = this.data.of(data, net);
        if (backend instanceof CpuBackend) {
            return classifier().evaluate(data);
        }
        return loops.evaluate(r);
    }

    /**
     * Where training stands: the current parameters, the seed and the history. {@link Checkpoint#write} saves it;
     * {@link Builder#resumeFrom} continues it exactly as if training had not stopped.
     *
     * @return a snapshot
     */
    public Checkpoint checkpoint() {
        return new Checkpoint(classifier(), seed, history.epochs());
    }

    /**
     * A snapshot of the current parameters as an immutable, thread-safe classifier.
     *
     * @return the classifier
     */
    public Classifier classifier() {
        checkOpen();
        return new Classifier(net, step.download(), labels, settings);
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
