package io.mlp4j.backend.cpu;

import io.mlp4j.backend.Backend;
import io.mlp4j.backend.DeviceDataset;
import io.mlp4j.backend.IndexBuffer;
import io.mlp4j.backend.Tensor;

/**
 * The reference backend: Java arrays, kernels on the Vector API when it is resolved (plain loops otherwise), and
 * an optional pool of threads that split each operation by output rows. Every other backend is tested against it.
 */
public final class CpuBackend implements Backend {

    record CpuTensor(float[] data) implements Tensor {
        @Override
        public int length() {
            return data.length;
        }
    }

    record CpuIndices(int[] data) implements IndexBuffer {
        @Override
        public int length() {
            return data.length;
        }
    }

    record CpuDataset(byte[] pixels, byte[] labels, int count, int features) implements DeviceDataset {
    }

    private final CpuKernels k;
    private final WorkerPool pool;
    private boolean closed;

    // Reusable tasks: setting their fields and running them allocates nothing.
    private final GatherTask gather = new GatherTask();
    private final NtTask nt = new NtTask();
    private final AxpyTask axpy = new AxpyTask();
    private final PackTask pack = new PackTask();
    private final PackedTask packed = new PackedTask();
    private final ElementwiseTask elementwise = new ElementwiseTask();

    /** Element-wise passes shorter than this run on the calling thread: a hand-off would cost more. */
    static final int PARALLEL_ELEMENTWISE_MIN = 1 << 16;
    /** The packed operand of large products (and the kernels' working space): grows, never shrinks. */
    private float[] packScratch = new float[0];

    /**
     * Products at least this large ({@code m * n * k}, with every side at least a panel) go through the packed,
     * cache-blocked path; smaller ones (the tutorial's model: at most 128 x 784 x 32) stay on the direct kernels,
     * which need no packing pass and win there.
     */
    private static final long PACKED_MIN_VOLUME = 1L << 24;
    /** Row grain of the packed path: the micro-kernel's height, so that chunks have no left-over rows. */
    private static final int PACKED_GRAIN = 6;

    /**
     * @param threads threads to compute with (at least 1)
     * @param useVectorApi whether to use the Vector API kernels; requires {@link #vectorApiAvailable()}
     */
    public CpuBackend(int threads, boolean useVectorApi) {
        if (threads < 1) {
            throw new IllegalArgumentException("mlp4j.threads must be at least 1, got " + threads);
        }
        if (useVectorApi && !vectorApiAvailable()) {
            throw new IllegalStateException("the Vector API was asked for but module jdk.incubator.vector is not"
                    + " resolved; start Java with --add-modules jdk.incubator.vector");
        }
        this.k = useVectorApi ? new VectorKernels() : new ScalarKernels();
        this.pool = new WorkerPool(threads);
    }

    /** Whether {@code jdk.incubator.vector} is resolved in the boot layer (it is not by default). */
    public static boolean vectorApiAvailable() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String device() {
        return "CPU, " + pool.threads() + (pool.threads() == 1 ? " thread, " : " threads, ") + k.description();
    }

