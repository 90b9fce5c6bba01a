package io.mlp4j.backend.cpu;

import io.mlp4j.backend.Backend;
import io.mlp4j.backend.BackendProvider;
import io.mlp4j.backend.Settings;

/** The CPU backend: always available. Keys: {@code threads}, {@code cpu.vector} = auto | true | false. */
public final class CpuProvider implements BackendProvider {

    public static final String VECTOR = "cpu.vector";

    private static final System.Logger LOG = System.getLogger("io.mlp4j");
    /** The slow path is reported once per process, not for every classifier and trainer. */
    private static final java.util.concurrent.atomic.AtomicBoolean PLAIN_LOOPS_REPORTED =
            new java.util.concurrent.atomic.AtomicBoolean();

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Probe probe(Settings settings) {
        return Probe.available(describe(threads(settings), useVector(settings)), false);
    }

    @Override
    public Backend open(Settings settings) {
        return new CpuBackend(threads(settings), useVector(settings));
    }

    /** {@code mlp4j.threads}, by default the number of processors. */
    public static int threads(Settings settings) {
        return settings.getInt(Settings.THREADS, Runtime.getRuntime().availableProcessors(), 1);
    }

    /** Whether {@code mlp4j.cpu.vector} (auto: whether the Vector API is resolved) asks for the Vector API kernels. */
    public static boolean useVector(Settings settings) {
        Settings.Value v = settings.get(VECTOR, "auto");
        return switch (v.value()) {
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
            case "false" -> false;
            default -> throw new IllegalArgumentException("mlp4j." + VECTOR + " must be auto, true or false, got '"
                    + v.value() + "' (from " + v.source() + ")");
        };
    }

    private static String describe(int threads, boolean vector) {
        return "CPU, " + threads + (threads == 1 ? " thread, " : " threads, ")
                + (vector ? "Vector API" : "plain loops" + (CpuBackend.vectorApiAvailable() ? ""
                : " (add --add-modules jdk.incubator.vector for the faster Vector API kernels)"));
    }
}
