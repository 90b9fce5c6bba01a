package io.mlp4j.spi;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One kind of backend, found with {@link java.util.ServiceLoader}. The core provides {@code cpu}; the modules
 * {@code io.mlp4j.aparapi} and {@code io.mlp4j.cublas} provide {@code aparapi} and {@code cublas}. A module of
 * one's own declares {@code provides io.mlp4j.spi.BackendProvider with ...} (plus a
 * {@code META-INF/services/io.mlp4j.spi.BackendProvider} entry for class path users), and configuration picks it
 * by name: {@code -Dmlp4j.backend=NAME}.
 *
 * <p>With {@code mlp4j.backend=auto}, the providers are tried by {@link #rank()}, highest first, and the first
 * whose probe is available and {@link Probe#auto()} is opened.
 * <pre>{@code
 * public final class MyProvider implements BackendProvider {
 *     public String name() { return "mine"; }
 *     public int rank() { return 0; }                 // below cpu (100): auto never picks it
 *     public Probe probe(Settings settings) {
 *         int threads = settings.getInt(Settings.THREADS, 1, 1);   // read every setting here, once
 *         return Probe.available("my device", false, () -> new MyBackend(threads));
 *     }
 * }
 * }</pre>
 */
public interface BackendProvider {

    /**
     * What {@link #probe} found: a device and how to open a backend on it, or why there is none.
     *
     * @param device what the backend would compute on, in words (empty when unavailable)
     * @param reason why the backend cannot run here (empty when available)
     * @param auto   whether {@code auto} may choose it (e.g. false for OpenCL on a CPU)
     * @param opener opens the backend on the device found, with the settings read by the probe; null when
     *               unavailable
     */
    record Probe(String device, String reason, boolean auto, Supplier<Backend> opener) {

        /**
         * Checks the components.
         *
         * @param device what the backend would compute on
         * @param reason why it cannot run
         * @param auto   whether {@code auto} may choose it
         * @param opener how to open it, or null
         */
        public Probe {
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(reason, "reason");
            if ((opener == null) == reason.isEmpty()) {
                throw new IllegalArgumentException("a probe has either an opener or a reason");
            }
        }

        /**
         * A device was found.
         *
         * @param device what the backend would compute on, in words
         * @param auto   whether {@code auto} may choose it
         * @param opener opens the backend on that device
         * @return the probe
         */
        public static Probe available(String device, boolean auto, Supplier<Backend> opener) {
            return new Probe(device, "", auto, Objects.requireNonNull(opener, "opener"));
        }

        /**
         * No usable device.
         *
         * @param reason why, naming what is missing and how to fix it
         * @return the probe
         */
        public static Probe unavailable(String reason) {
            return new Probe("", reason.isEmpty() ? "unavailable" : reason, false, null);
        }

        /**
         * Whether the backend can run here.
         *
         * @return true when there is an opener
         */
        public boolean available() {
            return opener != null;
        }
    }

    /**
     * The name configuration uses for this backend.
     *
     * @return lower case, e.g. {@code cpu}
     */
    String name();

    /**
     * The order in which {@code auto} tries providers, highest first: cublas 300, aparapi 200, cpu 100. The cpu
     * backend is always available, so a provider ranked below 100 is only ever chosen by name.
     *
     * @return the rank
     */
    int rank();

    /**
     * For {@code auto} on Linux: prefixes of entries in {@code /dev} through which this backend reaches its device
     * (a trailing {@code /} stands for a non-empty folder). Where none exists, {@code auto} skips the provider
     * without probing it, so that no driver is loaded just to find no GPU. A backend asked for by name is always
     * probed.
     *
     * @return the prefixes; empty (the default) when the backend needs no device node
     */
    default List<String> deviceNodes() {
        return List.of();
    }

    /**
     * Finds the device this backend would use with these settings, quickly (well under a second when the device
     * is absent). Reads every setting the backend needs, so that opening reads none again.
     *
     * @param settings the configuration
     * @return the device and its opener, or why there is none
     * @throws IllegalArgumentException when a configuration value is invalid (naming the key and its source)
     */
    Probe probe(Settings settings);
}
