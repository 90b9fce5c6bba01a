package io.mlp4j.backend.cpu;

import io.mlp4j.spi.Backend;
import io.mlp4j.spi.DeviceDataset;
import io.mlp4j.spi.IndexBuffer;
import io.mlp4j.spi.Tensor;

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
    private final Call call = new Call();
    private boolean closed;

    /** Element-wise passes shorter than this run on the calling thread: a hand-off would cost more. */
    static final int PARALLEL_ELEMENTWISE_MIN = 1 << 16;
    /** Rows per chunk of softmax + cross-entropy, at least: ten classes per row are little work. */
    private static final int SOFTMAX_GRAIN = 4;
    /** Per chunk of {@link #softmaxCrossEntropy}: the loss sum and the correct count. */
    private final double[] chunkLoss = new double[WorkerPool.MAX_CHUNKS];
    private final int[] chunkCorrect = new int[WorkerPool.MAX_CHUNKS];
    /** The packed operand of large products (and the kernels' working space): grows, never shrinks. */
    private float[] scratch = new float[0];

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
        Call c = call.op(Call.GATHER);
        c.pixels = d.pixels;
        c.indices = ((CpuIndices) indices).data;
        c.n = d.features;
        c.offset = offset;
        c.c = f(x);
        pool.run(c, rows, 4);
    }

    @Override
    public void linearForward(Tensor x, Tensor w, Tensor b, Tensor y, int rows, int in, int out, boolean relu) {
        if (usePacked(rows, out, in)) {
            gemmPacked(f(x), in, 1, f(w), 1, in, f(b), f(y), rows, out, in, relu); // y = x w^T + b
            return;
        }
        Call c = call.op(Call.NT).arrays(f(x), f(w), f(b), f(y));
        c.n = out;
        c.depth = in;
        c.relu = relu;
        pool.run(c, rows, 4);
    }

    private boolean usePacked(int m, int n, int depth) {
        int panel = k.panelWidth();
        return m >= panel && n >= panel && depth >= panel && (long) m * n * depth >= PACKED_MIN_VOLUME;
    }

    private float[] scratch(int length) {
        if (scratch.length < length) {
            scratch = new float[length];
        }
        return scratch;
    }

    /**
     * {@code c[m, n] = A(m, :) B(:, n) (+ bias, ReLU)} with {@code A(m, p) = a[m * sm + p * sk]} and
     * {@code B(p, j) = b[p * sp + j * sn]}: packs B (split by panels), then computes split by rows of c.
     */
    private void gemmPacked(float[] a, int sm, int sk, float[] b, int sp, int sn, float[] bias, float[] c,
                            int m, int n, int depth, boolean relu) {
        float[] packed = scratch(k.packedLength(n, depth, m));
        Call pack = call.op(Call.PACK).arrays(b, null, null, packed);
        pack.sm = sp;
        pack.sk = sn;
        pack.n = n;
        pack.depth = depth;
        int panel = k.panelWidth();
        pool.run(pack, (n + panel - 1) / panel, 1);
        Call product = call.op(Call.PACKED).arrays(a, packed, bias, c);
        product.sm = sm;
        product.sk = sk;
        product.n = n;
        product.depth = depth;
        product.relu = relu;
        pool.run(product, m, PACKED_GRAIN);
    }

    /** {@code c[m, :] = A(m, :) b} over rows [0, m) through the unpacked kernel, split by rows of c. */
    private void gemmAxpy(float[] a, int sm, int sk, float[] b, float[] c, int m, int n, int depth) {
        Call axpy = call.op(Call.AXPY).arrays(a, b, null, c);
        axpy.sm = sm;
        axpy.sk = sk;
        axpy.n = n;
        axpy.depth = depth;
        pool.run(axpy, m, 4);
    }

    @Override
    public void linearBackward(Tensor x, Tensor w, Tensor y, Tensor dy, Tensor dx, Tensor dw, Tensor db,
                               int rows, int in, int out, boolean relu) {
        float[] g = f(dy);
        if (relu) {
            elementwise(Call.RELU_MASK, f(y), g, 0f, rows * out);
        }
        k.columnSums(g, rows, out, f(db));
        if (usePacked(out, in, rows)) {
            gemmPacked(g, 1, out, f(x), in, 1, null, f(dw), out, in, rows, false); // dw[out, in] = dy^T x
        } else {
            gemmAxpy(g, 1, out, f(x), f(dw), out, in, rows);
        }
        if (dx != null) {
            if (usePacked(rows, in, out)) {
                gemmPacked(g, out, 1, f(w), in, 1, null, f(dx), rows, in, out, false); // dx[rows, in] = dy w
            } else {
                gemmAxpy(g, out, 1, f(w), f(dx), rows, in, out);
            }
        }
    }

    @Override
    public void softmaxCrossEntropy(Tensor logits, DeviceDataset data, IndexBuffer indices, int offset, int rows,
                                    int classes, Tensor dLogits, Tensor metrics) {
        // Split by rows like the products; each chunk's loss and correct count go to its own slot, summed in chunk
        // order afterwards, so the totals do not depend on the thread count.
        Call c = call.op(Call.SOFTMAX).arrays(f(logits), null, null, dLogits == null ? null : f(dLogits));
        c.labels = ((CpuDataset) data).labels;
        c.indices = ((CpuIndices) indices).data;
        c.offset = offset;
        c.rows = rows;
        c.n = classes;
        c.chunk = WorkerPool.chunkSize(rows, SOFTMAX_GRAIN);
        pool.run(c, rows, SOFTMAX_GRAIN);
        double loss = 0;
        int correct = 0;
        for (int slot = 0, chunks = (rows + c.chunk - 1) / c.chunk; slot < chunks; slot++) {
            loss += chunkLoss[slot];
            correct += chunkCorrect[slot];
        }
        float[] m = f(metrics);
        m[0] += (float) loss;
        m[1] += correct;
    }

    @Override
    public void sgdUpdate(Tensor p, Tensor g, int n, float lr) {
        elementwise(Call.SGD, f(p), f(g), lr, n);
    }

    /** ReLU mask or SGD over flat arrays, split across the pool when long enough to pay for the hand-off. */
    private void elementwise(int op, float[] a, float[] b, float lr, int n) {
        Call c = call.op(op).arrays(a, b, null, null);
        c.lr = lr;
        if (n < PARALLEL_ELEMENTWISE_MIN) {
            c.run(0, n);
        } else {
            pool.run(c, n, 1024);
        }
    }

    @Override
    public void close() {
        closed = true;
        pool.close();
    }

    /**
     * The one task the pool runs: which kernel, and the arguments of the current call. Operations run one at a
     * time, so one instance, reset per call, serves them all and a step allocates nothing.
     */
    private final class Call implements WorkerPool.RangeTask {
        static final int GATHER = 0, NT = 1, AXPY = 2, PACK = 3, PACKED = 4, RELU_MASK = 5, SGD = 6, SOFTMAX = 7;
        int op;
        float[] a, b, bias, c;
        byte[] pixels, labels;
        int[] indices;
        int offset, rows, chunk, n, depth, sm, sk;
        boolean relu;
        float lr;

        Call op(int op) {
            this.op = op;
            pixels = null;
            labels = null;
            indices = null;
            return this;
        }

        Call arrays(float[] a, float[] b, float[] bias, float[] c) {
            this.a = a;
            this.b = b;
            this.bias = bias;
            this.c = c;
            return this;
        }

        @Override
        public void run(int from, int to) {
            switch (op) {
                case GATHER -> k.gather(pixels, n, indices, offset, c, from, to);
                case NT -> k.gemmNT(a, b, bias, c, from, to, n, depth, relu);
                case AXPY -> k.gemmAxpy(a, sm, sk, b, c, from, to, n, depth);
                case PACK -> k.packB(a, sm, sk, n, depth, c, from, to);
                case PACKED -> k.gemmPacked(a, sm, sk, b, bias, c, from, to, n, depth, relu);
                case RELU_MASK -> k.reluMask(a, b, from, to);
                case SGD -> k.sgd(a, b, lr, from, to);
                case SOFTMAX -> chunkLoss[from / chunk] = k.softmaxCrossEntropy(a, labels, indices, offset, from, to,
                        rows, n, c, chunkCorrect, from / chunk);
                default -> throw new IllegalStateException("unknown operation " + op);
            }
        }
    }
}
