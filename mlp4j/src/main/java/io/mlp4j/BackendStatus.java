package io.mlp4j;

import io.mlp4j.backend.BackendRegistry;
import io.mlp4j.backend.Settings;

import java.util.List;
import java.util.Map;

/**
 * One compute backend on this machine: whether it can run, on which device, or why not.
 *
 * @param name      {@code cpu}, {@code aparapi} or {@code cublas}
 * @param available whether it can run here
 * @param device    the device it would use, in words (empty when unavailable)
 * @param reason    why it is unavailable (empty when available)
 */
public record BackendStatus(String name, boolean available, String device, String reason) {

    /**
     * Every backend, in the order {@code auto} tries them, with the current configuration.
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
        return BackendRegistry.list(Settings.current(options)).stream()
                .map(s -> new BackendStatus(s.name(), s.available(), s.device(), s.reason())).toList();
    }
}
