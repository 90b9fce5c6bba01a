package io.mlp4j.backend.cublas;

import io.mlp4j.backend.Backend;
import io.mlp4j.backend.BackendProvider;
import io.mlp4j.backend.GpuDeviceNodes;
import io.mlp4j.backend.Settings;

import java.util.Optional;

/**
 * The cuBLAS backend: NVIDIA GPUs through JavaCPP's CUDA presets (module {@code org.bytedeco.cuda}, an optional
 * dependency). Key: {@code cuda.device} = device index (default 0); {@code cuda.tf32} = true lets cuBLAS use TF32
 * tensor cores for the GEMMs (faster on Ampere and later, but no longer within 1e-5 of the cpu backend);
 * {@code cuda.sync} = true waits after every GEMM and kernel, so an asynchronous fault names its operation.
 *
 * <p>This class must not mention any JavaCPP type: it is loaded by {@code BackendRegistry} on every machine,
 * with or without the CUDA jars. {@link CudaProbe} and {@link CublasBackend} are loaded only once the module
 * (or, on the class path, its classes) is known to be there.
 */
public final class CublasProvider implements BackendProvider {

    static final String CUDA_MODULE = "org.bytedeco.cuda";
    static final String TF32 = "cuda.tf32";
    static final String SYNC = "cuda.sync";

    @Override
    public String name() {
        return "cublas";
    }

    @Override
    public String noGpuHere() {
        return GpuDeviceNodes.noneReason(GpuDeviceNodes.NVIDIA_GPU, "CUDA");
    }

    @Override
    public Probe probe(Settings settings) {
        int device = settings.getInt(Settings.CUDA_DEVICE, 0, 0);
        String missing = missingJavaCpp();
        if (missing != null) {
            return Probe.unavailable(missing);
        }
        return CudaProbe.probe(device);
    }

    @Override
    public Backend open(Settings settings) {
        Probe probe = probe(settings);
        if (!probe.available()) {
            throw new IllegalStateException("the cublas backend is not available: " + probe.reason());
        }
        return new CublasBackend(settings.getInt(Settings.CUDA_DEVICE, 0, 0), flag(settings, TF32),
                flag(settings, SYNC));
    }

    private static boolean flag(Settings settings, String key) {
        Settings.Value v = settings.get(key, "false");
        if (!v.value().equals("true") && !v.value().equals("false")) {
            throw new IllegalArgumentException("mlp4j." + key + " must be true or false, got '" + v.value()
                    + "' (from " + v.source() + ")");
        }
        return v.value().equals("true");
    }

    /** Null when JavaCPP's CUDA classes can be used from here, else why not (checked without loading them). */
    static String missingJavaCpp() {
        Module self = CublasProvider.class.getModule();
        if (self.isNamed()) {
            ModuleLayer layer = self.getLayer() != null ? self.getLayer() : ModuleLayer.boot();
            Optional<Module> cuda = layer.findModule(CUDA_MODULE);
            if (cuda.isEmpty()) {
                return "module " + CUDA_MODULE + " is not resolved: put JavaCPP's CUDA jars (org.bytedeco:cuda"
                        + " and org.bytedeco:javacpp, each with its linux-x86_64 natives jar) on the module path and"
                        + " start Java with --add-modules " + CUDA_MODULE + ",org.bytedeco.cuda.linux.x86_64"
                        + ",org.bytedeco.javacpp.linux.x86_64 (io.mlp4j only 'requires static' it)";
            }
            if (!self.canRead(cuda.get())) {
                return "module " + CUDA_MODULE + " is present but io.mlp4j does not read it";
            }
            return null;
        }
        try {
            Class.forName("org.bytedeco.cuda.global.cudart", false, CublasProvider.class.getClassLoader());
            return null;
        } catch (ClassNotFoundException | LinkageError e) {
            return "JavaCPP's CUDA classes (org.bytedeco:cuda and org.bytedeco:javacpp jars) are not on the class path";
        }
    }
}
