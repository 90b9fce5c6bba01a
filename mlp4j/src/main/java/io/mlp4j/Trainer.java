package io.mlp4j;

import io.mlp4j.backend.cpu.CpuBackend;
import io.mlp4j.data.DataSet;

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
    private final long seed;
    private final List<String> labels;
    private final History history = new History();
    private final TrainingLoop loop;

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
        b.startHistory.forEach(history::add);
        labels = b.start != null ? b.start.labels() : ModelLoader.defaultLabels(net.outputs());
        loop = new TrainingLoop(net, b.start != null ? b.start.parameters() : net.initialParameters(b.seed), b.options,
                b.listener, b.batchSize, b.evalBatchSize, seed);
    }

    /**
     * The backend in use: {@code cpu}, {@code aparapi} or {@code cublas}.
     *
     * @return the backend's name
     */
    public String backendName() {
        return loop.backend.name();
    }

    /**
     * The device the backend computes on, in words.
     *
     * @return the device
     */
    public String device() {
        return loop.backend.device();
    }

    /**
     * How the backend was chosen, e.g. {@code "cpu (environment MLP4J_BACKEND)"}.
     *
     * @return the choice and its source
     */
    public String backendChoice() {
        return loop.choice;
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
        loop.checkOpen();
        return loop.fit(train, val, epochs, lr, history, this::evaluate);
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
        loop.checkOpen();
        if (loop.backend instanceof CpuBackend) {
            loop.upload(data); // checks the set as other backends do
            return classifier().evaluate(data);
        }
        return loop.evaluate(data);
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
        loop.checkOpen();
        return new Classifier(net, loop.step.download(), labels, loop.settings);
    }

    /** Frees the backend and everything on its device. */
    @Override
    public void close() {
        loop.close();
    }
}
