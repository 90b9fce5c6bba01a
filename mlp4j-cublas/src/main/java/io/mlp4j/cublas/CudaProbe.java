package io.mlp4j.cublas;

import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loads JavaCPP's CUDA wrappers and asks the runtime for the device. Without CUDA the first {@code Loader.load} throws
 * {@link UnsatisfiedLinkError} and every later touch of the class {@link NoClassDefFoundError}: so the first
 * answer is kept for the life of the process (per device index), and {@link LinkageError} is what is caught.
 */
final class CudaProbe {

    /** The device found, in words, or why there is none. */
    record Answer(String device, String reason) {
        static Answer found(String device) {
            return new Answer(device, null);
        }

        static Answer missing(String reason) {
            return new Answer("", reason);
        }

        boolean available() {
            return reason == null;
        }
    }

    /** Every probe answer so far, by device index; an unavailable one is final (the classes cannot recover). */
    private static final Map<Integer, Answer> ANSWERS = new ConcurrentHashMap<>();
    private static volatile String linkFailure;

    private CudaProbe() {
    }

    static Answer probe(int device) {
        String failed = linkFailure;
        if (failed != null) {
            return Answer.missing(failed);
        }
        return ANSWERS.computeIfAbsent(device, CudaProbe::ask);
    }

    private static synchronized Answer ask(int device) {
        try {
            Loader.load(cudart.class);
        } catch (LinkageError e) {
            linkFailure = explainLinkFailure("the CUDA runtime", "libcudart.so.13", e);
            return Answer.missing(linkFailure);
        }
        try (IntPointer value = new IntPointer(1)) {
            value.put(0);
            cudart.cudaDriverGetVersion(value);
            int driver = value.get();
            if (driver == 0) {
                return Answer.missing("no NVIDIA driver is installed (libcuda.so.1 not found or not working)");
            }
            cudart.cudaRuntimeGetVersion(value);
            int runtime = value.get();
            String refusal = driverTooOld(driver, runtime);
            if (refusal != null) {
                return Answer.missing(refusal);
            }
            value.put(0);
            int rc = cudart.cudaGetDeviceCount(value);
            if (rc != cudart.cudaSuccess) {
                return Answer.missing("no CUDA device: " + CublasBackend.cudaError(rc)
                        + " (driver CUDA " + version(driver) + ")");
            }
            int count = value.get();
            if (count == 0) {
                return Answer.missing("no CUDA device (driver CUDA " + version(driver) + ")");
            }
            if (device >= count) {
                return Answer.missing("mlp4j." + io.mlp4j.spi.Settings.CUDA_DEVICE + " is " + device
                        + " but there " + (count == 1 ? "is 1 CUDA device" : "are " + count + " CUDA devices")
                        + " (indices from 0)");
            }
            String name;
            int major;
            int minor;
            long memory;
            try (cudaDeviceProp prop = new cudaDeviceProp()) {
                rc = cudart.cudaGetDeviceProperties(prop, device);
                if (rc != cudart.cudaSuccess) {
                    return Answer.missing("cannot query CUDA device " + device + ": " + CublasBackend.cudaError(rc));
                }
                name = prop.name().getString().trim();
                major = prop.major();
                minor = prop.minor();
                memory = prop.totalGlobalMem();
            }
            if (major < 7 || (major == 7 && minor < 5)) {
                return Answer.missing("CUDA device " + device + " (" + name + ") has compute capability " + major
                        + "." + minor + "; CUDA 13 needs 7.5 or newer");
            }
            try {
                Loader.load(cublas.class);
            } catch (LinkageError e) {
                linkFailure = explainLinkFailure("cuBLAS", "libcublas.so.13", e);
                return Answer.missing(linkFailure);
            }
            try {
                Loader.load(nvrtc.class);
            } catch (LinkageError e) {
                linkFailure = explainLinkFailure("NVRTC", "libnvrtc.so.13", e);
                return Answer.missing(linkFailure);
            }
            return Answer.found(String.format(Locale.ROOT, "%s (device %d, sm_%d%d, %.1f GiB, driver CUDA %s,"
                    + " runtime %s)%s", name, device, major, minor, memory / (1024.0 * 1024 * 1024), version(driver),
                    version(runtime), compatibilityNote(driver, runtime)));
        }
    }

    /**
     * Null when a driver for CUDA {@code driver} can run the {@code runtime}, else why not. CUDA's minor-version
     * compatibility lets a driver of the same major version run a newer minor runtime as long as no PTX has to be
     * JIT-compiled by the driver: NVRTC here compiles straight to a CUBIN for the device's own sm_XY, and cuBLAS
     * ships CUBINs too. An older major version cannot load the runtime's code at all.
     */
    static String driverTooOld(int driver, int runtime) {
        if (driver / 1000 >= runtime / 1000) {
            return null;
        }
        return "the NVIDIA driver supports CUDA " + version(driver) + " but mlp4j uses the CUDA " + version(runtime)
                + " runtime, which needs a driver for CUDA " + runtime / 1000 + ".x (R580 or newer for CUDA 13):"
                + " update the driver";
    }

    /** A note for the device line when the driver is of an older minor version than the runtime, else "". */
    static String compatibilityNote(int driver, int runtime) {
        return driver >= runtime ? "" : "; driver CUDA " + version(driver) + " is older than runtime "
                + version(runtime) + ": runs by CUDA's minor-version compatibility (kernels are CUBINs, no PTX)";
    }

    static String version(int v) {
        return (v / 1000) + "." + (v % 1000) / 10;
    }

    /** Turns JavaCPP's link errors into the missing piece: the JNI wrapper jar, a CUDA library, or the driver. */
    static String explainLinkFailure(String what, String library, LinkageError e) {
        String msg = String.valueOf(e.getMessage());
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            msg += " / " + t.getMessage();
        }
        String why;
        java.util.regex.Matcher glibc = java.util.regex.Pattern.compile("GLIBC_([0-9.]+)' not found").matcher(msg);
        if (glibc.find()) {
            return "the C library is too old: JavaCPP's CUDA wrappers need glibc " + glibc.group(1) + " or newer"
                    + " (GLIBC_" + glibc.group(1) + " not found; check with 'ldd --version')";
        }
        if (msg.contains("libcuda.so")) {
            return "no NVIDIA driver (libcuda.so.1 cannot be loaded)"; // the usual case on a machine without GPU
        } else if (msg.contains(library) || msg.contains("cannot open shared object")) {
            why = "cannot load " + what + " library (" + library + "): install the CUDA 13 toolkit libraries or"
                    + " PyTorch's nvidia-* wheels and put their lib folders on LD_LIBRARY_PATH";
        } else if (msg.startsWith("no jni") || msg.contains("java.library.path")) {
            why = "JavaCPP's JNI wrappers for CUDA are missing: add cuda-13.1-9.19-1.5.13-linux-x86_64.jar and"
                    + " javacpp-1.5.13-linux-x86_64.jar (modules org.bytedeco.cuda.linux.x86_64,"
                    + " org.bytedeco.javacpp.linux.x86_64)";
        } else {
            why = "cannot load " + what;
        }
        return why + " [" + e.getClass().getSimpleName() + ": " + msg + "]";
    }
}
