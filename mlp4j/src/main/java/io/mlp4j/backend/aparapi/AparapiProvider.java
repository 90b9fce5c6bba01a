package io.mlp4j.backend.aparapi;

import io.mlp4j.backend.Backend;
import io.mlp4j.backend.BackendProvider;
import io.mlp4j.backend.GpuDeviceNodes;
import io.mlp4j.backend.Settings;

import java.util.Locale;

/**
 * The Aparapi backend: OpenCL through Aparapi, on a GPU or any other OpenCL device (PoCL on the CPU in CI).
 *
 * <p>Key {@code aparapi.device} = {@code any} (default: a GPU if there is one, else any OpenCL device),
 * {@code gpu} or {@code cpu}. The default is {@code any} so that an explicit {@code --backend aparapi} works on a
 * machine with only a CPU OpenCL driver; {@code auto} backend selection still only picks Aparapi for a GPU
 * (the probe reports {@code isGpu}).
 *
 * <p>Aparapi is an optional module ({@code requires static aparapi}): this class never touches Aparapi classes
 * before checking that the module is resolved, and reports why not otherwise.
 */
public final class AparapiProvider implements BackendProvider {

    private static final String KINDS = "any, gpu or cpu";

    @Override
    public String name() {
        return "aparapi";
    }

    @Override
    public Probe probe(Settings settings) {
        String kind = kind(settings);
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

    @Override
    public String noGpuHere() {
        String none = GpuDeviceNodes.noneReason(GpuDeviceNodes.ANY_GPU, "OpenCL");
        return none == null ? null : none + "; --backend aparapi uses a CPU OpenCL device";
    }

    @Override
    public Backend open(Settings settings) {
        String kind = kind(settings);
        String refusal = refusal();
        if (refusal != null) {
            throw new IllegalStateException("the aparapi backend is not available: " + refusal);
        }
        try {
            return AparapiDevices.open(kind);
        } catch (LinkageError e) {
            throw new IllegalStateException("the aparapi backend is not available: Aparapi's native library could"
                    + " not be loaded: " + e, e);
        }
    }

    /** Why Aparapi must not be used (or even have its drivers loaded) in this JVM, or null. */
    private static String refusal() {
        String missing = aparapiMissing();
        if (missing != null) {
            return missing;
        }
        String collector = CollectorCheck.refusal();
        return collector != null ? collector : SignalChainingCheck.refusal();
    }

    static String kind(Settings settings) {
        Settings.Value v = settings.get(Settings.APARAPI_DEVICE, "any");
        String kind = v.value().toLowerCase(Locale.ROOT);
        if (!kind.equals("any") && !kind.equals("gpu") && !kind.equals("cpu")) {
            throw new IllegalArgumentException("mlp4j." + Settings.APARAPI_DEVICE + " must be " + KINDS + ", got '"
                    + v.value() + "' (from " + v.source() + ")");
        }
        return kind;
    }

    /** Null when Aparapi's classes can be used from here, else why not. */
    static String aparapiMissing() {
        Module self = AparapiProvider.class.getModule();
        if (self.isNamed()) {
            ModuleLayer layer = self.getLayer() == null ? ModuleLayer.boot() : self.getLayer();
            if (layer.findModule("aparapi").isEmpty()) {
                return "module aparapi is not resolved (it is optional: add it to the module path and"
                        + " --add-modules aparapi)";
            }
            return null;
        }
        try {
            Class.forName("com.aparapi.Kernel", false, AparapiProvider.class.getClassLoader());
            return null;
        } catch (ClassNotFoundException | LinkageError e) {
            return "Aparapi (com.aparapi:aparapi) is not on the class path";
        }
    }
}
