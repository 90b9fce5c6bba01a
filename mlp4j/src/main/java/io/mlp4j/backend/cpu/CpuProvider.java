package io.mlp4j.backend.cpu;

import io.mlp4j.spi.BackendProvider;
import io.mlp4j.spi.Settings;

/** The CPU backend, the reference: always available. Keys: {@code threads}, {@code cpu.vector}. */
public final class CpuProvider implements BackendProvider {

    private static final System.Logger LOG = System.getLogger("io.mlp4j");
    /** The slow path is reported once per process, not for every classifier and trainer. */
    private static final java.util.concurrent.atomic.AtomicBoolean PLAIN_LOOPS_REPORTED =
            new java.util.concurrent.atomic.AtomicBoolean();

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int rank() {
        return 100;
    }

    @Override
    public Probe probe(Settings settings) {
        int threads = threads(settings);
        boolean vector = useVector(settings);
        return Probe.available(describe(threads, vector), true, () -> new CpuBackend(threads, vector));
    }

    /** {@code mlp4j.threads}, by default the number of processors. */
    public static int threads(Settings settings) {
        return settings.getInt(Settings.THREADS, Runtime.getRuntime().availableProcessors(), 1);
    }

    /** Whether {@code mlp4j.cpu.vector} (auto: whether the Vector API is resolved) asks for the Vector API kernels. */
    public static boolean useVector(Settings settings) {
        return switch (settings.getChoice(Settings.CPU_VECTOR, "auto", "auto", "true", "false")) {
            case "auto" -> {
                boolean available = CpuBackend.vectorApiAvailable();
                if (!available && PLAIN_LOOPS_REPORTED.compareAndSet(false, true)) {
                    LOG.log(System.Logger.Level.DEBUG, "cpu kernels: plain loops, several times slower than the"
                            + " Vector API kernels, because jdk.incubator.vector is not resolved (add"
                            + " --add-modules jdk.incubator.vector)");
                }
                yield available;
            }
            case "true" -> true;
            default -> false;
        };
    }

    private static String describe(int threads, boolean vector) {
        return "CPU, " + threads + (threads == 1 ? " thread, " : " threads, ")
                + (vector ? "Vector API" : "plain loops" + (CpuBackend.vectorApiAvailable() ? ""
                : " (add --add-modules jdk.incubator.vector for the faster Vector API kernels)"));
    }
}
