package io.mlp4j;

import io.mlp4j.spi.Settings;

import java.util.List;
import java.util.Map;

/**
 * One compute backend on this machine: whether it can run, on which device, or why not.
 *
 * @param name      the name configuration uses: {@code cpu}, {@code aparapi}, {@code cublas}, or another
 *                  installed provider's
 * @param available whether it can run here
 * @param device    the device it would use, in words (empty when unavailable)
 * @param reason    why it is unavailable (empty when available), e.g. which artifact to add
 */
public record BackendStatus(String name, boolean available, String device, String reason) {

    /**
     * Every installed backend in the order {@code auto} tries them, then the project's backends that are not
     * installed, with the current configuration.
     *
     * @return one status per backend
     */
    public static List<BackendStatus> list() {
        return list(Map.of());
    }

    /**
     * Every backend with explicit configuration values on top (keys as in {@link Trainer.Builder#option}).
     *
     * @param options configuration keys (without the {@code mlp4j.} prefix) and values that win over every other source
     * @return one status per backend
     */
    public static List<BackendStatus> list(Map<String, String> options) {
        return BackendRegistry.list(Settings.current(options));
    }
}
