package io.mlp4j.demo;

import io.mlp4j.Checkpoint;
import io.mlp4j.Classifier;
import io.mlp4j.EpochRecord;
import io.mlp4j.Evaluation;
import io.mlp4j.Network;
import io.mlp4j.Trainer;
import io.mlp4j.TrainingListener;
import io.mlp4j.data.DataSet;
import io.mlp4j.data.Mnist;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.stream.Collectors;

/** {@code mlp4j train}: the tutorial's workflow, end to end. */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Train on MNIST like the tutorial: a seeded 50,000/10,000 split of the training images, "
                + "SGD on shuffled batches, validation after each epoch, then the test set.",
                "Writes model.safetensors, history.csv, history.json, loss.png, accuracy.png, batch.png and "
                        + "confusion.png to --out (all or nothing)."})
final class TrainCommand implements Callable<Integer> {

    /** How many training images MNIST has: a directory with fewer holds a subset, and train says so. */
    static final int MNIST_TRAINING = 60_000;

    /** MNIST's training images minus the tutorial's 10,000 for validation. */
    static final int VALIDATION = 10_000;
    static final int GRID_PER_ROW = 16;
    static final int GRID_PADDING = 2;

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Mixin
    BackendOptions backend;

    @Option(names = "--hidden", paramLabel = "W[,W...]", converter = Schedule.HiddenConverter.class,
            description = "Hidden layer widths (default: ${DEFAULT-VALUE}, the tutorial's).", defaultValue = "32")
    Schedule.Hidden hidden;

