package io.mlp4j.backend.cpu;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A trained network's forward pass on the CPU, for prediction: the weights packed once for the fastest kernels
 * present ({@link VectorDenseLayer} or {@link ScalarDenseLayer}), batches cut into blocks and spread over a shared
 * pool of threads, single rows computed on the caller's thread. Immutable and thread-safe.
 *
 * <p>Memory stays bounded whatever the batch: rows go through in blocks of {@link #BLOCK}, in working space taken
 * from a small pool, so that after warm-up a call allocates nothing beyond what its caller keeps.
 */
public final class CpuInference {

    /** Rows per block: working space is sized for this many, so it stays small whatever the batch. */
    static final int BLOCK = 256;
    /** The row grain of the kernels (their tile height): chunks of a block start at multiples of it. */
    private static final int GRAIN = 6;
    /** Batches smaller than this run on the caller's thread: a hand-off would cost more than it saves. */
    private static final int PARALLEL_MIN_ROWS = 2 * GRAIN;

    /** Writes one row of input, as floats, into {@code x[at, at + inputs)}; throws for a bad row. */
    public interface RowSource {
        void stage(int row, float[] x, int at);
    }

    /** Receives one row's logits, {@code logits[at, at + outputs)}; called once per row, from any thread. */
    public interface RowSink {
        void accept(int row, float[] logits, int at);
    }

    private final DenseLayer[] layers;
    private final int threads;
    private final String kernels;
    private final AtomicReferenceArray<Scratch> spare = new AtomicReferenceArray<>(8);

    private CpuInference(DenseLayer[] layers, int threads, String kernels) {
        this.layers = layers;
        this.threads = threads;
        this.kernels = kernels;
    }

    /**
     * @param sizes layer widths, inputs first; @param weights per layer, [out, in] row-major; @param biases per
     * layer; @param vectorApi whether to use the Vector API kernels (requires {@link CpuBackend#vectorApiAvailable()});
     * @param threads threads for large batches (at least 1)
     */
    public static CpuInference create(int[] sizes, float[][] weights, float[][] biases, boolean vectorApi,
                                      int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("mlp4j.threads must be at least 1, got " + threads);
        }
        if (vectorApi && !CpuBackend.vectorApiAvailable()) {
            throw new IllegalStateException("the Vector API was asked for but module jdk.incubator.vector is not"
                    + " resolved; start Java with --add-modules jdk.incubator.vector");
        }
        DenseLayer[] layers = new DenseLayer[sizes.length - 1];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = vectorApi ? new VectorDenseLayer(weights[l], biases[l], sizes[l], sizes[l + 1])
                    : new ScalarDenseLayer(weights[l], biases[l], sizes[l], sizes[l + 1]);
        }
        return new CpuInference(layers, threads, vectorApi ? "Vector API" : "plain loops");
    }

    /** The same network with another thread count for batches; the packed weights are shared. */
    public CpuInference withThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        return threads == this.threads ? this : new CpuInference(layers, threads, kernels);
    }

    /** For reports, e.g. "Vector API, 2 threads". */
    public String description() {
        return kernels + ", " + threads + (threads == 1 ? " thread" : " threads");
    }

    /**
     * Runs {@code rows} rows from {@code source} through the network and hands each row's logits to {@code sink}.
     * Rows of one block may be staged and delivered on several threads at once, each row exactly once. Results
     * do not depend on the thread count.
     *
     * @throws IllegalArgumentException the first (lowest-numbered) bad row's error from {@code source}
     */
    public void run(RowSource source, int rows, RowSink sink) {
        Scratch s = acquire(padded(Math.min(rows, BLOCK)));
        try {
            Pool pool = rows >= PARALLEL_MIN_ROWS && threads > 1 ? Pool.shared(threads) : null;
            boolean locked = pool != null && pool.lock.tryLock(); // busy: other callers already use the cores
            try {
                for (int start = 0; start < rows; start += BLOCK) {
                    int n = Math.min(BLOCK, rows - start);
                    s.task.set(source, sink, start, n);
                    if (locked && n >= PARALLEL_MIN_ROWS) {
                        pool.workers.run(s.task, padded(n), GRAIN);
                    } else {
                        s.task.run(0, padded(n));
                    }
                    s.task.rethrow();
                }
            } finally {
                if (locked) {
                    pool.lock.unlock();
                }
            }
        } finally {
            s.task.set(null, null, 0, 0);
            release(s);
        }
    }

    /** The most likely class of one row of {@code inputs()} floats, on the caller's thread (validated by the caller). */
    public int predict(float[] x) {
        Scratch s = acquire(1);
        try {
            return argMax(forwardOne(s, x), 0, outputs());
        } finally {
            release(s);
        }
    }

    /** The most likely class of one row of uint8 pixels (0 = background), on the caller's thread. */
    public int predict(byte[] pixels) {
        Scratch s = acquire(1);
        try {
            scalePixels(pixels, 0, s.act[0], 0, inputs());
            return argMax(forwardOne(s, s.act[0]), 0, outputs());
        } finally {
            release(s);
        }
    }

    /** One row's logits into {@code out[0, outputs())}, on the caller's thread (validated by the caller). */
    public void logits(float[] x, float[] out) {
        Scratch s = acquire(1);
        try {
            System.arraycopy(forwardOne(s, x), 0, out, 0, outputs());
        } finally {
            release(s);
        }
    }

    /** One row of uint8 pixels' logits into {@code out[0, outputs())}, on the caller's thread. */
    public void logits(byte[] pixels, float[] out) {
        Scratch s = acquire(1);
        try {
            scalePixels(pixels, 0, s.act[0], 0, inputs());
            System.arraycopy(forwardOne(s, s.act[0]), 0, out, 0, outputs());
        } finally {
            release(s);
        }
    }

    /** Row 0 through every layer (the first reads {@code x} in place); returns the array holding its logits. */
    private float[] forwardOne(Scratch s, float[] x) {
        float[] in = x;
        int stride = inputs();
        for (int l = 0; l < layers.length; l++) {
            layers[l].forward(in, stride, s.act[l + 1], 0, 1, l < layers.length - 1, s.skip, 0);
            in = s.act[l + 1];
            stride = layers[l].stride();
        }
        return in;
    }

    public int inputs() {
        return layers[0].in();
    }

    public int outputs() {
        return layers[layers.length - 1].out();
    }

    /** {@code n} uint8 pixels from {@code src[from]} as floats in [0, 1] into {@code dst[at]}. */
    public static void scalePixels(byte[] src, int from, float[] dst, int at, int n) {
        for (int j = 0; j < n; j++) {
            dst[at + j] = (src[from + j] & 0xFF) * ScalarKernels.INV_255;
        }
    }

    /** Whether every value of {@code x} is finite (no NaN or infinity), in one vectorised pass. */
    public boolean allFinite(float[] x) {
        return layers[0].allFinite(x);
    }

    /** The index of the largest of {@code v[at, at + n)}, the first on ties. */
    public static int argMax(float[] v, int at, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (v[at + i] > v[at + best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Rows rounded up to whole tiles: the rows past a block's end are computed from zeros and never delivered, so
     * that every row goes through the 6-row kernels (a last, partial tile would otherwise read the weights once
     * per row).
     */
    private static int padded(int rows) {
        return (rows + GRAIN - 1) / GRAIN * GRAIN;
    }

    private Scratch acquire(int rows) {
        for (int i = 0; i < spare.length(); i++) {
            Scratch s = spare.getAndSet(i, null);
            if (s != null) {
                if (s.rows >= rows) {
                    return s;
                }
                break; // too small: replace it by a larger one
            }
        }
        return new Scratch(rows);
    }

    private void release(Scratch s) {
        for (int i = 0; i < spare.length(); i++) {
            if (spare.compareAndSet(i, null, s)) {
                return;
            }
        }
    }

    /** Working space for blocks of up to {@code rows} rows: inputs, each layer's outputs, the kernels' lists. */
    private final class Scratch {
        final int rows;
        final float[][] act;
        final int[] skip;
        final int skipStride;
        final BlockTask task = new BlockTask(this);

        Scratch(int rows) {
            this.rows = rows;
            act = new float[layers.length + 1][];
            act[0] = new float[rows * layers[0].in()];
            int widest = layers[0].in();
            for (int l = 0; l < layers.length; l++) {
                act[l + 1] = new float[rows * layers[l].stride()];
                widest = Math.max(widest, layers[l].in());
            }
            skipStride = widest + 1; // a tile's list and its length (see DenseLayer.forward)
            skip = new int[((rows + GRAIN - 1) / GRAIN) * skipStride];
        }
    }

    /** Rows [from, to) of one block, start to finish: stage, every layer, deliver. Reused: allocates nothing. */
    private final class BlockTask implements WorkerPool.RangeTask {
        private final Scratch s;
        private RowSource source;
        private RowSink sink;
        private int start;
        private int rows;
        private volatile int failedRow;
        private volatile RuntimeException failure;

        BlockTask(Scratch s) {
            this.s = s;
        }

        void set(RowSource source, RowSink sink, int start, int rows) {
            this.source = source;
            this.sink = sink;
            this.start = start;
            this.rows = rows;
            this.failure = null;
            this.failedRow = Integer.MAX_VALUE;
        }

        @Override
        public void run(int from, int to) {
            int in = layers[0].in();
            int real = Math.min(to, rows);
            java.util.Arrays.fill(s.act[0], real * in, to * in, 0f); // padding rows (see padded)
            for (int r = from; r < real; r++) {
                try {
                    source.stage(start + r, s.act[0], r * in);
                } catch (RuntimeException e) {
                    fail(start + r, e);
                    return;
                }
            }
            // Chunks start at multiples of GRAIN, so each running chunk owns the skip list of its first group.
            int skipAt = from / GRAIN * s.skipStride;
            int xStride = in;
            for (int l = 0; l < layers.length; l++) {
                layers[l].forward(s.act[l], xStride, s.act[l + 1], from, to, l < layers.length - 1, s.skip, skipAt);
                xStride = layers[l].stride();
            }
            float[] logits = s.act[layers.length];
            for (int r = from; r < real; r++) {
                sink.accept(start + r, logits, r * xStride);
            }
        }

        private synchronized void fail(int row, RuntimeException e) {
            if (row < failedRow) {
                failedRow = row;
                failure = e;
            }
        }

        void rethrow() {
            RuntimeException e = failure;
            if (e != null) {
                throw e;
            }
        }
    }

    /** One worker pool per thread count, shared by every network in the process; one batch at a time. */
    private static final class Pool {
        private static final ConcurrentHashMap<Integer, Pool> SHARED = new ConcurrentHashMap<>();

        final WorkerPool workers;
        final ReentrantLock lock = new ReentrantLock();

        private Pool(int threads) {
            workers = new WorkerPool(threads, "mlp4j-predict-");
        }

        static Pool shared(int threads) {
            return SHARED.computeIfAbsent(threads, Pool::new);
        }
    }
}
