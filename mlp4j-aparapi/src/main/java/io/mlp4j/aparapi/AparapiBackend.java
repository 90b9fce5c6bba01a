package io.mlp4j.aparapi;

import com.aparapi.Kernel;
import com.aparapi.Range;
import com.aparapi.device.Device;
import com.aparapi.device.OpenCLDevice;
import com.aparapi.exception.CompileFailedException;
import io.mlp4j.spi.Backend;
import io.mlp4j.spi.DeviceDataset;
import io.mlp4j.spi.IndexBuffer;
import io.mlp4j.spi.Tensor;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.util.Arrays;

/**
 * The Aparapi backend: every operation is one operation of {@link MlpKernel}, run through OpenCL on one chosen
 * device. Tensors, data sets and index buffers are slices of the kernel's arenas, resident on the device in
 * explicit-buffer mode; only staging arrays travel (see {@link MlpKernel}).
 *
 * <p>Operations are recorded, not run: each call appends a command to the kernel's command list, fusing it with
 * the command before where that gives the same result in fewer passes (gather into GEMM, ReLU mask into the GEMM
 * that computed the gradient, an SGD update into the GEMM that computed its gradient, consecutive SGD updates).
 * A GEMM or SGD command independent of every command of the pass before it (no range of {@code mem} one writes
 * and the other reads or writes) joins that pass. When a result is needed (a download, an upload of indices
 * or data, arena growth, a full list) the list runs as the passes of one {@code execute}. Per training step
 * nothing is transferred; a few times per epoch the command list goes up with the metrics' download.
 *
 * <p>No fallback: the kernel is compiled for the device up front ({@code CompileFailedException} becomes an
 * error naming the device), Aparapi's Java fallback throws, and after every execution the backend checks that
 * it ran through OpenCL on the chosen device.
 */
final class AparapiBackend implements Backend {

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

    private static final System.Logger LOG = System.getLogger("io.mlp4j");

    private final OpenCLDevice device;
    private final String description;
    private final MlpKernel k;
    private final boolean[] verified = new boolean[MlpKernel.OP_COUNT];

    private int memUsed;
    private int idxUsed;
    private int pixUsed;
    private int labUsed;
    private boolean closed;

    /** One range for every pass: the command list's operations all fit it (see {@link MlpKernel}). */
    private final Range range;

    // ---- the command list (see the class comment) ----
    /** Commands recorded and not yet run. */
    private int commands;
    /** Floats of {@code stage} holding uploads recorded and not yet run. */
    private int staged;

    /** Which operations the execution being run holds (reused: nothing is allocated per execution). */
    private final boolean[] ran = new boolean[MlpKernel.OP_COUNT];
    /** Per recorded command: whether it runs in the same pass as the command before it. */
    private final boolean[] joined = new boolean[MlpKernel.MAX_COMMANDS];
    /** Scratch for {@link #conflict}: (offset, length) pairs of mem two commands read and write. */
    private final int[] readsA = new int[2 * 8];
    private final int[] writesA = new int[2 * 8];
    private final int[] readsB = new int[2 * 8];
    private final int[] writesB = new int[2 * 8];

    // ---- counts for the --verbose report ----
    private long executeCalls;
    private long passes;
    private long steps;
    private long reportedSteps;
    private long reportedExecutes;
    private long reportedPasses;
    /** Commands recorded since the last training step's softmax: one step's length, once steps follow steps. */
    private long commandsSinceStep = -1;
    private long commandsPerStep;

    /**
     * Opens the backend on a device: compiles the kernel there and runs it once.
     *
     * @throws IllegalStateException if the kernel does not compile or does not run through OpenCL there
     */
    AparapiBackend(OpenCLDevice device) {
        this(device, new MlpKernel());
    }