    @Option(names = "--schedule", paramLabel = "E@LR[,E@LR...]", converter = Schedule.Converter.class,
            defaultValue = Schedule.TUTORIAL,
            description = "Epochs at each learning rate (default: ${DEFAULT-VALUE}, the tutorial's fit(5, 0.5) then fit(5, 0.1)).")
    Schedule schedule;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "128",
            description = "Training batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Seed of the split, the initial parameters and the shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--limit", paramLabel = "N",
            description = "Train on only the first N training samples (for quick runs); validation and test stay whole.")
    Integer limit;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/latest",
            description = "Output directory (default: ${DEFAULT-VALUE}); created if needed.")
    Path out;

    @Option(names = "--checkpoint-every", paramLabel = "N",
            description = "Write DIR/" + CHECKPOINT + " (atomically) every N epochs, for --resume.")
    Integer checkpointEvery;

    @Option(names = "--resume", paramLabel = "FILE|DIR",
            description = "Continue a run from its checkpoint (a file, or a directory holding " + CHECKPOINT + "):"
                    + " network, parameters, seed, history and schedule position come from it; pass the same"
                    + " --schedule, --batch, --limit and data as the first run to end exactly where it would have.")
    Path resume;

    static final String CHECKPOINT = "checkpoint.safetensors";

    @Override
    public Integer call() throws Exception {
        Phases phases = new Phases();
        phases.end("command line (picocli)");
        PrintWriter o = spec.commandLine().getOut();
        if (batch < 1) {
            throw new CliException("bad --batch " + batch + ": expected at least 1");
        }
        if (limit != null && limit < 1) {
            throw new CliException("bad --limit " + limit + ": expected at least 1");
        }
        if (checkpointEvery != null && checkpointEvery < 1) {
            throw new CliException("bad --checkpoint-every " + checkpointEvery + ": expected at least 1");
        }
        Checkpoint resumed = null;
        if (resume != null) {
            Path file = java.nio.file.Files.isDirectory(resume) ? resume.resolve(CHECKPOINT) : resume;
            resumed = Checkpoint.read(file); // IOException names the file and what is wrong
            seed = resumed.seed(); // the split and the shuffles must be the first run's
        }
        int[] resumedSizes = resumed != null ? resumed.model().network().sizes() : null;
        WarmUp warmUp = WarmUp.start(resumedSizes != null
                ? Arrays.copyOfRange(resumedSizes, 1, resumedSizes.length - 1) : hidden.widths(), batch,
                backend.options());
        try {
            return train(phases, o, resumed, warmUp);
        } finally {
            warmUp.stop();
        }
    }

    private int train(Phases phases, PrintWriter o, Checkpoint resumed, WarmUp warmUp) throws Exception {
        Mnist mnist = data.load();
        phases.end("data: training and test sets read and decoded (two threads)");
        DataSet all = mnist.train();
        int valSize = all.size() > VALIDATION ? VALIDATION : all.size() / 6;
        DataSet.Split split = all.split(all.size() - valSize, seed);
        DataSet train = split.first();
        DataSet val = split.second();
        if (limit != null && limit < train.size()) {
            train = train.head(limit);
        }
        int[] widths = hidden.widths();
        int[] sizes = new int[widths.length + 2];
        sizes[0] = all.features();
        System.arraycopy(widths, 0, sizes, 1, widths.length);
        sizes[sizes.length - 1] = Math.max(10, Math.max(all.classCount(), mnist.test().classCount()));
        Network net = resumed != null ? resumed.model().network() : Network.of(sizes);
        if (net.inputs() != all.features()) {
            throw new CliException("the checkpoint's network " + net + " takes " + net.inputs() + " inputs, but the"
                    + " images have " + all.features() + " pixels");
        }

        Progress progress = new Progress(o, Progress.terminalOrNull(), schedule.epochs());
        FirstBatch firstBatch = new FirstBatch(progress, phases);
        try (StagedOutput output = new StagedOutput(out);
             Trainer trainer = backend.build(backend.apply(resumed != null ? Trainer.builder(net).resumeFrom(resumed)
                     : Trainer.builder(net).seed(seed))
                     .batchSize(batch).listener(firstBatch))) {
            phases.end("backend opened, parameters initialised, output folder staged");
            o.println("backend: " + trainer.backendName() + " on " + trainer.device() + ", chosen by "
                    + backend.explain(trainer.backendChoice()));
            o.println(String.format(Locale.ROOT, "network: %s (%,d parameters), batch %d, schedule %s, seed %d",
                    net, net.parameterCount(), batch, schedule, seed));
            o.println(String.format(Locale.ROOT, "data: %s: %,d training, %,d validation, %,d test images%s",
                    data.dir(), train.size(), val.size(), mnist.test().size(), all.size() < MNIST_TRAINING
                    ? String.format(Locale.ROOT, " (a subset: %,d of MNIST's %,d training images)", all.size(),
                    MNIST_TRAINING) : ""));
            output.onStop(() -> "after " + trainer.history().size() + " epochs; nothing written to " + out
                    + (checkpointEvery != null && java.nio.file.Files.exists(output.dir().resolve(CHECKPOINT))
                    ? " but " + CHECKPOINT + " (continue with --resume " + out + ")" : ""));
            int done = trainer.history().size();
            boolean fresh = done == 0;
            warmUp.stop();
            Evaluation initial = trainer.evaluate(val);
            o.println((done == 0 ? "before training: " : "resumed after epoch " + done + ": ") + initial.line("val"));
            o.flush();
            phases.end("validation before training");
            long t0 = System.nanoTime();
            for (Schedule.Stage stage : schedule.stages()) {
                int skip = Math.min(done, stage.epochs()); // epochs of this stage the checkpoint already holds
                done -= skip;
                for (int e = skip; e < stage.epochs(); e++) {
                    trainer.fit(train, val, 1, stage.lr());
                    if (checkpointEvery != null && trainer.history().size() % checkpointEvery == 0) {
                        trainer.checkpoint().write(output.dir().resolve(CHECKPOINT));
                    }
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            phases.end("epochs: training and validation after each");
            Evaluation test = trainer.evaluate(mnist.test());
            List<EpochRecord> epochs = trainer.history().epochs();
            o.println(String.format(Locale.ROOT, "trained %d epochs in %.2f s (%,.0f samples/s on average)",
                    epochs.size(), seconds, epochs.stream().mapToDouble(EpochRecord::samplesPerSecond).average()
                            .orElse(0)));
            // The tutorial's final evaluation first: the files below do not change it, and charts take a while.
            o.println(test.line("test"));
            o.flush();
            phases.end("test set evaluated");
            double toTestLine = phases.sinceLaunch();

            writeOutputs(output, trainer.classifier(), trainer, fresh ? initial : null, mnist.test(), train,
                    provenance(train, val, test, trainer));
            List<Path> written = output.commit();
            o.println("wrote " + written.stream().map(p -> p.getFileName().toString())
                    .collect(Collectors.joining(", ")) + " to " + out);
            o.flush();
            phases.end("outputs: charts, model and history written, then moved into place");
            if (Main.verbose(spec)) {
                PrintWriter err = spec.commandLine().getErr();
                phases.print(err);
                err.println(String.format(Locale.ROOT, "  first training batch ended %.3f s after launch, the test"
                        + " line %.3f s after launch", firstBatch.sinceLaunch, toTestLine));
                err.flush();
            }
        } finally {
            progress.clear();
        }
        return 0;
    }

    /** Passes the trainer's events on to the progress display, and notes when the first batch ended. */
    private static final class FirstBatch implements TrainingListener {
        private final TrainingListener next;
        private final Phases phases;
        double sinceLaunch = Double.NaN;

        FirstBatch(TrainingListener next, Phases phases) {
            this.next = next;
            this.phases = phases;
        }

        @Override
        public void onBatch(int epoch, int batch, int batches, int samples, double seconds, double runningLoss) {
            if (Double.isNaN(sinceLaunch)) {
                sinceLaunch = phases.sinceLaunch();
            }
            next.onBatch(epoch, batch, batches, samples, seconds, runningLoss);
        }

        @Override
        public void onEpoch(EpochRecord record) {
            next.onEpoch(record);
        }
    }

    private void writeOutputs(StagedOutput output, Classifier model, Trainer trainer, Evaluation initial,
                              DataSet test, DataSet train, Map<String, String> provenance) throws Exception {
        // The untrained model's point (epoch 0) is only known to a run that started from scratch.
        List<EpochRecord> epochs = trainer.history().epochs();
        int first = initial == null ? 0 : 1;
        double[] xs = new double[epochs.size() + first];
        double[] loss = new double[xs.length];
        double[] acc = new double[xs.length];
        if (initial != null) {
            loss[0] = initial.loss();
            acc[0] = initial.accuracy();
        }
        for (int i = 0; i < epochs.size(); i++) {
            xs[i + first] = epochs.get(i).epoch();
            loss[i + first] = epochs.get(i).valLoss();
            acc[i + first] = epochs.get(i).valAccuracy();
        }
        int[] order = DataSet.permutation(train.size(), new Random(seed));
        int[] oneBatch = Arrays.copyOf(order, Math.min(batch, order.length));
        // Two threads: the batch grid and the confusion matrix (a pass over the test set) on a helper, the line
        // charts and the other files on this one. Nothing is staged until both are done.
        FutureTask<byte[][]> pictures = new FutureTask<>(() -> new byte[][] {
                Charts.png(Charts.grid(train, oneBatch, GRID_PER_ROW, GRID_PADDING)),
                Charts.png(Charts.confusion("Confusion matrix (test set)", confusion(model, test), model.labels()))});
        Thread helper = new Thread(pictures, "mlp4j-charts");
        helper.setDaemon(true); // a failure here leaves it nothing to write into
        helper.start();
        byte[] lossPng = Charts.png(Charts.lineChart("Loss vs. No. of epochs", "epoch", "val_loss", xs, loss));
        byte[] accPng = Charts.png(Charts.lineChart("Accuracy vs. No. of epochs", "epoch", "val_acc", xs, acc));
        byte[] history = trainer.history().toCsv().getBytes(StandardCharsets.UTF_8);
        byte[] historyJson = trainer.history().toJson().getBytes(StandardCharsets.UTF_8);
        byte[][] batchAndConfusion;
        try {
            batchAndConfusion = pictures.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e.getCause() instanceof Exception cause ? cause : e;
        }

        model.save(output.path("model.safetensors"), provenance);
        output.write("history.csv", history);
        output.write("history.json", historyJson);
        output.write("loss.png", lossPng);
        output.write("accuracy.png", accPng);
        output.write("batch.png", batchAndConfusion[0]);
        output.write("confusion.png", batchAndConfusion[1]);
    }

    /** How the model was made, kept in its file's metadata (and carried into an ONNX export). */
    private Map<String, String> provenance(DataSet train, DataSet val, Evaluation test, Trainer trainer)
            throws java.io.IOException {
        List<EpochRecord> epochs = trainer.history().epochs();
        Map<String, String> p = new TreeMap<>();
        p.put("trained_by", "mlp4j " + Main.Version.version() + " train");
        p.put("trained_on", String.format(Locale.ROOT, "the IDX files in %s/: %d training and %d validation images"
                + " (seeded split)", data.dir().getFileName(), train.size(), val.size()));
        p.put("schedule", schedule.toString());
        p.put("batch", Integer.toString(batch));
        p.put("seed", Long.toString(seed));
        p.put("epochs", Integer.toString(epochs.size()));
        p.put("backend", trainer.backendName());
        if (!epochs.isEmpty()) {
            p.put("val_accuracy", String.format(Locale.ROOT, "%.4f", epochs.get(epochs.size() - 1).valAccuracy()));
        }
        p.put("test_accuracy", String.format(Locale.ROOT, "%.4f", test.accuracy()));
        p.put("test_loss", String.format(Locale.ROOT, "%.4f", test.loss()));
        return p;
    }

    /** counts[true][predicted] over a labelled data set. */
    static int[][] confusion(Classifier model, DataSet data) {
        int n = model.network().outputs();
        int[][] counts = new int[n][n];
        int[] predicted = model.predict(data);
        for (int i = 0; i < data.size(); i++) {
            counts[data.label(i)][predicted[i]]++;
        }
        return counts;
    }
}
