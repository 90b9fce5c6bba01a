package io.mlp4j.cublas;

import io.mlp4j.spi.Backend;
import io.mlp4j.spi.DeviceDataset;
import io.mlp4j.spi.IndexBuffer;
import io.mlp4j.spi.Tensor;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUctx_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

import java.util.ArrayList;
import java.util.List;

/**
 * NVIDIA GPUs: GEMMs by cuBLAS ({@code cublasSgemm}), everything else by the small CUDA C kernels of
 * {@code kernels.cu}, compiled once by NVRTC when the backend opens ({@link CudaKernels}).
 *
 * <p>Row-major trick: cuBLAS is column-major, and a row-major matrix M [r, c] is, read column-major, M^T [c, r].
 * So a row-major product C = A B is computed as the column-major product C^T = B^T A^T, with no copy.
 *
 * <p>One stream carries every copy, GEMM and kernel, so they run in order without host synchronisation; the host
 * waits only in {@code download} (and in {@code upload}, whose staging buffer is reused). The data set and the
 * parameters stay on the device; per step only kernel arguments travel. Nothing is allocated on the device, and
 * no Java object is created, inside the step loop.
 */
final class CublasBackend implements Backend {

    /** Device float buffer. {@code ptr} is a JavaCPP view of the device address (for cuBLAS), made once. */
    record CudaTensor(long address, int length, FloatPointer ptr) implements Tensor {
    }

    record CudaIndices(long address, int length) implements IndexBuffer {
    }

    record CudaDataset(long pixels, long labels, int count, int features) implements DeviceDataset {
    }

    private final int deviceIndex;
    private final String description;
    private final CUctx_st context = new CUctx_st();
    private final CUstream_st stream = new CUstream_st();
    private final cublasContext handle = new cublasContext();
    private final CudaKernels kernels;
    private final FloatPointer one = new FloatPointer(1f);
    private final FloatPointer zero = new FloatPointer(0f);
    private final List<Pointer> deviceBuffers = new ArrayList<>();
    private Pointer staging;           // pinned host memory for uploads and downloads
    private FloatPointer stagingFloats;
    private IntPointer stagingInts;
    private long stagingBytes;
    private final Address copyDst = new Address();
    private final Address copySrc = new Address();
    private Thread owner;
    private boolean closed;
    private final boolean synchronous;
    private int cuDevice = -1;   // the driver API's handle of the device, once the primary context is retained

