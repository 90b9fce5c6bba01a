package io.mlp4j.cublas;

import io.mlp4j.spi.BackendProvider;
import io.mlp4j.spi.Settings;

import java.util.List;

/**
 * The cuBLAS backend: NVIDIA GPUs through JavaCPP's CUDA presets. Keys: {@code cuda.device} = device index
 * (default 0); {@code cuda.tf32} = true lets cuBLAS use TF32 tensor cores for the GEMMs (faster on Ampere and
 * later, but no longer within float rounding of the cpu backend); {@code cuda.sync} = true waits after every GEMM
 * and kernel, so an asynchronous fault names its operation.
 *
 * <p>This class mentions no JavaCPP type: {@link CudaProbe} loads the CUDA libraries only when probed.
 */
public final class CublasProvider implements BackendProvider {

    @Override
    public String name() {
        return "cublas";
    }

    @Override
    public int rank() {
        return 300;
    }

    /** The nodes through which CUDA reaches an NVIDIA GPU (WSL2's {@code dxg} carries CUDA too). */
    @Override
    public List<String> deviceNodes() {
        return List.of("nvidia", "dxg");
    }

    @Override
    public Probe probe(Settings settings) {
        int device = settings.getInt(Settings.CUDA_DEVICE, 0, 0);
        boolean tf32 = settings.getFlag(Settings.CUDA_TF32);
        boolean sync = settings.getFlag(Settings.CUDA_SYNC);
        CudaProbe.Answer found = CudaProbe.probe(device);
        if (!found.available()) {
            return Probe.unavailable(found.reason());
        }
        return Probe.available(found.device(), true, () -> new CublasBackend(device, tf32, sync));
    }
}