    private static float[] f(Tensor t) {
        return ((CpuTensor) t).data;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the cpu backend is closed");
        }
    }

    @Override
    public Tensor allocate(int length) {
        checkOpen();
        if (length < 0) {
            throw new IllegalArgumentException("negative tensor length " + length + " (a size overflowed int?)");
        }
        return new CpuTensor(new float[length]);
    }

    @Override
    public void upload(Tensor dst, float[] src) {
        System.arraycopy(src, 0, f(dst), 0, src.length);
    }

    @Override
    public void download(Tensor src, float[] dst) {
        System.arraycopy(f(src), 0, dst, 0, dst.length);
    }

    @Override
    public DeviceDataset upload(byte[] pixels, byte[] labels, int count, int features) {
        checkOpen();
        return new CpuDataset(pixels, labels, count, features);
    }

    @Override
    public IndexBuffer allocateIndices(int length) {
        checkOpen();
        if (length < 0) {
            throw new IllegalArgumentException("negative index buffer length " + length);
        }
        return new CpuIndices(new int[length]);
    }

    @Override
    public void upload(IndexBuffer dst, int[] src) {
        System.arraycopy(src, 0, ((CpuIndices) dst).data, 0, src.length);
    }

    @Override
    public void gather(DeviceDataset data, IndexBuffer indices, int offset, int rows, Tensor x) {
        CpuDataset d = (CpuDataset) data;
        gather.set(d.pixels, d.features, ((CpuIndices) indices).data, offset, f(x));
        pool.run(gather, rows, 4);
    }

    @Override
    public void linearForward(Tensor x, Tensor w, Tensor b, Tensor y, int rows, int in, int out, boolean relu) {
        if (usePacked(rows, out, in)) {
            gemmPacked(f(x), in, 1, f(w), 1, in, f(b), f(y), rows, out, in, relu); // y = x w^T + b
            return;
        }
        nt.set(f(x), f(w), f(b), f(y), out, in, relu);
        pool.run(nt, rows, 4);
    }

    private boolean usePacked(int m, int n, int depth) {
        int panel = k.panelWidth();
        return m >= panel && n >= panel && depth >= panel && (long) m * n * depth >= PACKED_MIN_VOLUME;
    }

    /**
     * {@code c[m, n] = A(m, :) B(:, n) (+ bias, ReLU)} with {@code A(m, p) = a[m * sm + p * sk]} and
     * {@code B(p, j) = b[p * sp + j * sn]}: packs B (split by panels), then computes split by rows of c.
     */
    private void gemmPacked(float[] a, int sm, int sk, float[] b, int sp, int sn, float[] bias, float[] c,
                            int m, int n, int depth, boolean relu) {
        int need = k.packedLength(n, depth, m);
        if (packScratch.length < need) {
            packScratch = new float[need];
        }
        pack.set(b, sp, sn, n, depth, packScratch);
        int panel = k.panelWidth();
        pool.run(pack, (n + panel - 1) / panel, 1);
        packed.set(a, sm, sk, packScratch, bias, c, n, depth, relu);
        pool.run(packed, m, PACKED_GRAIN);
    }

    @Override
    public void linearBackward(Tensor x, Tensor w, Tensor y, Tensor dy, Tensor dx, Tensor dw, Tensor db,
                               int rows, int in, int out, boolean relu) {
        float[] g = f(dy);
        if (relu) {
            elementwise.reluMask(f(y), g, rows * out);
        }
        float[] bias = f(db);
        java.util.Arrays.fill(bias, 0, out, 0f);
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                bias[o] += g[r * out + o];
            }
        }
        if (usePacked(out, in, rows)) {
            gemmPacked(g, 1, out, f(x), in, 1, null, f(dw), out, in, rows, false); // dw[out, in] = dy^T x
        } else {
            axpy.set(g, 1, out, f(x), f(dw), in, rows);
            pool.run(axpy, out, 4);
        }
        if (dx != null) {
            if (usePacked(rows, in, out)) {
                gemmPacked(g, out, 1, f(w), in, 1, null, f(dx), rows, in, out, false); // dx[rows, in] = dy w
            } else {
                axpy.set(g, out, 1, f(w), f(dx), in, out);
                pool.run(axpy, rows, 4);
            }
        }
    }

    @Override
    public void softmaxCrossEntropy(Tensor logits, DeviceDataset data, IndexBuffer indices, int offset, int rows,
                                    int classes, Tensor dLogits, Tensor metrics) {
        float[] z = f(logits);
        float[] dz = dLogits == null ? null : f(dLogits);
        byte[] labels = ((CpuDataset) data).labels;
        int[] idx = ((CpuIndices) indices).data;
        float invRows = 1f / rows;
        double lossSum = 0;
        int correct = 0;
        for (int r = 0; r < rows; r++) {
            int o = r * classes;
            int label = labels[idx[offset + r]] & 0xFF;
            int best = 0;
            float max = z[o];
            for (int c = 1; c < classes; c++) {
                if (z[o + c] > max) {
                    max = z[o + c];
                    best = c;
                }
            }
            // exp once per logit; the gradient buffer (or, in evaluation, nothing) holds them meanwhile
            float sum = 0f;
            for (int c = 0; c < classes; c++) {
                float e = (float) Math.exp(z[o + c] - max);
                sum += e;
                if (dz != null) {
                    dz[o + c] = e;
                }
            }
            lossSum += Math.log(sum) - (z[o + label] - max);
            if (best == label) {
                correct++;
            }
            if (dz != null) {
                float scale = invRows / sum;
                for (int c = 0; c < classes; c++) {
                    dz[o + c] = dz[o + c] * scale - (c == label ? invRows : 0f);
                }
            }
        }
        float[] m = f(metrics);
        m[0] += (float) lossSum;
        m[1] += correct;
    }

    @Override
    public void sgdUpdate(Tensor p, Tensor g, int n, float lr) {
        elementwise.sgd(f(p), f(g), lr, n);
    }

    @Override
    public void close() {
        closed = true;
        pool.close();
    }

    /** ReLU mask and SGD over flat arrays, split across the pool when long enough to pay for the hand-off. */
    private final class ElementwiseTask implements WorkerPool.RangeTask {
        float[] a, b;
        float lr;
        boolean sgd;

        void reluMask(float[] y, float[] dy, int n) {
            a = y;
            b = dy;
            sgd = false;
            runOver(n);
        }

        void sgd(float[] p, float[] g, float lr, int n) {
            a = p;
            b = g;
            this.lr = lr;
            sgd = true;
            runOver(n);
        }

        private void runOver(int n) {
            if (n < PARALLEL_ELEMENTWISE_MIN) {
                run(0, n);
            } else {
                pool.run(this, n, 1024);
            }
        }

        @Override
        public void run(int from, int to) {
            if (sgd) {
                k.sgd(a, b, lr, from, to);
            } else {
                k.reluMask(a, b, from, to);
            }
        }
    }

    private final class GatherTask implements WorkerPool.RangeTask {
        byte[] pixels;
        int features;
        int[] indices;
        int offset;
        float[] x;

        void set(byte[] pixels, int features, int[] indices, int offset, float[] x) {
            this.pixels = pixels;
            this.features = features;
            this.indices = indices;
            this.offset = offset;
            this.x = x;
        }

        @Override
        public void run(int from, int to) {
            k.gather(pixels, features, indices, offset, x, from, to);
        }
    }

    private final class NtTask implements WorkerPool.RangeTask {
        float[] a, b, bias, c;
        int n, depth;
        boolean relu;

        void set(float[] a, float[] b, float[] bias, float[] c, int n, int depth, boolean relu) {
            this.a = a;
            this.b = b;
            this.bias = bias;
            this.c = c;
            this.n = n;
            this.depth = depth;
            this.relu = relu;
        }

        @Override
        public void run(int from, int to) {
            k.gemmNT(a, b, bias, c, from, to, n, depth, relu);
        }
    }

    private final class PackTask implements WorkerPool.RangeTask {
        float[] b, packed;
        int sp, sn, n, depth;

        void set(float[] b, int sp, int sn, int n, int depth, float[] packed) {
            this.b = b;
            this.sp = sp;
            this.sn = sn;
            this.n = n;
            this.depth = depth;
            this.packed = packed;
        }

        @Override
        public void run(int from, int to) {
            k.packB(b, sp, sn, n, depth, packed, from, to);
        }
    }

    private final class PackedTask implements WorkerPool.RangeTask {
        float[] a, packed, bias, c;
        int sm, sk, n, depth;
        boolean relu;

        void set(float[] a, int sm, int sk, float[] packed, float[] bias, float[] c, int n, int depth, boolean relu) {
            this.a = a;
            this.sm = sm;
            this.sk = sk;
            this.packed = packed;
            this.bias = bias;
            this.c = c;
            this.n = n;
            this.depth = depth;
            this.relu = relu;
        }

        @Override
        public void run(int from, int to) {
            k.gemmPacked(a, sm, sk, packed, bias, c, from, to, n, depth, relu);
        }
    }

    private final class AxpyTask implements WorkerPool.RangeTask {
        float[] a, b, c;
        int sm, sk, n, depth;

        void set(float[] a, int sm, int sk, float[] b, float[] c, int n, int depth) {
            this.a = a;
            this.sm = sm;
            this.sk = sk;
            this.b = b;
            this.c = c;
            this.n = n;
            this.depth = depth;
        }

        @Override
        public void run(int from, int to) {
            k.gemmAxpy(a, sm, sk, b, c, from, to, n, depth);
        }
    }
}
