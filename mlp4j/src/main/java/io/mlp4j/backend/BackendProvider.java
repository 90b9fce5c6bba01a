package io.mlp4j.backend;

/** Opens one kind of backend, or says why it cannot. */
public interface BackendProvider {

    /** Availability and, when available, the device that would be used; else the reason. */
    record Probe(boolean available, String device, String reason, boolean isGpu) {
        public static Probe available(String device, boolean isGpu) {
            return new Probe(true, device, "", isGpu);
        }

        public static Probe unavailable(String reason) {
            return new Probe(false, "", reason, false);
        }
    }

    String name();

    /** Checks quickly (well under a second when the device is absent) whether this backend can run. */
    Probe probe(Settings settings);

    /**
     * For {@code auto}, which only takes a GPU backend on a GPU: why this backend cannot find one here, known
     * without loading any driver, or null (then {@link #probe} decides).
     */
    default String noGpuHere() {
        return null;
    }

    /** Opens the backend; fails with a clear message if it cannot. */
    Backend open(Settings settings);
}
