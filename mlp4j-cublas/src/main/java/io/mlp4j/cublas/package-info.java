/**
 * The cuBLAS backend (NVIDIA GPUs), through JavaCPP's CUDA presets (module {@code org.bytedeco.cuda}).
 *
 * <h2>Pieces</h2>
 * <ul>
 *   <li>{@link io.mlp4j.cublas.CublasProvider}: found as a service wherever this module is, mentions no
 *       JavaCPP type; its probe reads the settings and asks {@code CudaProbe}, and its opener opens the backend
 *       on the device found.</li>
 *   <li>{@code CudaProbe}: the first class that touches JavaCPP. {@code Loader.load(cudart.class)} throws
 *       {@link java.lang.UnsatisfiedLinkError} without the JNI wrapper jar, {@code libcudart.so.13} or
 *       {@code libcuda.so.1}; later touches throw {@link java.lang.NoClassDefFoundError}. So it catches
 *       {@link java.lang.LinkageError}, keeps the first answer for the process, and names the missing piece:
 *       natives jar, CUDA runtime, driver, driver too old, no device, device index, compute capability, cuBLAS,
 *       NVRTC. Without a driver it answers in well under a second cold, microseconds after.</li>
 *   <li>{@code CublasBackend}: cuBLAS SGEMM with the row-major trick for the three products of a layer, one
 *       non-blocking stream for everything, pinned staging memory for uploads/downloads, FP32 math by default
 *       ({@code mlp4j.cuda.tf32=true} allows TF32 tensor cores).</li>
 *   <li>{@code CudaKernels}: {@code kernels.cu} (a resource of this package, read through this module's own
 *       class: resources of a named module are encapsulated) compiled once by NVRTC to a CUBIN for the device's
 *       {@code sm_XY}, loaded with {@code cuModuleLoadData}, launched with {@code cuLaunchKernel}; arguments go
 *       through one reusable native block, so a launch allocates nothing.</li>
 * </ul>
 *
 * <h2>Running it</h2>
 * Module path: this module's jar with {@code io.mlp4j}, the jars {@code org.bytedeco:cuda} and
 * {@code org.bytedeco:javacpp} (which Maven brings) and both {@code linux-x86_64} natives jars, and
 * {@code --add-modules org.bytedeco.cuda.linux.x86_64,org.bytedeco.javacpp.linux.x86_64} (the natives modules are
 * required by nobody).
 * The CUDA 13 libraries themselves ({@code libcudart.so.13}, {@code libcublas.so.13}, {@code libcublasLt.so.13},
 * {@code libnvrtc.so.13} and its builtins) come from the system or PyTorch's {@code nvidia/<name>/lib} folders via
 * {@code LD_LIBRARY_PATH} (scripts/gpu-check.sh finds them); {@code libcuda.so.1} from the driver.
 *
 * <h2>Later: one CUDA graph per training step</h2>
 * The Trainer calls the operations one by one, so capturing needs a hook rather than a change of the operations:
 * e.g. {@code Backend.step(StepKey key, Runnable ops)} whose default just runs {@code ops}. The cublas backend
 * would, on the first call for a key (network shape, rows), wrap {@code ops} in
 * {@code cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal)} / {@code cudaStreamEndCapture},
 * instantiate the graph once ({@code cudaGraphInstantiate}) and afterwards only {@code cudaGraphLaunch} it.
 * What changes between steps must then live in device memory, not in launch arguments: the batch offset (a
 * device counter that the graph's last node advances, reset by the per-epoch index upload) and the learning rate
 * (a device float written when {@code fit} starts). The last, shorter batch of an epoch runs uncaptured. cuBLAS
 * must get a fixed workspace ({@code cublasSetWorkspace}) so that capture never allocates. For 784-32-10 a step
 * is ~15 launches of a few microseconds of work each, i.e. bound by launch overhead, which a graph launch mostly
 * removes; for 784-512-512-10 at batch 512 the GEMMs dominate and the gain is small.
 */
package io.mlp4j.cublas;
