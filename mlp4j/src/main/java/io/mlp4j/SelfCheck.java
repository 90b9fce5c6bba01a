package io.mlp4j;

import io.mlp4j.spi.Backend;
import io.mlp4j.spi.BackendProvider;
import io.mlp4j.spi.OperationCheck;
import io.mlp4j.spi.OperationCheck.Shape;
import io.mlp4j.spi.Settings;
import io.mlp4j.data.DataSet;
import io.mlp4j.training.Parameters;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A data-free proof that a backend computes what the CPU reference computes: every operation on odd shapes of
 * seeded random inputs against a plain scalar reference in double precision, then 20 training steps on synthetic
 * data against the cpu backend (plain loops, one thread). Meant for a fresh GPU host: it needs no data set.
 * On CUDA it runs with {@code cuda.sync=true}, so an asynchronous fault is reported by the operation causing it.
 */
public final class SelfCheck {

    /** The shapes (rows x in x out): the tutorial's two layers, odd sizes, one sample, and a large layer. */
    static final List<Shape> SHAPES = List.of(new Shape(128, 784, 32), new Shape(128, 32, 10),
            new Shape(127, 785, 33), new Shape(1, 784, 10), new Shape(1000, 512, 512));
    /** Parameters after the training steps: each within this fraction of the largest reference parameter. */
    static final double TRAINING_TOLERANCE = 1e-4;
    static final int TRAINING_STEPS = 20;

    /**
     * The outcome for one backend.
     *
     * @param backend     the backend's name
     * @param checks      how many checks ran (0 when it could not run)
     * @param failed      how many of them failed
     * @param unavailable why the backend cannot run here, or null when it ran
     */
    public record Outcome(String backend, int checks, int failed, String unavailable) {
        /**
         * Whether the backend could run here.
         *
         * @return true unless the backend was unavailable
         */
        public boolean ran() {
            return unavailable == null;
        }

        /**
         * Whether every check ran and none failed.
         *
         * @return true when the backend passed
         */
        public boolean passed() {
            return ran() && failed == 0 && checks > 0;
        }

        /**
         * {@code selfcheck NAME: passed (N checks)}, {@code ...: FAILED (K of N)} or {@code ...: unavailable: why}.
         *
         * @return the summary line
         */
        public String summary() {
            if (!ran()) {
                return "selfcheck " + backend + ": unavailable: " + unavailable;
            }
            return "selfcheck " + backend + ": " + (passed() ? "passed (" + checks + " checks)"
                    : "FAILED (" + failed + " of " + checks + ")");
        }
    }

    private SelfCheck() {
    }

    /**
     * Checks one backend and hands each result line to {@code out} as soon as it is known (the summary line is
     * the caller's: {@link Outcome#summary()}). An unavailable backend is only probed: nothing is printed.
     *
     * @param backend {@code cpu}, {@code aparapi}, {@code cublas}, or {@code auto} (the one training would use)
     * @param options configuration values on top of the usual sources (keys as in {@link Trainer.Builder#option})
     * @param quick   leaves out the large shape
     * @param out     receives each result line
     * @return how many checks ran and failed, or why the backend is unavailable
     */
    public static Outcome run(String backend, Map<String, String> options, boolean quick, Consumer<String> out) {
        Map<String, String> target = new HashMap<>(options);
        target.put(Settings.BACKEND, backend);
        target.putIfAbsent(Settings.CUDA_SYNC, "true");
        Settings settings = Settings.current(target);
        String name = backend;
        Supplier<Backend> opener = () -> BackendRegistry.open(settings).backend();
        if (!backend.equals("auto")) {
            BackendProvider.Probe probe = BackendRegistry.probe(backend, settings);
            if (!probe.available()) {
                return new Outcome(backend, 0, 0, probe.reason());
            }
            opener = probe.opener();
        }
        List<OperationCheck.Result> results = new ArrayList<>();
        Backend b;
        try {
            b = opener.get();
        } catch (RuntimeException e) {
            out.accept("open FAILED: " + e.getMessage());
            return new Outcome(name, 1, 1, null);
        }
        try (b) {
            name = b.name();
            out.accept("selfcheck " + name + " on " + b.device());
            OperationCheck check = new OperationCheck(b, 42);
            for (Shape s : SHAPES) {
                if (!quick || s.rows() * (long) s.in() * s.out() < 100_000_000L) {
                    check.run(s, r -> {
                        results.add(r);
                        out.accept(r.line());
                    });
                }
            }
        }
        int failed = (int) results.stream().filter(r -> !r.passed()).count();
        boolean trained = training(target, out);
        return new Outcome(name, results.size() + 1, failed + (trained ? 0 : 1), null);
    }

    /** Training steps with the backend under test and with the reference; true when the parameters agree. */
    static boolean training(Map<String, String> target, Consumer<String> out) {
        Network net = Network.of(784, 32, 10);
        int batch = 128;
        DataSet data = synthetic(TRAINING_STEPS * batch, 7);
        String label = String.format(Locale.ROOT, "%-26s %-15s", "training " + TRAINING_STEPS + " steps", net + " b"
                + batch);
        try {
            long t0 = System.nanoTime();
            float[][] got = train(Trainer.builder(net), target, data, batch).tensors().toArray(float[][]::new);
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, String> reference = Map.of(Settings.BACKEND, "cpu", Settings.CPU_VECTOR, "false",
                    Settings.THREADS, "1");
            float[][] want = train(Trainer.builder(net), reference, data, batch).tensors().toArray(float[][]::new);
            double maxAbs = 0;
            double scale = 0;
            for (int t = 0; t < want.length; t++) {
                for (int i = 0; i < want[t].length; i++) {
                    double d = Math.abs((double) got[t][i] - want[t][i]);
                    maxAbs = Double.isNaN(d) || Double.isNaN(maxAbs) ? Double.NaN : Math.max(maxAbs, d);
                    scale = Math.max(scale, Math.abs(want[t][i]));
                }
            }
            double rel = maxAbs / scale;
            boolean ok = rel <= TRAINING_TOLERANCE;
            out.accept(label + String.format(Locale.ROOT, " max abs err %.2e  max rel err %.2e  %9.3f ms  %s",
                    maxAbs, rel, seconds * 1e3, ok ? "ok" : "FAILED (parameters differ from the cpu backend's)"));
            return ok;
        } catch (RuntimeException e) {
            out.accept(label + " FAILED: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return false;
        }
    }

    private static Parameters train(Trainer.Builder builder, Map<String, String> options, DataSet data, int batch) {
        options.forEach(builder::option);
        try (Trainer t = builder.seed(42).batchSize(batch).build()) {
            t.fit(data, null, 1, 0.5);
            return t.classifier().parameters();
        }
    }

    /** Ten classes of 28x28 noise, each with a bright bar of its own, so that the gradients carry signal. */
    static DataSet synthetic(int n, long seed) {
        Random r = new Random(seed);
        byte[] pixels = new byte[n * 784];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            int label = r.nextInt(10);
            labels[i] = (byte) label;
            for (int p = 0; p < 784; p++) {
                int row = p / 28;
                int v = r.nextInt(64) + (row >= 2 + 2 * label && row < 5 + 2 * label ? 160 : 0);
                pixels[i * 784 + p] = (byte) v;
            }
        }
        return DataSet.of("synthetic", pixels, labels, 28, 28);
    }
}
