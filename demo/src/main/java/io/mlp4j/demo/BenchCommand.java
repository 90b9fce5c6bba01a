package io.mlp4j.demo;

import io.mlp4j.BackendStatus;
import io.mlp4j.EpochRecord;
import io.mlp4j.Network;
import io.mlp4j.Trainer;
import io.mlp4j.data.DataSet;
import io.mlp4j.data.Mnist;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code mlp4j bench}: epoch time per backend on the tutorial's model. */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Train the tutorial's 784-32-10 model (batch 128, lr 0.5) for a few epochs on each "
                + "available backend and print a table: first epoch (with warm-up), median epoch, samples/s, "
                + "final validation accuracy.")
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "3",
            description = "Epochs per backend (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--backends", paramLabel = "B[,B...]", split = ",",
            converter = BackendOptions.NameConverter.class,
            description = "Backends to time (default: every available one).")
    List<String> backends;

    @Option(names = "--threads", paramLabel = "N", converter = BackendOptions.ThreadsConverter.class,
            description = "Threads for the cpu backend (default: configuration, else the number of cores).")
    Integer threads;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--limit", paramLabel = "N", description = "Train on only the first N training samples.")
    Integer limit;

    @Override
    public Integer call() throws Exception {
        if (epochs < 1) {
            throw new CliException("bad --epochs " + epochs + ": expected at least 1");
        }
        PrintWriter o = spec.commandLine().getOut();
        Mnist mnist = data.load();
        DataSet.Split split = mnist.train().split(mnist.train().size() - TrainCommand.VALIDATION, seed);
        DataSet train = limit != null && limit > 0 && limit < split.first().size() ? split.first().head(limit)
                : split.first();
        DataSet val = split.second();
        Network net = Network.of(train.features(), 32, 10);

        List<String> names = new ArrayList<>();
        Map<String, String> extra = threads == null ? Map.of() : Map.of("threads", threads.toString());
        for (BackendStatus s : BackendStatus.list(extra)) {
            boolean wanted = backends == null || backends.contains(s.name()) || backends.contains("auto");
            if (!wanted) {
                continue;
            }
            if (s.available()) {
                names.add(s.name());
            } else {
                o.println("skipped " + s.name() + ": " + s.reason());
            }
        }
        o.println(String.format(Locale.ROOT, "model %s, batch 128, lr 0.5, %,d training samples, %d epochs per backend",
                net, train.size(), epochs));
        String header = String.format(Locale.ROOT, "%-8s  %-40s  %9s  %10s  %12s  %7s", "backend", "device",
                "first s", "median s", "samples/s", "val_acc");
        o.println(header);
        o.println("-".repeat(header.length()));
        o.flush();
        for (String name : names) {
            Trainer.Builder b = Trainer.builder(net).seed(seed).batchSize(128).backend(name);
            if (threads != null) {
                b.threads(threads);
            }
            try (Trainer t = b.build()) {
                List<EpochRecord> rs = t.fit(train, val, epochs, 0.5);
                double[] secs = rs.stream().mapToDouble(EpochRecord::seconds).toArray();
                double[] rest = epochs > 1 ? Arrays.copyOfRange(secs, 1, secs.length) : secs;
                double median = median(rest);
                String device = t.device().length() > 40 ? t.device().substring(0, 37) + "..." : t.device();
                o.println(String.format(Locale.ROOT, "%-8s  %-40s  %9.3f  %10.3f  %,12.0f  %7.4f", name, device,
                        secs[0], median, train.size() / median, rs.get(rs.size() - 1).valAccuracy()));
                o.flush();
            }
        }
        return 0;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