    /** With a given kernel: tests pass a broken one to check how failures are reported. */
    AparapiBackend(OpenCLDevice device, MlpKernel kernel) {
        this.k = kernel;
        this.device = device;
        this.description = AparapiDevices.describe(device);
        if (device.getMaxWorkGroupSize() < MlpKernel.LOCAL) {
            throw new IllegalStateException("OpenCL device " + description + " allows work-groups of at most "
                    + device.getMaxWorkGroupSize() + " work-items; the aparapi backend needs " + MlpKernel.LOCAL);
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
        range = Range.create2D(device, MlpKernel.WG * workGroups(device), MlpKernel.WG, MlpKernel.WG, MlpKernel.WG);
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
            record(MlpKernel.OP_NOP);
            flush();
            setCanary();
            flush();
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
        record(MlpKernel.OP_SET_CANARY);
    }

    /**
     * Work-groups per pass. Every pass has the same range (Aparapi runs all passes of one execution over one
     * range), and each operation walks its work in steps of the whole range. On a CPU device (PoCL) one
     * work-group runs on one core at a time: a few per core keep both busy without idle groups costing much;
     * a GPU needs many more to fill its compute units.
     */
    static int workGroups(OpenCLDevice device) {
        int units = Math.max(1, device.getMaxComputeUnits());
        return device.getType() == Device.TYPE.CPU ? 2 * units : 8 * units;
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

    /** Executions of the kernel so far (each runs the commands recorded until then). */
    long executeCalls() {
        return executeCalls;
    }

    /** Kernel passes so far: one per command run. */
    long passes() {
        return passes;
    }

    /** Whether the given operation has executed and was confirmed to run through OpenCL. */
    boolean verified(int op) {
        return verified[op];
    }

    // ------------------------------------------------------------------ execution

    /** Starts a command; returns its index in {@code k.cmd}. Runs the list first if it is full. */
    private int record(int op) {
        checkOpen();
        if (commands == MlpKernel.MAX_COMMANDS) {
            flush();
        }
        int c = commands * MlpKernel.CMD;
        Arrays.fill(k.cmd, c, c + MlpKernel.CMD, 0);
        k.cmd[c] = op;
        joined[commands] = false;
        commands++;
        if (commandsSinceStep >= 0) {
            commandsSinceStep++;
        }
        return c;
    }

    /** Drops the last recorded command (fused into the one recorded next). */
    private void unrecord() {
        commands--;
        if (commandsSinceStep > 0) {
            commandsSinceStep--;
        }
    }

    /** The last recorded command's index if it is the given operation and has not run yet, else -1. */
    private int last(int op) {
        int c = (commands - 1) * MlpKernel.CMD;
        return commands > 0 && k.cmd[c] == op ? c : -1;
    }

    /**
     * Runs every recorded command, in order, as the passes of one execution: Aparapi enqueues one kernel run per
     * pass with the pass number as an argument, each after the previous one finished, with no return to Java in
     * between. The command list and any staged uploads go to the device first.
     */
    private void flush() {
        if (commands == 0) {
            return;
        }
        checkOpen();
        int n = commands;
        commands = 0;
        Arrays.fill(ran, false);
        int p = 0;
        for (int i = 0; i < n; i++) {
            ran[k.cmd[i * MlpKernel.CMD]] = true;
            if (!joined[i]) {
                k.passCmd[p++] = i;
            }
        }
        k.passCmd[p] = n;
        k.put(k.cmd);
        k.put(k.cmdLr);
        k.put(k.passCmd);
        if (staged > 0) {
            k.put(k.stage);
            staged = 0;
        }
        try {
            k.execute(range, p);
        } catch (RuntimeException e) {
            throw new IllegalStateException("aparapi kernel operations " + names(ran) + " failed on "
                    + description + ": " + e.getMessage(), e);
        }
        executeCalls++;
        passes += p;
        verify(ran);
        for (int op = 0; op < ran.length; op++) {
            verified[op] |= ran[op];
        }
    }

    /**
     * Decides whether the last recorded command c (a GEMM or an SGD update, complete or just changed by a fusion)
     * runs in the pass of the command before it: only if it is independent of every command of that pass, all
     * GEMMs and SGD updates.
     */
    private void join(int c) {
        int i = c / MlpKernel.CMD;
        joined[i] = false;
        if (i == 0 || !joinable(k.cmd[c])) {
            return;
        }
        for (int j = i - 1; j >= 0; j--) {
            if (!joinable(k.cmd[j * MlpKernel.CMD]) || conflict(c, j * MlpKernel.CMD)) {
                return;
            }
            if (!joined[j]) {
                break;
            }
        }
        joined[i] = true;
    }

    private static boolean joinable(int op) {
        return op == MlpKernel.OP_GEMM || op == MlpKernel.OP_SGD;
    }

    /** Whether one of the commands a and b writes a float of mem that the other reads or writes. */
    private boolean conflict(int a, int b) {
        int ra = ranges(a, readsA, writesA);
        int rb = ranges(b, readsB, writesB);
        return overlaps(writesA, ra >> 8, readsB, rb & 0xFF) || overlaps(writesA, ra >> 8, writesB, rb >> 8)
                || overlaps(readsA, ra & 0xFF, writesB, rb >> 8);
    }

    private static boolean overlaps(int[] x, int nx, int[] y, int ny) {
        for (int i = 0; i < nx; i++) {
            for (int j = 0; j < ny; j++) {
                if (overlap(x[2 * i], x[2 * i + 1], y[2 * j], y[2 * j + 1])) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The ranges of mem a GEMM or SGD command reads and writes, as (offset, length) pairs; returns the number of
     * read ranges plus 256 times the number of written ones.
     */
    private int ranges(int c, int[] reads, int[] writes) {
        int[] x = k.cmd;
        int r = 0;
        int w = 0;
        if (x[c] == MlpKernel.OP_SGD) {
            for (int s = 0; s < x[c + 1]; s++) {
                int p = x[c + 2 + 3 * s];
                int n = x[c + 4 + 3 * s];
                r = put(reads, r, p, n);
                r = put(reads, r, x[c + 3 + 3 * s], n);
                w = put(writes, w, p, n);
            }
            return r + (w << 8);
        }
        int m = x[c + 1];
        int n = x[c + 2];
        int depth = x[c + 3];
        if (x[c + 15] == 0) {
            r = put(reads, r, x[c + 4], (m - 1) * x[c + 5] + (depth - 1) * x[c + 6] + 1);
        }
        r = put(reads, r, x[c + 7], (depth - 1) * x[c + 8] + (n - 1) * x[c + 9] + 1);
        r = put(reads, r, x[c + 11], n);
        r = put(reads, r, x[c + 13], m * n);
        r = put(reads, r, x[c + 19], m * n);
        r = put(reads, r, x[c + 20], m);
        w = put(writes, w, x[c + 10], m * n);
        w = put(writes, w, x[c + 14], m);
        w = put(writes, w, x[c + 18], m * depth);
        w = put(writes, w, x[c + 19], m * n);
        w = put(writes, w, x[c + 20], m);
        return r + (w << 8);
    }

    /** Appends the range (offset, length) as pair i unless offset is -1 (absent); returns the new count. */
    private static int put(int[] pairs, int i, int offset, int length) {
        if (offset < 0) {
            return i;
        }
        pairs[2 * i] = offset;
        pairs[2 * i + 1] = length;
        return i + 1;
    }

    private static String names(boolean[] ops) {
        StringBuilder b = new StringBuilder();
        for (int op = 0; op < ops.length; op++) {
            if (ops[op]) {
                b.append(b.length() == 0 ? "'" : ", '").append(MlpKernel.opName(op)).append('\'');
            }
        }
        return b.toString();
    }

    /** After an execution: did it run through OpenCL, on our device? */
    private void verify(boolean[] ran) {
        Device target = k.getTargetDevice();
        if (!k.isRunningCL() || !(target instanceof OpenCLDevice) || target.getDeviceId() != device.getDeviceId()) {
            throw new IllegalStateException("aparapi kernel operations " + names(ran)
                    + " did not run through OpenCL on " + description + " (Aparapi reports target device "
                    + target + ", running OpenCL: " + k.isRunningCL() + "); refusing Aparapi's Java fallback");
        }
    }

    /**
     * For --verbose: how many executions and kernel passes the training steps since the last report took (the
     * figures include evaluation passes run in between).
     */
    private void report() {
        long s = steps - reportedSteps;
        if (s == 0) {
            return;
        }
        long e = executeCalls - reportedExecutes;
        long p = passes - reportedPasses;
        LOG.log(System.Logger.Level.DEBUG, () -> String.format(java.util.Locale.ROOT,
                "aparapi: %d training steps in %d execute calls (%.3f per step), %d kernel passes (%.1f per step);"
                        + " one step records %d commands", s, e, (double) e / s, p, (double) p / s, commandsPerStep));
        reportedSteps = steps;
        reportedExecutes = executeCalls;
        reportedPasses = passes;
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
            flush();
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
        checkOpen();
        if (src.length == 0) {
            return;
        }
        // Staged behind the uploads already recorded; the stage goes to the device with the next execution.
        if (staged + src.length > k.stage.length) {
            flush();
            ensureStage(src.length);
        }
        int c = record(MlpKernel.OP_COPY_IN); // first: if the list is full, this runs it and empties the stage
        int from = staged;
        System.arraycopy(src, 0, k.stage, from, src.length);
        staged += src.length;
        k.cmd[c + 1] = src.length;
        k.cmd[c + 2] = d.offset;
        k.cmd[c + 3] = from;
    }

    @Override
    public void download(Tensor src, float[] dst) {
        AparapiTensor s = t(src);
        if (dst.length > s.length) {
            throw new IllegalArgumentException("download of " + dst.length + " floats from a tensor of " + s.length);
        }
        checkOpen();
        if (k.stage.length < dst.length + 1) {
            flush(); // sends what is staged before the stage is replaced
            ensureStage(dst.length + 1);
        }
        // Staged uploads are read by earlier passes of the same execution, before this copy overwrites the stage.
        int c = record(MlpKernel.OP_COPY_OUT);
        k.cmd[c + 1] = dst.length;
        k.cmd[c + 2] = s.offset;
        flush();
        k.get(k.stage);
        if (k.stage[dst.length] != MlpKernel.CANARY) {
            throw new IllegalStateException("the aparapi backend lost its device data on " + description
                    + ": Aparapi re-created the device buffer from the Java array (it does so when the garbage"
                    + " collector moves the array). Use the G1 collector (the default) or another that does not move"
                    + " large arrays, e.g. ZGC or Shenandoah");
        }
        System.arraycopy(k.stage, 0, dst, 0, dst.length);
    }

    /** Grows the (empty: nothing staged) staging array to at least {@code length} floats. */
    private void ensureStage(int length) {
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
        flush(); // recorded commands read these arenas as they are now
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
            flush(); // recorded commands read idx as it is now
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
        flush(); // recorded commands read idx as it is now
        report(); // a new epoch's order: say what the last one cost
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
        int c = record(MlpKernel.OP_GATHER);
        k.cmd[c + 1] = n;
        k.cmd[c + 2] = d.features;
        k.cmd[c + 3] = d.pixelOffset;
        k.cmd[c + 4] = i.offset + offset;
        k.cmd[c + 5] = out.offset;
    }

    @Override
    public void linearForward(Tensor x, Tensor w, Tensor b, Tensor y, int rows, int in, int out, boolean relu) {
        // y[r, o] = sum_i x[r, i] w[o, i]: A = x (r, i) -> x[r*in + i], B(i, o) = w[o*in + i]
        int xo = t(x).offset;
        int g = last(MlpKernel.OP_GATHER);
        if (g >= 0 && k.cmd[g + 5] == xo && k.cmd[g + 2] == in && k.cmd[g + 1] == rows * in) {
            // Fused with the gather just recorded: the GEMM reads A from the pixels and also stores x.
            int pixOff = k.cmd[g + 3];
            int idxOff = k.cmd[g + 4];
            unrecord();
            int c = gemm(rows, out, in, xo, in, 1, t(w).offset, 1, in, t(y).offset, t(b).offset, relu ? 1 : 0);
            if (c >= 0) {
                k.cmd[c + 15] = 1;
                k.cmd[c + 16] = pixOff;
                k.cmd[c + 17] = idxOff;
                k.cmd[c + 18] = xo;
                join(c);
            }
            return;
        }
        gemm(rows, out, in, xo, in, 1, t(w).offset, 1, in, t(y).offset, t(b).offset, relu ? 1 : 0);
    }

    @Override
    public void linearBackward(Tensor x, Tensor w, Tensor y, Tensor dy, Tensor dx, Tensor dw, Tensor db,
                               int rows, int in, int out, boolean relu) {
        int g = t(dy).offset;
        int n = rows * out;
        if (relu && n > 0) {
            int prev = last(MlpKernel.OP_GEMM);
            if (prev >= 0 && k.cmd[prev + 10] == g && k.cmd[prev + 1] == rows && k.cmd[prev + 2] == out
                    && k.cmd[prev + 13] < 0 && t(y).offset != g) {
                // dy was just computed by a recorded GEMM (the next layer's dx): mask it there, as it is stored.
                k.cmd[prev + 13] = t(y).offset;
                join(prev);
            } else {
                int c = record(MlpKernel.OP_RELU_MASK);
                k.cmd[c + 1] = n;
                k.cmd[c + 2] = t(y).offset;
                k.cmd[c + 3] = g;
            }
        }
        // dw[o, i] = sum_r dy[r, o] x[r, i]: A(o, r) = dy[r*out + o], B(r, i) = x[r*in + i]; db[o] = sum_r A(o, r)
        int c = gemm(out, in, rows, g, 1, out, t(x).offset, in, 1, t(dw).offset, -1, 0); // in >= 1: a layer's width
        if (c >= 0) {
            k.cmd[c + 14] = t(db).offset;
            join(c);
        }
        if (dx != null) {
            // dx[r, i] = sum_o dy[r, o] w[o, i]: A(r, o) = dy[r*out + o], B(o, i) = w[o*in + i]
            gemm(rows, in, out, g, out, 1, t(w).offset, in, 1, t(dx).offset, -1, 0);
        }
    }

    /** Records a GEMM (see {@link MlpKernel}'s gemm for the arguments); returns its index, or -1 if C is empty. */
    private int gemm(int m, int n, int depth, int a, int aM, int aK, int b, int bK, int bN, int c, int bias,
                     int relu) {
        if (m == 0 || n == 0) {
            return -1;
        }
        int x = record(MlpKernel.OP_GEMM);
        int[] cmd = k.cmd;
        cmd[x + 1] = m;
        cmd[x + 2] = n;
        cmd[x + 3] = depth;
        cmd[x + 4] = a;
        cmd[x + 5] = aM;
        cmd[x + 6] = aK;
        cmd[x + 7] = b;
        cmd[x + 8] = bK;
        cmd[x + 9] = bN;
        cmd[x + 10] = c;
        cmd[x + 11] = bias;
        cmd[x + 12] = relu;
        cmd[x + 13] = -1;
        cmd[x + 14] = -1;
        cmd[x + 18] = -1;
        cmd[x + 19] = -1;
        cmd[x + 20] = -1;
        join(x);
        return x;
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
        int c = record(MlpKernel.OP_SOFTMAX_XENT);
        k.cmd[c + 1] = rows;
        k.cmd[c + 2] = classes;
        k.cmd[c + 3] = t(logits).offset;
        k.cmd[c + 4] = d.labelOffset;
        k.cmd[c + 5] = i.offset + offset;
        k.cmd[c + 6] = dLogits == null ? -1 : t(dLogits).offset;
        k.cmd[c + 7] = t(metrics).offset;
        if (dLogits != null) { // a training step
            steps++;
            if (commandsSinceStep > 0) {
                commandsPerStep = commandsSinceStep;
            }
            commandsSinceStep = 0;
        }
    }

    @Override
    public void sgdUpdate(Tensor p, Tensor g, int n, float lr) {
        if (n == 0) {
            return;
        }
        int po = t(p).offset;
        int go = t(g).offset;
        int gemm = last(MlpKernel.OP_GEMM);
        if (gemm >= 0 && fuseUpdate(gemm, po, go, n, lr)) {
            return;
        }
        int c = last(MlpKernel.OP_SGD);
        if (c >= 0 && k.cmdLr[c / MlpKernel.CMD] == lr && k.cmd[c + 1] < MlpKernel.SGD_SEGMENTS
                && independent(c, po, go, n)) {
            // Merged into the update just recorded: one pass for all of a step's parameters.
            int s = k.cmd[c + 1]++;
            k.cmd[c + 2 + 3 * s] = po;
            k.cmd[c + 3 + 3 * s] = go;
            k.cmd[c + 4 + 3 * s] = n;
            join(c);
            return;
        }
        c = record(MlpKernel.OP_SGD);
        k.cmdLr[c / MlpKernel.CMD] = lr;
        k.cmd[c + 1] = 1;
        k.cmd[c + 2] = po;
        k.cmd[c + 3] = go;
        k.cmd[c + 4] = n;
        join(c);
    }

    /**
     * Fuses p -= lr g into the recorded GEMM c that computes all of g (as its C, or as its row sums): the GEMM's
     * epilogue then updates p as it stores g. Only if p is no range the GEMM reads or writes (the update happens
     * while the GEMM runs) and the GEMM's other update, if any, has the same rate.
     */
    private boolean fuseUpdate(int c, int p, int g, int n, float lr) {
        int[] x = k.cmd;
        int slot;
        if (x[c + 10] == g && n == x[c + 1] * x[c + 2] && x[c + 19] < 0) {
            slot = 19;
        } else if (x[c + 14] == g && n == x[c + 1] && x[c + 20] < 0) {
            slot = 20;
        } else {
            return false;
        }
        int other = slot == 19 ? 20 : 19;
        if (x[c + other] >= 0 && k.cmdLr[c / MlpKernel.CMD] != lr) {
            return false;
        }
        int both = ranges(c, readsA, writesA);
        readsB[0] = p;
        readsB[1] = n;
        if (overlaps(readsA, both & 0xFF, readsB, 1) || overlaps(writesA, both >> 8, readsB, 1)) {
            return false;
        }
        x[c + slot] = p;
        k.cmdLr[c / MlpKernel.CMD] = lr;
        join(c); // it now also writes p: it may no longer share its pass
        return true;
    }

    /** Whether an update of p[0, n) by g can run in the same pass as the recorded command c's segments. */
    private boolean independent(int c, int p, int g, int n) {
        for (int s = 0; s < k.cmd[c + 1]; s++) {
            int sp = k.cmd[c + 2 + 3 * s];
            int sg = k.cmd[c + 3 + 3 * s];
            int sn = k.cmd[c + 4 + 3 * s];
            if (overlap(p, n, sp, sn) || overlap(p, n, sg, sn) || overlap(g, n, sp, sn)) {
                return false;
            }
        }
        return true;
    }

    private static boolean overlap(int a, int an, int b, int bn) {
        return a < b + bn && b < a + an;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the aparapi backend is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            report();
            closed = true;
            k.dispose();
            k.mem = null;
            k.pixels = null;
            k.labels = null;
            k.idx = null;
        }
    }
}
