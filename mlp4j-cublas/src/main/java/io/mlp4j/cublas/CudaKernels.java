package io.mlp4j.cublas;

import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The CUDA C kernels of {@code kernels.cu}: compiled once by NVRTC to a CUBIN for the device's architecture,
 * loaded with {@code cuModuleLoadData} and launched with {@code cuLaunchKernel} on the backend's stream.
 *
 * <p>Launch arguments go through one {@link KernelArgs} block, written in place before each launch, so a launch
 * creates no Java or native object.
 */
final class CudaKernels implements AutoCloseable {

    static final String SOURCE = "kernels.cu";
    private static final int BLOCK = 256;   // must match MLP4J_BLOCK in kernels.cu (softmax_xent's shared arrays)
    private static final int MAX_GRID = 1 << 16;
    private static final int SLOTS = 16;

    /** What a launch hands the driver (a seam: tests record it where there is no GPU). */
    interface Launcher {
        int launch(CUfunc_st f, int blocks, int threads, PointerPointer<?> kernelParams);
    }

    /**
     * All six names this class looks up in the module ({@code cuModuleGetFunction}); a test checks that an nvcc
     * build of {@code kernels.cu} exports each of them.
     */
    static final java.util.List<String> KERNEL_NAMES =
            java.util.List.of("gather_u8", "bias_act", "relu_mask", "column_sums", "softmax_xent", "sgd");

    /** NVRTC's options besides the architecture; the nvcc test compiles with the same ones. */
    static final java.util.List<String> NVRTC_OPTIONS = java.util.List.of("--std=c++17", "-default-device");

    private final Launcher launcher;
    private final boolean synchronous;
    private final CUstream_st stream;
    private final CUmod_st module = new CUmod_st();
    private final CUfunc_st gather = new CUfunc_st();
    private final CUfunc_st biasAct = new CUfunc_st();
    private final CUfunc_st reluMask = new CUfunc_st();
    private final CUfunc_st columnSums = new CUfunc_st();
    private final CUfunc_st softmaxXent = new CUfunc_st();
    private final CUfunc_st sgd = new CUfunc_st();

    private final KernelArgs args = new KernelArgs(SLOTS);

    /**
     * Reads the source (from this module: resources in a named module are encapsulated), compiles, loads.
     * {@code synchronous}: wait for each kernel and check its status, so that an asynchronous fault is reported
     * by the launch that caused it (the self-check's mode; slower).
     */
    CudaKernels(int major, int minor, CUstream_st stream, boolean synchronous) {
        this.stream = stream;
        this.synchronous = synchronous;
        this.launcher = (f, blocks, threads, params) ->
                cudart.cuLaunchKernel(f, blocks, 1, 1, threads, 1, 1, 0, stream, params, (PointerPointer<?>) null);
        boolean ok = false;
        try {
            byte[] cubin = compile(source(), major, minor);
            try (BytePointer image = new BytePointer(cubin)) {
                CublasBackend.checkDriver(cudart.cuModuleLoadData(module, image), "cuModuleLoadData");
            }
            CUfunc_st[] functions = {gather, biasAct, reluMask, columnSums, softmaxXent, sgd};
            for (int i = 0; i < functions.length; i++) {
                String name = KERNEL_NAMES.get(i);
                CublasBackend.checkDriver(cudart.cuModuleGetFunction(functions[i], module, name),
                        "cuModuleGetFunction(" + name + ")");
            }
            ok = true;
        } finally {
            if (!ok) {
                close();
            }
        }
    }

    /** Without a module: every launch goes to {@code launcher} (tests, on machines without a GPU). */
    CudaKernels(Launcher launcher) {
        this.stream = null;
        this.synchronous = false;
        this.launcher = launcher;
    }

    /** The launch arguments' block (for tests). */
    KernelArgs args() {
        return args;
    }

    static String source() {
        try (InputStream in = CudaKernels.class.getResourceAsStream(SOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource io/mlp4j/cublas/" + SOURCE
                        + " is missing from module io.mlp4j.cublas");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CUDA kernels' source", e);
        }
    }

