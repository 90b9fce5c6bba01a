package io.mlp4j.backend.aparapi;

import com.aparapi.Kernel;
import com.aparapi.Range;
import com.aparapi.device.Device;
import com.aparapi.device.OpenCLDevice;
import com.aparapi.exception.CompileFailedException;
import io.mlp4j.backend.Backend;
import io.mlp4j.backend.DeviceDataset;
import io.mlp4j.backend.IndexBuffer;
import io.mlp4j.backend.Tensor;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.util.Arrays;

/**
 * The Aparapi backend: every operation is one operation of {@link MlpKernel}, run through OpenCL on one chosen
 * device. Tensors, data sets and index buffers are slices of the kernel's arenas, resident on the device in
 * explicit-buffer mode; only staging arrays travel (see {@link MlpKernel}). Per training step nothing is
 * transferred but kernel arguments; per epoch the index order goes up and the metrics come down.
 *
 * <p>No fallback: the kernel is compiled for the device up front ({@code CompileFailedException} becomes an
 * error naming the device), Aparapi's Java fallback throws, and after the first execution of each operation the
 * backend checks that it ran through OpenCL on the chosen device.
 */
public final class AparapiBackend implements Backend {

    /** Offsets are aligned to this many elements (64 bytes of floats). */
    private static final int ALIGN = 16;

    /**
     * Minimum length of the float arena: 16 MiB and a bit, at least half of G1's largest region size, so the array
     * is a humongous object, which G1 never moves (a moved array makes Aparapi re-create its device buffer from
     * the stale host copy; see {@link MlpKernel}).
     */
    static final int MIN_ARENA = (16 << 20) / Float.BYTES + 64;

    record AparapiTensor(AparapiBackend owner, int offset, int length) implements Tensor {
    }

    record AparapiIndices(AparapiBackend owner, int offset, int length) implements IndexBuffer {
    }

    record AparapiDataset(AparapiBackend owner, int pixelOffset, int labelOffset, int count, int features)
            implements DeviceDataset {
    }

    private final OpenCLDevice device;
    private final String description;
    private final MlpKernel k;
    private final boolean[] verified = new boolean[MlpKernel.OP_COUNT];

    private int memUsed;
    private int idxUsed;
    private int pixUsed;
    private int labUsed;
    private boolean closed;

    // Reused ranges: their global sizes are set per call (no allocation in the step loop).
    private final Range linear;
    private final Range tiles;
    private final Range rowsRange;
    private final Range reduce;

    /**
     * Opens the backend on a device: compiles the kernel there and runs it once.
     *
     * @throws IllegalStateException if the kernel does not compile or does not run through OpenCL there
     */
    public AparapiBackend(OpenCLDevice device) {
        this(device, new MlpKernel());
    }

    /** With a given kernel: tests pass a broken one to check how failures are reported. */
    AparapiBackend(OpenCLDevice device, MlpKernel kernel) {
        this.k = kernel;
        this.device = device;
        this.description = AparapiDevices.describe(device);
        if (device.getMaxWorkGroupSize() < MlpKernel.REDUCE) {
            throw new IllegalStateException("OpenCL device " + description + " allows work-groups of at most "
                    + device.getMaxWorkGroupSize() + " work-items; the aparapi backend needs " + MlpKernel.REDUCE);
        }
        long local = localMemoryBytes(kernel);
        if (local > device.getLocalMemSize()) {
            // Checked here because some drivers do not report it as an error: PoCL built with assertions aborts
            // the whole JVM when a launch asks for more local memory than the device has.
            throw new IllegalStateException("the aparapi kernel " + kernel.getClass().getSimpleName() + " needs "
                    + local + " bytes of local memory per work-group, but OpenCL device " + description + " has "
                    + device.getLocalMemSize());
        }
        // Separate device buffers (copy semantics) even on CPU devices, where Aparapi would otherwise let the
        // device use the Java array in place: it keeps the explicit put/get contract the same on every device.
        device.setSharedMemory(false);
        k.setExplicit(true);
        linear = Range.create(device, MlpKernel.LINEAR, MlpKernel.LINEAR);
        tiles = Range.create2D(device, MlpKernel.WG, MlpKernel.WG, MlpKernel.WG, MlpKernel.WG);
        rowsRange = Range.create2D(device, MlpKernel.LINEAR, 1, MlpKernel.LINEAR, 1);
        reduce = Range.create(device, MlpKernel.REDUCE, MlpKernel.REDUCE);
        try {
            k.compile(device);
        } catch (CompileFailedException | RuntimeException e) {
            k.dispose();
            throw new IllegalStateException("the aparapi kernel " + k.getClass().getSimpleName()
                    + " did not compile for OpenCL device " + description + ": " + e.getMessage(), e);
        } catch (LinkageError e) {
            throw new IllegalStateException("the aparapi kernel could not be compiled for " + description
                    + " because Aparapi's native library failed: " + e, e);
        }
        k.mem = new float[MIN_ARENA];
        memUsed = ALIGN; // mem[0] holds the canary
        try {
            k.op = MlpKernel.OP_NOP;
            execute(linear, MlpKernel.LINEAR);
            setCanary();
        } catch (RuntimeException | Error e) {
            // Nobody will close a backend whose constructor failed: free the kernel's OpenCL context and its
            // buffers now (Aparapi's native side holds a global reference to the kernel until dispose()).
            close();
            throw e;
        }
    }

