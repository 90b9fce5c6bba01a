package io.mlp4j.aparapi;

import io.mlp4j.spi.BackendProvider;
import io.mlp4j.spi.Settings;

import java.util.List;

/**
 * The Aparapi backend: OpenCL through Aparapi, on a GPU or any other OpenCL device (PoCL on the CPU in CI).
 *
 * <p>Key {@code aparapi.device} = {@code any} (default: a GPU if there is one, else any OpenCL device),
 * {@code gpu} or {@code cpu}. The default is {@code any} so that an explicit {@code --backend aparapi} works on a
 * machine with only a CPU OpenCL driver; {@code auto} only takes it on a GPU ({@link Probe#auto()}).
 */
public final class AparapiProvider implements BackendProvider {

    @Override
    public String name() {
        return "aparapi";
    }

    @Override
    public int rank() {
        return 200;
    }

    /** Any GPU: NVIDIA, DRM card and render nodes, AMD ROCm, WSL2, ARM Mali, Qualcomm Adreno. */
    @Override
    public List<String> deviceNodes() {
        return List.of("nvidia", "dri/", "kfd", "dxg", "mali", "kgsl");
    }

    @Override
    public Probe probe(Settings settings) {
        String kind = settings.getChoice(Settings.APARAPI_DEVICE, "any", "any", "gpu", "cpu");
        String refusal = refusal();
        if (refusal != null) {
            return Probe.unavailable(refusal);
        }
        try {
            return AparapiDevices.probe(kind);
        } catch (LinkageError e) {
            return Probe.unavailable("Aparapi's native library could not be loaded: " + e);
        }
    }

    /** Why Aparapi must not be used (or even have its drivers loaded) in this JVM, or null. */
    private static String refusal() {
        String collector = CollectorCheck.refusal();
        return collector != null ? collector : SignalChainingCheck.refusal();
    }
}