    /**
     * {@code synchronous}: wait after every GEMM and kernel and check its status, so that an asynchronous fault
     * names the operation that caused it ({@code mlp4j.cuda.sync}, which the self-check sets).
     */
    CublasBackend(int device, boolean tf32, boolean synchronous) {
        this.deviceIndex = device;
        this.synchronous = synchronous;
        boolean ok = false;
        try {
            check(cudart.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
            check(cudart.cudaFree(null), "cudaFree(0) (creating the context)");
            checkDriver(cudart.cuInit(0), "cuInit");
            // The driver API names devices by CUdevice handle, not by ordinal: ask for it rather than assume equality.
            int[] dev = new int[1];
            checkDriver(cudart.cuDeviceGet(dev, device), "cuDeviceGet(" + device + ")");
            checkDriver(cudart.cuDevicePrimaryCtxRetain(context, dev[0]), "cuDevicePrimaryCtxRetain");
            cuDevice = dev[0];
            checkDriver(cudart.cuCtxSetCurrent(context), "cuCtxSetCurrent");
            owner = Thread.currentThread();
            int major;
            int minor;
            String name;
            try (cudaDeviceProp prop = new cudaDeviceProp()) {
                check(cudart.cudaGetDeviceProperties(prop, device), "cudaGetDeviceProperties");
                major = prop.major();
                minor = prop.minor();
                name = prop.name().getString().trim();
            }
            check(cudart.cudaStreamCreateWithFlags(stream, cudart.cudaStreamNonBlocking), "cudaStreamCreate");
            checkBlas(cublas.cublasCreate_v2(handle), "cublasCreate");
            checkBlas(cublas.cublasSetStream_v2(handle, stream), "cublasSetStream");
            checkBlas(cublas.cublasSetMathMode(handle, tf32 ? cublas.CUBLAS_TF32_TENSOR_OP_MATH
                    : cublas.CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
            kernels = new CudaKernels(major, minor, stream, synchronous);
            description = name + " (CUDA device " + device + ", sm_" + major + minor + ", cuBLAS"
                    + (tf32 ? " TF32" : " FP32") + ", NVRTC kernels" + (synchronous ? ", synchronous" : "") + ")";
            ok = true;
        } finally {
            if (!ok) {
                close();
            }
        }
    }

    @Override
    public String name() {
        return "cublas";
    }

    @Override
    public String device() {
        return description;
    }

    // ---------------------------------------------------------------- buffers and copies

    private Pointer deviceAlloc(long bytes) {
        ensureContext();
        Pointer p = new Pointer();
        int rc = cudart.cudaMalloc(p, Math.max(4, bytes));
        if (rc != cudart.cudaSuccess) {
            throw new IllegalStateException("cannot allocate " + bytes + " bytes on CUDA device " + deviceIndex
                    + ": " + cudaError(rc));
        }
        deviceBuffers.add(p);
        check(cudart.cudaMemsetAsync(p, 0, Math.max(4, bytes), stream), "cudaMemsetAsync");
        return p;
    }

    @Override
    public Tensor allocate(int length) {
        Pointer p = deviceAlloc(4L * length);
        return new CudaTensor(p.address(), length, new FloatPointer(p));
    }

    @Override
    public IndexBuffer allocateIndices(int length) {
        return new CudaIndices(deviceAlloc(4L * length).address(), length);
    }

    @Override
    public void upload(Tensor dst, float[] src) {
        CudaTensor t = (CudaTensor) dst;
        checkLength(src.length, t.length, "upload");
        Pointer s = staging(4L * src.length);
        stagingFloats.put(src, 0, src.length);
        copy(t.address, s.address(), 4L * src.length, cudart.cudaMemcpyHostToDevice);
    }

    @Override
    public void download(Tensor src, float[] dst) {
        CudaTensor t = (CudaTensor) src;
        checkLength(dst.length, t.length, "download");
        Pointer s = staging(4L * dst.length);
        copy(s.address(), t.address, 4L * dst.length, cudart.cudaMemcpyDeviceToHost);
        stagingFloats.get(dst, 0, dst.length);
    }

    @Override
    public void upload(IndexBuffer dst, int[] src) {
        CudaIndices t = (CudaIndices) dst;
        checkLength(src.length, t.length, "upload");
        Pointer s = staging(4L * src.length);
        stagingInts.put(src, 0, src.length);
        copy(t.address, s.address(), 4L * src.length, cudart.cudaMemcpyHostToDevice);
    }

    @Override
    public DeviceDataset upload(byte[] pixels, byte[] labels, int count, int features) {
        if ((long) count * features != pixels.length || labels.length != count) {
            throw new IllegalArgumentException("data set of " + count + " samples of " + features + " features needs "
                    + (long) count * features + " pixel bytes and " + count + " labels, got " + pixels.length
                    + " and " + labels.length);
        }
        Pointer dp = deviceAlloc(pixels.length);
        Pointer dl = deviceAlloc(labels.length);
        try (BytePointer hp = new BytePointer(pixels); BytePointer hl = new BytePointer(labels)) {
            copy(dp.address(), hp.address(), pixels.length, cudart.cudaMemcpyHostToDevice);
            copy(dl.address(), hl.address(), labels.length, cudart.cudaMemcpyHostToDevice);
        }
        return new CudaDataset(dp.address(), dl.address(), count, features);
    }

    /** Stream-ordered copy between raw addresses, then waits (the host side is reused or read right after). */
    private void copy(long dst, long src, long bytes, int kind) {
        ensureContext();
        if (bytes == 0) {
            return;
        }
        check(cudart.cudaMemcpyAsync(copyDst.at(dst), copySrc.at(src), bytes, kind, stream), "cudaMemcpyAsync");
        check(cudart.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    }

    private Pointer staging(long bytes) {
        if (bytes > stagingBytes) {
            if (staging != null) {
                cudart.cudaFreeHost(staging);
            }
            long size = Math.max(bytes, 1 << 16);
            Pointer p = new Pointer();
            check(cudart.cudaMallocHost(p, size), "cudaMallocHost(" + size + ")");
            staging = p;
            stagingFloats = new FloatPointer(p);
            stagingInts = new IntPointer(p);
            stagingBytes = size;
        }
        return staging;
    }

    private static void checkLength(int host, int device, String what) {
        if (host > device) {
            throw new IllegalArgumentException(what + " of " + host + " elements into a buffer of " + device);
        }
    }

    // ---------------------------------------------------------------- operations

    @Override
    public void gather(DeviceDataset data, IndexBuffer indices, int offset, int rows, Tensor x) {
        ensureContext();
        CudaDataset d = (CudaDataset) data;
        kernels.gather(d.pixels, ((CudaIndices) indices).address, offset, rows, d.features, ((CudaTensor) x).address);
    }

    @Override
    public void linearForward(Tensor x, Tensor w, Tensor b, Tensor y, int rows, int in, int out, boolean relu) {
        ensureContext();
        CudaTensor tx = (CudaTensor) x;
        CudaTensor tw = (CudaTensor) w;
        CudaTensor ty = (CudaTensor) y;
        // Row-major y[rows,out] = x[rows,in] w^T  <=>  column-major y^T[out,rows] = w[out,in] x^T[in,rows]:
        // w's memory read column-major is w^T [in,out] (so op T), x's memory is x^T [in,rows] (op N).
        gemm(cublas.cublasSgemm_v2(handle, cublas.CUBLAS_OP_T, cublas.CUBLAS_OP_N, out, rows, in,
                one, tw.ptr, in, tx.ptr, in, zero, ty.ptr, out), "cublasSgemm (forward)");
        kernels.biasAct(ty.address, ((CudaTensor) b).address, rows, out, relu);
    }

    @Override
    public void linearBackward(Tensor x, Tensor w, Tensor y, Tensor dy, Tensor dx, Tensor dw, Tensor db,
                               int rows, int in, int out, boolean relu) {
        ensureContext();
        CudaTensor tdy = (CudaTensor) dy;
        if (relu) {
            kernels.reluMask(((CudaTensor) y).address, tdy.address, rows * out);
        }
        kernels.columnSums(tdy.address, ((CudaTensor) db).address, rows, out);
        // Row-major dw[out,in] = dy^T[out,rows] x[rows,in]  <=>  column-major dw^T[in,out] = x^T[in,rows] dy[rows,out]:
        // x's memory is x^T [in,rows] (op N), dy's memory is dy^T [out,rows] (op T).
        gemm(cublas.cublasSgemm_v2(handle, cublas.CUBLAS_OP_N, cublas.CUBLAS_OP_T, in, out, rows,
                one, ((CudaTensor) x).ptr, in, tdy.ptr, out, zero, ((CudaTensor) dw).ptr, in), "cublasSgemm (dW)");
        if (dx != null) {
            // Row-major dx[rows,in] = dy[rows,out] w[out,in]  <=>  column-major dx^T[in,rows] = w^T[in,out] dy^T[out,rows]:
            // both memories already hold the transposes (op N, op N).
            gemm(cublas.cublasSgemm_v2(handle, cublas.CUBLAS_OP_N, cublas.CUBLAS_OP_N, in, rows, out,
                    one, ((CudaTensor) w).ptr, in, tdy.ptr, out, zero, ((CudaTensor) dx).ptr, in), "cublasSgemm (dX)");
        }
    }

    @Override
    public void softmaxCrossEntropy(Tensor logits, DeviceDataset data, IndexBuffer indices, int offset, int rows,
                                    int classes, Tensor dLogits, Tensor metrics) {
        ensureContext();
        kernels.softmaxXent(((CudaTensor) logits).address, ((CudaDataset) data).labels,
                ((CudaIndices) indices).address, offset, rows, classes,
                dLogits == null ? 0L : ((CudaTensor) dLogits).address, ((CudaTensor) metrics).address);
    }

    @Override
    public void sgdUpdate(Tensor p, Tensor g, int n, float lr) {
        ensureContext();
        kernels.sgd(((CudaTensor) p).address, ((CudaTensor) g).address, n, lr);
    }

    /** Checks a GEMM's status; in synchronous mode also waits for it, so that a fault is reported here. */
    private void gemm(int status, String call) {
        checkBlas(status, call);
        if (synchronous) {
            check(cudart.cudaStreamSynchronize(stream), call + " (synchronised after the call)");
        }
    }

    // ---------------------------------------------------------------- life cycle and errors

    /** The CUDA context is current per thread: make it current when the backend is used from a new thread. */
    private void ensureContext() {
        if (closed) {
            throw new IllegalStateException("the cublas backend is closed");
        }
        Thread t = Thread.currentThread();
        if (t != owner) {
            check(cudart.cudaSetDevice(deviceIndex), "cudaSetDevice");
            checkDriver(cudart.cuCtxSetCurrent(context), "cuCtxSetCurrent");
            owner = t;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (owner != null && owner != Thread.currentThread()) {
            cudart.cudaSetDevice(deviceIndex);
            cudart.cuCtxSetCurrent(context);
        }
        closed = true;
        if (!stream.isNull()) {
            cudart.cudaStreamSynchronize(stream);
        }
        if (kernels != null) {
            kernels.close();
        }
        if (!handle.isNull()) {
            cublas.cublasDestroy_v2(handle);
        }
        for (Pointer p : deviceBuffers) {
            cudart.cudaFree(p);
        }
        deviceBuffers.clear();
        if (staging != null) {
            cudart.cudaFreeHost(staging);
            staging = null;
        }
        if (!stream.isNull()) {
            cudart.cudaStreamDestroy(stream);
        }
        if (!context.isNull()) {
            cudart.cuDevicePrimaryCtxRelease(cuDevice);
        }
        one.close();
        zero.close();
    }

    /** A reusable view of a raw address, so that copies between raw addresses create no objects. */
    static final class Address extends Pointer {
        Address at(long a) {
            address = a;
            return this;
        }
    }

    static String cudaError(int rc) {
        return cudart.cudaGetErrorName(rc).getString() + " (" + cudart.cudaGetErrorString(rc).getString() + ")";
    }

    static void check(int rc, String call) {
        if (rc != cudart.cudaSuccess) {
            throw new IllegalStateException(call + " failed: " + cudaError(rc));
        }
    }

    static void checkDriver(int rc, String call) {
        if (rc != cudart.CUDA_SUCCESS) {
            String name = "CUresult " + rc;
            try (PointerPointer<BytePointer> s = new PointerPointer<>(1)) {
                if (cudart.cuGetErrorName(rc, s) == cudart.CUDA_SUCCESS && !s.get(0).isNull()) {
                    name = s.getString(0);
                }
            }
            throw new IllegalStateException(call + " failed: " + name);
        }
    }

    static void checkBlas(int rc, String call) {
        if (rc != cublas.CUBLAS_STATUS_SUCCESS) {
            throw new IllegalStateException(call + " failed: " + cublas.cublasGetStatusString(rc).getString());
        }
    }
}