    /** The local memory a kernel's {@code @Local} arrays take per work-group, in bytes. */
    static long localMemoryBytes(Kernel kernel) {
        long total = 0;
        for (Class<?> c = kernel.getClass(); c != null && c != Kernel.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (!f.isAnnotationPresent(Kernel.Local.class) && !f.getName().endsWith(Kernel.LOCAL_SUFFIX)) {
                    continue;
                }
                try {
                    f.setAccessible(true);
                    Object array = f.get(kernel);
                    if (array != null && array.getClass().isArray()) {
                        Class<?> e = array.getClass().getComponentType();
                        int size = e == double.class || e == long.class ? 8 : e == short.class || e == char.class ? 2
                                : e == byte.class || e == boolean.class ? 1 : 4;
                        total += (long) Array.getLength(array) * size;
                    }
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // Not ours to read: Aparapi will report it, if it matters.
                }
            }
        }
        return total;
    }

    private void setCanary() {
        k.op = MlpKernel.OP_SET_CANARY;
        execute(linear, 1);
    }

    @Override
    public String name() {
        return "aparapi";
    }

    @Override
    public String device() {
        return description;
    }

    /** The OpenCL device in use. */
    OpenCLDevice openClDevice() {
        return device;
    }

    /** The single kernel, for tests that check where it ran. */
    MlpKernel kernel() {
        return k;
    }

    /** Whether the given operation has executed and was confirmed to run through OpenCL. */
    boolean verified(int op) {
        return verified[op];
    }

    // ------------------------------------------------------------------ execution

    private void execute(Range range, int global0) {
        if (closed) {
            throw new IllegalStateException("the aparapi backend is closed");
        }
        range.setGlobalSize_0(roundUp(global0, range.getLocalSize_0()));
        int op = k.op;
        try {
            k.execute(range);
        } catch (RuntimeException e) {
            throw new IllegalStateException("aparapi kernel operation '" + MlpKernel.opName(op) + "' failed on "
                    + description + ": " + e.getMessage(), e);
        }
        if (!verified[op]) {
            verify(op);
            verified[op] = true;
        }
    }

    /** After an operation's first execution: did it run through OpenCL, on our device? */
    private void verify(int op) {
        Device target = k.getTargetDevice();
        if (!k.isRunningCL() || !(target instanceof OpenCLDevice) || target.getDeviceId() != device.getDeviceId()) {
            throw new IllegalStateException("aparapi kernel operation '" + MlpKernel.opName(op)
                    + "' did not run through OpenCL on " + description + " (Aparapi reports target device "
                    + target + ", running OpenCL: " + k.isRunningCL() + "); refusing Aparapi's Java fallback");
        }
    }

    private static int roundUp(int n, int multiple) {
        int r = Math.max(n, 1) + multiple - 1;
        return r - r % multiple;
    }

    private AparapiTensor t(Tensor t) {
        if (!(t instanceof AparapiTensor a) || a.owner != this) {
            throw new IllegalArgumentException("tensor does not belong to this aparapi backend: " + t);
        }
        return a;
    }

    private AparapiIndices ix(IndexBuffer b) {
        if (!(b instanceof AparapiIndices a) || a.owner != this) {
            throw new IllegalArgumentException("index buffer does not belong to this aparapi backend: " + b);
        }
        return a;
    }

    private AparapiDataset ds(DeviceDataset d) {
        if (!(d instanceof AparapiDataset a) || a.owner != this) {
            throw new IllegalArgumentException("data set does not belong to this aparapi backend: " + d);
        }
        return a;
    }

    // ------------------------------------------------------------------ memory

    private static int aligned(int n) {
        return (n + ALIGN - 1) / ALIGN * ALIGN;
    }

    private static int grown(int needed, int current) {
        long cap = Math.max((long) needed, Math.min(Integer.MAX_VALUE - 64L, (long) current * 2));
        return (int) cap;
    }

    @Override
    public Tensor allocate(int length) {
        checkOpen();
        if (length < 0) {
            throw new IllegalArgumentException("negative tensor length " + length);
        }
        int offset = memUsed;
        long end = (long) offset + aligned(Math.max(length, 1));
        if (end > Integer.MAX_VALUE - 64) {
            throw new IllegalStateException("the aparapi backend holds at most 2^31 floats");
        }
        if (end > k.mem.length) {
            // Bring the device copy home, then hand Aparapi a bigger array: on the next execution it drops the old
            // device buffer and creates one from this array (zeros past the old end, like a fresh allocation).
            k.get(k.mem);
            float[] bigger = Arrays.copyOf(k.mem, grown((int) end, k.mem.length));
            bigger[0] = 0f; // the canary lives on the device only
            k.mem = bigger;
            setCanary();
        }
        memUsed = (int) end;
        return new AparapiTensor(this, offset, length);
    }

    @Override
    public void upload(Tensor dst, float[] src) {
        AparapiTensor d = t(dst);
        if (src.length > d.length) {
            throw new IllegalArgumentException("upload of " + src.length + " floats into a tensor of " + d.length);
        }
        ensureStage(src.length);
        System.arraycopy(src, 0, k.stage, 0, src.length);
        k.put(k.stage);
        k.op = MlpKernel.OP_COPY_IN;
        k.n = src.length;
        k.dst = d.offset;
        execute(linear, src.length);
    }

    @Override
    public void download(Tensor src, float[] dst) {
        AparapiTensor s = t(src);
        if (dst.length > s.length) {
            throw new IllegalArgumentException("download of " + dst.length + " floats from a tensor of " + s.length);
        }
        ensureStage(dst.length + 1);
        k.op = MlpKernel.OP_COPY_OUT;
        k.n = dst.length;
        k.src = s.offset;
        execute(linear, dst.length + 1);
        k.get(k.stage);
        if (k.stage[dst.length] != MlpKernel.CANARY) {
            throw new IllegalStateException("the aparapi backend lost its device data on " + description
                    + ": Aparapi re-created the device buffer from the Java array (it does so when the garbage"
                    + " collector moves the array). Use the G1 collector (the default) or another that does not move"
                    + " large arrays, e.g. ZGC or Shenandoah");
        }
        System.arraycopy(k.stage, 0, dst, 0, dst.length);
    }

    private void ensureStage(int length) {
        checkOpen();
        if (k.stage.length < length) {
            k.stage = new float[grown(length, k.stage.length)];
        }
    }

    @Override
    public DeviceDataset upload(byte[] pixels, byte[] labels, int count, int features) {
        checkOpen();
        long pixBytes = (long) count * features;
        if (count < 0 || features < 1 || pixels.length < pixBytes || labels.length < count) {
            throw new IllegalArgumentException("data set of " + count + " samples x " + features + " features needs "
                    + pixBytes + " pixel bytes and " + count + " labels, got " + pixels.length + " and "
                    + labels.length);
        }
        if (pixUsed + pixBytes > Integer.MAX_VALUE - 64) {
            throw new IllegalStateException("the aparapi backend holds at most 2 GiB of pixels");
        }
        // The kernel never writes these arenas, so the host copies are always current: grow to the exact size,
        // append, and let Aparapi create the device buffers from them (a new array) or send them (put).
        int pixOff = pixUsed;
        int labOff = labUsed;
        byte[] p = k.pixels;
        if (pixOff + (int) pixBytes > p.length) {
            p = Arrays.copyOf(p, pixOff + (int) pixBytes);
        }
        System.arraycopy(pixels, 0, p, pixOff, (int) pixBytes);
        byte[] l = k.labels;
        if (labOff + count > l.length) {
            l = Arrays.copyOf(l, labOff + count);
        }
        System.arraycopy(labels, 0, l, labOff, count);
        if (p == k.pixels) {
            k.put(p);
        }
        if (l == k.labels) {
            k.put(l);
        }
        k.pixels = p;
        k.labels = l;
        pixUsed = pixOff + (int) pixBytes;
        labUsed = labOff + count;
        return new AparapiDataset(this, pixOff, labOff, count, features);
    }

    @Override
    public IndexBuffer allocateIndices(int length) {
        checkOpen();
        int offset = idxUsed;
        int end = offset + aligned(Math.max(length, 1));
        if (end > k.idx.length) {
            // The kernel never writes idx: the host copy is current and Aparapi may re-create the buffer from it.
            k.idx = Arrays.copyOf(k.idx, end);
        }
        idxUsed = end;
        return new AparapiIndices(this, offset, length);
    }

    @Override
    public void upload(IndexBuffer dst, int[] src) {
        AparapiIndices d = ix(dst);
        if (src.length > d.length) {
            throw new IllegalArgumentException("upload of " + src.length + " indices into a buffer of " + d.length);
        }
        checkOpen();
        // Host copy first (always current), then the whole index arena goes up before the next operation.
        System.arraycopy(src, 0, k.idx, d.offset, src.length);
        k.put(k.idx);
    }

    // ------------------------------------------------------------------ operations

    @Override
    public void gather(DeviceDataset data, IndexBuffer indices, int offset, int rows, Tensor x) {
        AparapiDataset d = ds(data);
        AparapiIndices i = ix(indices);
        AparapiTensor out = t(x);
        if (offset < 0 || rows < 0 || offset + rows > i.length || (long) rows * d.features > out.length) {
            throw new IllegalArgumentException("gather of rows [" + offset + ", " + (offset + rows) + ") from "
                    + i.length + " indices into a tensor of " + out.length);
        }
        int n = rows * d.features;
        if (n == 0) {
            return;
        }
        k.op = MlpKernel.OP_GATHER;
        k.n = n;
        k.width = d.features;
        k.pixOff = d.pixelOffset;
        k.idxOff = i.offset + offset;
        k.dst = out.offset;
        rowsRange.setGlobalSize_1(rows);
        execute(rowsRange, d.features);
    }

    @Override
    public void linearForward(Tensor x, Tensor w, Tensor b, Tensor y, int rows, int in, int out, boolean relu) {
        // y[r, o] = sum_i x[r, i] w[o, i]: A = x (r, i) -> x[r*in + i], B(i, o) = w[o*in + i]
        gemm(rows, out, in, t(x).offset, in, 1, t(w).offset, 1, in, t(y).offset, t(b).offset, relu ? 1 : 0);
    }

    @Override
    public void linearBackward(Tensor x, Tensor w, Tensor y, Tensor dy, Tensor dx, Tensor dw, Tensor db,
                               int rows, int in, int out, boolean relu) {
        int g = t(dy).offset;
        int n = rows * out;
        if (relu && n > 0) {
            k.op = MlpKernel.OP_RELU_MASK;
            k.n = n;
            k.src = t(y).offset;
            k.dst = g;
            execute(linear, n);
        }
        k.op = MlpKernel.OP_COLUMN_SUM;
        k.n = out;
        k.rows = rows;
        k.src = g;
        k.dst = t(db).offset;
        execute(linear, out);
        // dw[o, i] = sum_r dy[r, o] x[r, i]: A(o, r) = dy[r*out + o], B(r, i) = x[r*in + i]
        gemm(out, in, rows, g, 1, out, t(x).offset, in, 1, t(dw).offset, -1, 0);
        if (dx != null) {
            // dx[r, i] = sum_o dy[r, o] w[o, i]: A(r, o) = dy[r*out + o], B(o, i) = w[o*in + i]
            gemm(rows, in, out, g, out, 1, t(w).offset, in, 1, t(dx).offset, -1, 0);
        }
    }

    private void gemm(int m, int n, int depth, int a, int aM, int aK, int b, int bK, int bN, int c, int bias,
                      int relu) {
        if (m == 0 || n == 0) {
            return;
        }
        k.op = MlpKernel.OP_GEMM;
        k.gM = m;
        k.gN = n;
        k.gK = depth;
        k.aOff = a;
        k.aM = aM;
        k.aK = aK;
        k.bOff = b;
        k.bK = bK;
        k.bN = bN;
        k.cOff = c;
        k.biasOff = bias;
        k.relu = relu;
        tiles.setGlobalSize_1(roundUp(m, MlpKernel.BLOCK) / 4);
        execute(tiles, roundUp(n, MlpKernel.BLOCK) / 4);
    }

    @Override
    public void softmaxCrossEntropy(Tensor logits, DeviceDataset data, IndexBuffer indices, int offset, int rows,
                                    int classes, Tensor dLogits, Tensor metrics) {
        AparapiDataset d = ds(data);
        AparapiIndices i = ix(indices);
        if (offset < 0 || rows < 0 || offset + rows > i.length) {
            throw new IllegalArgumentException("softmax over rows [" + offset + ", " + (offset + rows) + ") of "
                    + i.length + " indices");
        }
        if (rows == 0) {
            return;
        }
        k.op = MlpKernel.OP_SOFTMAX_XENT;
        k.rows = rows;
        k.width = classes;
        k.src = t(logits).offset;
        k.labOff = d.labelOffset;
        k.idxOff = i.offset + offset;
        k.outGrad = dLogits == null ? -1 : t(dLogits).offset;
        k.dst = t(metrics).offset;
        execute(reduce, MlpKernel.REDUCE);
    }

    @Override
    public void sgdUpdate(Tensor p, Tensor g, int n, float lr) {
        if (n == 0) {
            return;
        }
        k.op = MlpKernel.OP_SGD;
        k.n = n;
        k.lr = lr;
        k.dst = t(p).offset;
        k.src = t(g).offset;
        execute(linear, n);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the aparapi backend is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            k.dispose();
            k.mem = null;
            k.pixels = null;
            k.labels = null;
            k.idx = null;
        }
    }
}