    /** NVRTC: source to CUBIN for sm_{major}{minor}; a compile error throws with NVRTC's log. */
    static byte[] compile(String source, int major, int minor) {
        _nvrtcProgram program = new _nvrtcProgram();
        try (BytePointer text = new BytePointer(source); BytePointer name = new BytePointer(SOURCE)) {
            checkNvrtc(nvrtc.nvrtcCreateProgram(program, text, name, 0, (PointerPointer<?>) null,
                    (PointerPointer<?>) null), "nvrtcCreateProgram");
        }
        java.util.List<String> all = new java.util.ArrayList<>();
        all.add("--gpu-architecture=sm_" + major + minor);
        all.addAll(NVRTC_OPTIONS);
        try (PointerPointer<BytePointer> options = new PointerPointer<>(all.toArray(new String[0]))) {
            int rc = nvrtc.nvrtcCompileProgram(program, all.size(), options);
            if (rc != nvrtc.NVRTC_SUCCESS) {
                throw new IllegalStateException("NVRTC could not compile " + SOURCE + " for sm_" + major + minor
                        + ": " + nvrtc.nvrtcGetErrorString(rc).getString() + "\n" + log(program));
            }
            try (SizeTPointer size = new SizeTPointer(1)) {
                checkNvrtc(nvrtc.nvrtcGetCUBINSize(program, size), "nvrtcGetCUBINSize");
                byte[] cubin = new byte[(int) size.get()];
                try (BytePointer out = new BytePointer(size.get())) {
                    checkNvrtc(nvrtc.nvrtcGetCUBIN(program, out), "nvrtcGetCUBIN");
                    out.get(cubin);
                }
                return cubin;
            }
        } finally {
            nvrtc.nvrtcDestroyProgram(program);
        }
    }

    private static String log(_nvrtcProgram program) {
        try (SizeTPointer size = new SizeTPointer(1)) {
            if (nvrtc.nvrtcGetProgramLogSize(program, size) != nvrtc.NVRTC_SUCCESS || size.get() <= 1) {
                return "";
            }
            try (BytePointer log = new BytePointer(size.get())) {
                nvrtc.nvrtcGetProgramLog(program, log);
                return log.getString();
            }
        }
    }

    private static void checkNvrtc(int rc, String call) {
        if (rc != nvrtc.NVRTC_SUCCESS) {
            throw new IllegalStateException(call + " failed: " + nvrtc.nvrtcGetErrorString(rc).getString());
        }
    }

    // ---------------------------------------------------------------- launches (argument order as in kernels.cu)

    private static int grid(long n) {
        return (int) Math.max(1, Math.min(MAX_GRID, (n + BLOCK - 1) / BLOCK));
    }

    private void ptr(int i, long address) {
        args.ptr(i, address);
    }

    private void i32(int i, int v) {
        args.i32(i, v);
    }

    private void f32(int i, float v) {
        args.f32(i, v);
    }

    private void launch(CUfunc_st f, int blocks, String name) {
        int rc = launcher.launch(f, blocks, BLOCK, args.params());
        if (rc != cudart.CUDA_SUCCESS) {
            CublasBackend.checkDriver(rc, "cuLaunchKernel(" + name + ")");
        }
        if (synchronous) {
            CublasBackend.check(cudart.cudaStreamSynchronize(stream), "kernel " + name + " (synchronised after launch)");
        }
    }

    void gather(long pixels, long idx, int offset, int rows, int features, long x) {
        ptr(0, pixels);
        ptr(1, idx);
        i32(2, offset);
        i32(3, rows);
        i32(4, features);
        ptr(5, x);
        launch(gather, grid((long) rows * features), "gather_u8");
    }

    void biasAct(long y, long b, int rows, int out, boolean relu) {
        ptr(0, y);
        ptr(1, b);
        i32(2, rows);
        i32(3, out);
        i32(4, relu ? 1 : 0);
        launch(biasAct, grid((long) rows * out), "bias_act");
    }

    void reluMask(long y, long dy, int n) {
        ptr(0, y);
        ptr(1, dy);
        i32(2, n);
        launch(reluMask, grid(n), "relu_mask");
    }

    void columnSums(long dy, long db, int rows, int out) {
        ptr(0, dy);
        ptr(1, db);
        i32(2, rows);
        i32(3, out);
        launch(columnSums, (out + BLOCK - 1) / BLOCK, "column_sums");
    }

    void softmaxXent(long z, long labels, long idx, int offset, int rows, int classes, long dz, long metrics) {
        ptr(0, z);
        ptr(1, labels);
        ptr(2, idx);
        i32(3, offset);
        i32(4, rows);
        i32(5, classes);
        ptr(6, dz);
        ptr(7, metrics);
        launch(softmaxXent, (rows + BLOCK - 1) / BLOCK, "softmax_xent");
    }

    void sgd(long p, long g, int n, float lr) {
        ptr(0, p);
        ptr(1, g);
        i32(2, n);
        f32(3, lr);
        launch(sgd, grid(n), "sgd");
    }

    @Override
    public void close() {
        if (!module.isNull()) {
            cudart.cuModuleUnload(module);
        }
        args.close();
    }
}
