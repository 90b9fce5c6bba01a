package io.mlp4j.bench;

import io.mlp4j.EpochRecord;
import io.mlp4j.Evaluation;
import io.mlp4j.Network;
import io.mlp4j.Trainer;
import io.mlp4j.TrainingListener;
import io.mlp4j.data.DataSet;
import io.mlp4j.data.Mnist;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The tutorial's training run through the public API only, printing what compare.sh needs: epoch lines with
 * seconds, test accuracy, time from process start to the first batch, and a final {@code RESULT {json}} line
 * shaped like the PyTorch script's. Options mirror the demo's {@code train} and {@code bench/pytorch/mnist_mlp.py}:
 * <pre>--data DIR --backend auto|cpu|aparapi|cublas --hidden 32 --batch 128 --schedule 5@0.5,5@0.1 --threads N --seed 42</pre>
 */
public final class TrainMain {

    private TrainMain() {
    }

    public static void main(String[] args) throws Exception {
        Instant start = ProcessHandle.current().info().startInstant().orElse(Instant.now());
        String data = System.getenv().getOrDefault("MLP4J_DATA", "../shared/mnist");
        String backend = "auto";
        String hidden = "32";
        String schedule = "5@0.5,5@0.1";
        int batch = 128;
        int threads = 0;
        long seed = 42;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--data" -> data = v;
                case "--backend" -> backend = v;
                case "--hidden" -> hidden = v;
                case "--schedule" -> schedule = v;
                case "--batch" -> batch = Integer.parseInt(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                default -> throw new IllegalArgumentException("unknown option " + a
                        + " (--data --backend --hidden --batch --schedule --threads --seed)");
            }
        }
        int[] h = Arrays.stream(hidden.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .mapToInt(Integer::parseInt).toArray();
        int[] sizes = new int[h.length + 2];
        sizes[0] = 784;
        System.arraycopy(h, 0, sizes, 1, h.length);
        sizes[sizes.length - 1] = 10;
        Network net = Network.of(sizes);

        Mnist mnist = Mnist.load(Path.of(data));
        DataSet.Split split = mnist.train().split(50_000, seed);
        double[] firstBatch = {Double.NaN};
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onBatch(int epoch, int batchNo, int batches, int samples, double seconds, double runningLoss) {
                if (Double.isNaN(firstBatch[0])) {
                    firstBatch[0] = (System.currentTimeMillis() - start.toEpochMilli()) / 1e3;
                }
            }

            @Override
            public void onEpoch(EpochRecord r) {
                System.out.printf(Locale.ROOT, "%s  [%.3f s, %,.0f samples/s]%n", r.tutorialLine(), r.seconds(),
                        r.samplesPerSecond());
            }
        };
        Trainer.Builder b = Trainer.builder(net).backend(backend).seed(seed).batchSize(batch).listener(listener);
        if (threads > 0) {
            b.threads(threads);
        }
        try (Trainer t = b.build()) {
            System.out.println("backend: " + t.backendName() + " on " + t.device() + " (" + t.backendChoice() + ")");
            for (String stage : schedule.split(",")) {
                String[] p = stage.trim().split("@");
                t.fit(split.first(), split.second(), Integer.parseInt(p[0]), Double.parseDouble(p[1]));
            }
            Evaluation test = t.evaluate(mnist.test());
            System.out.println(test.line("test"));
            List<EpochRecord> epochs = t.history().epochs();
            List<Double> later = new ArrayList<>();
            epochs.stream().skip(epochs.size() > 1 ? 1 : 0).forEach(r -> later.add(r.seconds()));
            later.sort(null);
            int n = later.size();
            double median = n % 2 == 1 ? later.get(n / 2) : (later.get(n / 2 - 1) + later.get(n / 2)) / 2;
            StringBuilder js = new StringBuilder();
            js.append(String.format(Locale.ROOT, "{\"impl\": \"mlp4j\", \"backend\": \"%s\", \"device_name\": \"%s\","
                            + " \"sizes\": %s, \"batch\": %d, \"epochs\": [", t.backendName(),
                    t.device().replace("\"", "'"), Arrays.toString(sizes), batch));
            for (int i = 0; i < epochs.size(); i++) {
                EpochRecord r = epochs.get(i);
                js.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "{\"epoch\": %d, \"lr\": %s,"
                                + " \"train_loss\": %.6f, \"val_loss\": %.6f, \"val_acc\": %.6f, \"seconds\": %.6f}",
                        r.epoch(), r.learningRate(), r.trainLoss(), r.valLoss(), r.valAccuracy(), r.seconds()));
            }
            js.append(String.format(Locale.ROOT, "], \"median_epoch_s\": %.6f, \"val_acc\": %.6f, \"test_acc\": %.6f,"
                            + " \"test_loss\": %.6f, \"startup_to_first_batch_s\": %.3f}", median,
                    epochs.get(epochs.size() - 1).valAccuracy(), test.accuracy(), test.loss(), firstBatch[0]));
            System.out.printf(Locale.ROOT, "median epoch (2..) %.3f s, first batch after %.3f s%n", median,
                    firstBatch[0]);
            System.out.println("RESULT " + js);
        }
    }
}
