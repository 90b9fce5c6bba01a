package io.mlp4j.aparapi;

import com.aparapi.Kernel;
import com.aparapi.Range;

/**
 * Every device operation of the Aparapi backend, as one OpenCL kernel run as a sequence of passes: pass p runs
 * the commands {@code passCmd[p]} to {@code passCmd[p + 1] - 1}, the command i at {@code cmd[i * CMD]} (the
 * operation's number, then its arguments), so one {@code execute} runs a whole recorded list of operations, each
 * pass after the previous one finished. Commands that share a pass are independent (the backend checks it): each
 * work-item runs its share of one, then of the next, with no barrier in between.
 *
 * <p>Why one kernel: Aparapi 3.0.0 gives each {@code Kernel} instance its own OpenCL context, and binds one device
 * buffer per Java array field per instance (see {@code JNIContext}/{@code KernelArg} in aparapi-native). Two kernel
 * instances holding the same {@code float[]} would hold two unrelated device copies, and a write by one would
 * never be seen by the other. So every buffer lives in this kernel's context, as a few arenas that never change
 * identity during training:
 * <ul>
 *   <li>{@link #mem}: every float tensor (parameters, gradients, activations, metrics) at an offset. Only the
 *       device copy is current: it is never {@code put} (that sends the whole array and would overwrite device
 *       results with the stale host copy);</li>
 *   <li>{@link #stage}: a staging array: an upload {@code put}s it and copies it into {@code mem} on the device, a
 *       download copies a slice of {@code mem} into it and {@code get}s it;</li>
 *   <li>{@link #pixels}/{@link #labels}: every uploaded data set, uint8, at an offset; {@link #idx}: every index
 *       buffer at an offset. The kernel only reads these, so the host copies are always current and an upload
 *       {@code put}s the whole array.</li>
 * </ul>
 *
 * <p>A hazard of Aparapi's explicit mode, verified here: when the Java array behind a field is replaced, or when
 * the garbage collector <em>moves</em> it, Aparapi releases the device buffer and creates a new one from the
 * Java array's contents on the next execution, silently discarding device-only data. The backend therefore keeps
 * the host copies of everything but {@code mem} current, allocates {@code mem} large enough to be a humongous
 * (never moved) object under G1, reads it back before replacing it, and keeps a canary at {@code mem[0]} that only
 * the device holds: every download checks it and fails loudly if the device copy was lost.
 *
 * <p>Aparapi rules kept here: no {@code boolean} fields (a scalar boolean kernel field aborts the JVM), only 1-D
 * primitive arrays, floats only (no double: not every OpenCL device has fp64), {@code int} flags. The Java fallback
 * is refused: {@link #executeFallbackAlgorithm} throws.
 */
class MlpKernel extends Kernel { // not final: fault-injection tests subclass it

    static final int OP_NOP = 0;
    static final int OP_COPY_IN = 1;
    static final int OP_COPY_OUT = 2;
    static final int OP_SET_CANARY = 3;
    static final int OP_GATHER = 4;
    static final int OP_GEMM = 5;
    static final int OP_RELU_MASK = 6;
    static final int OP_SOFTMAX_XENT = 7;
    static final int OP_SGD = 8;
    static final int OP_COUNT = 9;

    static final String[] OP_NAMES = {"nop", "copy-in", "copy-out", "set-canary", "gather", "gemm", "relu-mask",
            "softmax-cross-entropy", "sgd"};

    /** Ints per command in {@link #cmd}: the operation, then its arguments (see each operation). */
    static final int CMD = 24;
    /** Commands one execution can carry; the backend runs what it has recorded when the list is full. */
    static final int MAX_COMMANDS = 1024;
    /** SGD segments one command can carry (consecutive updates merged into one pass). */
    static final int SGD_SEGMENTS = 4;

    /**
     * Work-groups are WG x WG work-items (a 2-D range), numbered in one flat sequence across all groups; every
     * operation splits its work into units (blocks of C, chunks of elements) taken by the work-items in turn.
     */
    static final int WG = 8;
    static final int LOCAL = WG * WG;
    /** Floats a GEMM work-item adds as one group (written out as scalars: the compiler makes SIMD vectors). */
    static final int LANES = 16;

    static final float INV_255 = 1f / 255f;

    /** Kept at mem[0] on the device only; a device buffer re-created from the Java array reads 0 there. */
    static final float CANARY = 12345.5f;

    // ---- arenas (see class comment) ----
    float[] mem = new float[1];
    float[] stage = new float[1];
    int[] idx = new int[1];
    byte[] pixels = new byte[1];
    byte[] labels = new byte[1];

    // ---- the command list: command i at cmd[i * CMD], with learning rate cmdLr[i]; pass p runs the commands
    // passCmd[p] to passCmd[p + 1] - 1 ----
    int[] cmd = new int[MAX_COMMANDS * CMD];
    float[] cmdLr = new float[MAX_COMMANDS];
    int[] passCmd = new int[MAX_COMMANDS + 1];

    // ---- private to each work-item: two dot products' partial sums ----
    @PrivateMemorySpace(4 * LANES) final float[] part = new float[4 * LANES];

    // ---- local memory ----
    @Local final float[] sumLoss = new float[LOCAL];
    @Local final float[] sumHits = new float[LOCAL];

    @Override
    public void run() {
        int p = getPassId();
        if (cmd[passCmd[p] * CMD] == OP_SOFTMAX_XENT) { // alone in its pass (it has barriers)
            if (getGroupId(0) == 0) {
                softmaxCrossEntropy(passCmd[p] * CMD);
            }
        } else {
            for (int i = passCmd[p]; i < passCmd[p + 1]; i++) {
                int c = i * CMD;
                if (cmd[c] == OP_GEMM) {
                    gemm(c);
                } else {
                    elementwise(c, cmd[c]);
                }
            }
        }
    }

    /** The work-item's number among all work-items, neighbours in dimension 0 consecutive. */
    private int flatId() {
        return getGroupId(0) * LOCAL + getLocalId(1) * WG + getLocalId(0);
    }

    private int flatSize() {
        return getNumGroups(0) * LOCAL;
    }

    /**
     * Elements per work-item when n elements are split into contiguous chunks (a whole number of LANES: a loop over
     * contiguous elements is one the compiler vectorises).
     */
    private int chunk(int n, int workItems) {
        return ((n + workItems - 1) / workItems + LANES - 1) / LANES * LANES;
    }

    /** Operations where each element is independent, spread over all work-items. */
    private void elementwise(int c, int op) {
        int id = flatId();
        int stride = flatSize();
        if (op == OP_SGD) {
            // segments (p, g, n) at c+2, c+5, ...: p -= lr * g; a work-item updates a contiguous chunk of each
            float lr = cmdLr[c / CMD];
            for (int s = 0; s < cmd[c + 1]; s++) {
                int p = cmd[c + 2 + 3 * s];
                int g = cmd[c + 3 + 3 * s];
                int n = cmd[c + 4 + 3 * s];
                int lo = id * chunk(n, stride);
                int hi = min(n, lo + chunk(n, stride));
                for (int i = lo; i < hi; i++) {
                    mem[p + i] = mem[p + i] - lr * mem[g + i];
                }
            }
        } else if (op == OP_GATHER) {
            // x[r, j] = pixels[sample(r), j] / 255, sample(r) = idx[idxOff + r]: n, width, pixOff, idxOff, dst;
            // a row per work-item
            int width = cmd[c + 2];
            for (int r = id; r < cmd[c + 1] / width; r += stride) {
                gatherRow(cmd[c + 3] + idx[cmd[c + 4] + r] * width, cmd[c + 5] + r * width, width);
            }
        } else if (op == OP_RELU_MASK) {
            // dst[i] = 0 where src[i] <= 0: n, src, dst; a contiguous chunk per work-item
            int n = cmd[c + 1];
            int src = cmd[c + 2];
            int dst = cmd[c + 3];
            int lo = id * chunk(n, stride);
            int hi = min(n, lo + chunk(n, stride));
            for (int i = lo; i < hi; i++) {
                if (mem[src + i] <= 0f) {
                    mem[dst + i] = 0f;
                }
            }
        } else if (op == OP_COPY_IN) {
            // mem[dst + i] = stage[from + i]: n, dst, from
            int n = cmd[c + 1];
            int dst = cmd[c + 2];
            int from = cmd[c + 3];
            for (int i = id; i < n; i += stride) {
                mem[dst + i] = stage[from + i];
            }
        } else if (op == OP_COPY_OUT) {
            // stage[i] = mem[src + i], and the canary at stage[n]: n, src
            int n = cmd[c + 1];
            int src = cmd[c + 2];
            for (int i = id; i < n; i += stride) {
                stage[i] = mem[src + i];
            }
            if (id == 0) {
                stage[n] = mem[0];
            }
        } else if (op == OP_SET_CANARY) {
            if (id == 0) {
                mem[0] = CANARY;
            }
        }
    }

    /**
     * GEMM C[m, n] = sum_k A(m, k) B(k, n), then + bias[n], ReLU, and a mask (0 where mask[m, n] <= 0).
     * Arguments: 1 m, 2 n, 3 k, 4 aOff, 5 aM, 6 aK (A(m, k) = mem[aOff + m aM + k aK]), 7 bOff, 8 bK, 9 bN,
     * 10 cOff, 11 bias (-1: none), 12 relu (0/1), 13 mask (-1: none), 14 rowSum (-1: none; else also
     * rowSum[m] = sum_k A(m, k)), 15 aPix (0/1: A is the batch gathered from pixels), 16 pixOff, 17 idxOff,
     * 18 x (-1: none; else the gathered A is also stored there, [m, k]), 19 update (-1: none; else an SGD step
     * with the result: update[m, n] -= lr C[m, n], lr = cmdLr of the command), 20 rowUpdate (likewise with the
     * row sums: rowUpdate[m] -= lr rowSum[m]).
     *
     * <p>No local memory and no barriers: on a CPU device local memory is plain memory and a barrier splits
     * PoCL's loop over the work-items. Each work-item computes whole blocks of C in registers, with a constant
     * inner loop of {@link #LANES} over contiguous floats that the compiler turns into one SIMD operation:
     * <ul>
     *   <li>A and B both contiguous along k ({@code x W^T}): {@link #gemmDot};</li>
     *   <li>B contiguous along n ({@code dy^T x}, {@code dy W}): {@link #gemmRows}, for the columns that fill
     *       whole blocks of LANES;</li>
     *   <li>anything else, and the columns left over: one output per work-item, terms in k order.</li>
     * </ul>
     */
    private void gemm(int c) {
        int gM = cmd[c + 1];
        int gN = cmd[c + 2];
        int gK = cmd[c + 3];
        int aK = cmd[c + 6];
        int bK = cmd[c + 8];
        int bN = cmd[c + 9];
        int rowSum = cmd[c + 14];
        int id = flatId();
        int stride = flatSize();
        int done = 0; // columns [0, done) are computed by the blocked forms
        if (aK == 1 && bK == 1 && rowSum < 0) {
            gemmDot(c, id, stride);
            done = gN;
        } else if (bN == 1 && cmd[c + 15] == 0) {
            done = gN - gN % LANES;
            gemmRows(c, id, stride);
        }
        int rest = gN - done;
        int bOff = cmd[c + 7];
        int xOut = cmd[c + 18];
        for (int e = id; e < gM * rest; e += stride) {
            int row = e / rest;
            int col = done + e - row * rest;
            float s = 0f;
            float rs = 0f;
            for (int kk = 0; kk < gK; kk++) {
                float a = aAt(c, row, kk);
                if (xOut >= 0 && col == 0) {
                    mem[xOut + row * gK + kk] = a;
                }
                s += a * mem[bOff + kk * bK + col * bN];
                rs += a;
            }
            store(c, row, col, s);
            update(c, row * gN + col, 1);
            if (rowSum >= 0 && col == 0) {
                storeRowSum(c, row, rs);
            }
        }
    }

    /**
     * The sum of the 2 LANES partial sums at {@link #part}[o], in a fixed tree. They go through the private array
     * because consecutive stores are what makes the compiler bundle the sums into SIMD vectors lane by lane.
     */
    private float partialSum(int o) {
        for (int j = 0; j < LANES; j++) {
            part[o + j] = part[o + j] + part[o + j + LANES];
        }
        for (int j = 0; j < LANES / 2; j++) {
            part[o + j] = part[o + j] + part[o + j + LANES / 2];
        }
        return ((part[o] + part[o + 1]) + (part[o + 2] + part[o + 3]))
                + ((part[o + 4] + part[o + 5]) + (part[o + 6] + part[o + 7]));
    }

    /** mem[dst + j] = pixels[src + j] / 255 for j < n: one loop the compiler vectorises. */
    private void gatherRow(int src, int dst, int n) {
        for (int j = 0; j < n; j++) {
            mem[dst + j] = (pixels[src + j] & 0xFF) * INV_255;
        }
    }

    /** A(m, k) of a GEMM command: from mem, or gathered from the pixels and scaled to [0, 1]. */
    private float aAt(int c, int m, int kk) {
        if (cmd[c + 15] != 0) {
            return (pixels[cmd[c + 16] + idx[cmd[c + 17] + m] * cmd[c + 3] + kk] & 0xFF) * INV_255;
        }
        return mem[cmd[c + 4] + m * cmd[c + 5] + kk * cmd[c + 6]];
    }

    /**
     * C[m, n] = sum_k A(m, k) B(k, n) where A and B are both contiguous along k ({@code x W^T}), two columns of a row
     * per unit (sharing the loads of A): {@link #dotMem} or {@link #dotPixels} for the whole groups of LANES, the
     * partial sums added in a fixed tree ({@link #partialSum}), then the k past them in order (results are
     * deterministic). A column past the edge repeats the last one and is not stored. The units at column 0 also
     * store the gathered A, if asked.
     */
    private void gemmDot(int c, int id, int stride) {
        int gM = cmd[c + 1];
        int gN = cmd[c + 2];
        int gK = cmd[c + 3];
        int aPix = cmd[c + 15];
        int xOut = cmd[c + 18];
        int pairs = (gN + 1) / 2;
        for (int u = id; u < gM * pairs; u += stride) {
            int m = u / pairs;
            int n = (u - m * pairs) * 2;
            int b0 = cmd[c + 7] + n * cmd[c + 9];
            int b1 = cmd[c + 7] + min(n + 1, gN - 1) * cmd[c + 9];
            if (aPix != 0) {
                dotPixels(cmd[c + 16] + idx[cmd[c + 17] + m] * gK, b0, b1, gK);
            } else {
                dotMem(cmd[c + 4] + m * cmd[c + 5], b0, b1, gK);
            }
            float s0 = partialSum(0);
            float s1 = partialSum(2 * LANES);
            for (int kk = gK - gK % LANES; kk < gK; kk++) {
                float x = aAt(c, m, kk);
                s0 += x * mem[b0 + kk];
                s1 += x * mem[b1 + kk];
            }
            store(c, m, n, s0);
            store(c, m, n + 1, s1);
            update(c, m * gN + n, min(2, gN - n));
            if (xOut >= 0 && n == 0) {
                gatherRow(cmd[c + 16] + idx[cmd[c + 17] + m] * gK, xOut + m * gK, gK);
            }
        }
    }

    /**
     * The dot products of mem[a, a + k1) times mem[b0, b0 + k1) and times mem[b1, b1 + k1), k1 the
     * largest multiple of LANES up to gK, left as 2 x 2 LANES partial sums in {@link #part}: partial sum j adds
     * the terms k = j mod 2 LANES in k order. The compiler turns the sums into SIMD vectors (several independent
     * chains, which hides the latency of each).
     */
    private void dotMem(int a, int b0, int b1, int gK) {
        int k2 = gK - gK % (2 * LANES);
        int k1 = gK - gK % LANES;
        float d0 = 0f; float d1 = 0f; float d2 = 0f; float d3 = 0f; float d4 = 0f; float d5 = 0f; float d6 = 0f; float d7 = 0f;
        float d8 = 0f; float d9 = 0f; float d10 = 0f; float d11 = 0f; float d12 = 0f; float d13 = 0f; float d14 = 0f; float d15 = 0f;
        float d16 = 0f; float d17 = 0f; float d18 = 0f; float d19 = 0f; float d20 = 0f; float d21 = 0f; float d22 = 0f; float d23 = 0f;
        float d24 = 0f; float d25 = 0f; float d26 = 0f; float d27 = 0f; float d28 = 0f; float d29 = 0f; float d30 = 0f; float d31 = 0f;
        float e0 = 0f; float e1 = 0f; float e2 = 0f; float e3 = 0f; float e4 = 0f; float e5 = 0f; float e6 = 0f; float e7 = 0f;
        float e8 = 0f; float e9 = 0f; float e10 = 0f; float e11 = 0f; float e12 = 0f; float e13 = 0f; float e14 = 0f; float e15 = 0f;
        float e16 = 0f; float e17 = 0f; float e18 = 0f; float e19 = 0f; float e20 = 0f; float e21 = 0f; float e22 = 0f; float e23 = 0f;
        float e24 = 0f; float e25 = 0f; float e26 = 0f; float e27 = 0f; float e28 = 0f; float e29 = 0f; float e30 = 0f; float e31 = 0f;
        for (int k0 = 0; k0 < k2; k0 += 2 * LANES) {
            float x0 = mem[a + k0];
            float x1 = mem[a + k0 + 1];
            float x2 = mem[a + k0 + 2];
            float x3 = mem[a + k0 + 3];
            float x4 = mem[a + k0 + 4];
            float x5 = mem[a + k0 + 5];
            float x6 = mem[a + k0 + 6];
            float x7 = mem[a + k0 + 7];
            float x8 = mem[a + k0 + 8];
            float x9 = mem[a + k0 + 9];
            float x10 = mem[a + k0 + 10];
            float x11 = mem[a + k0 + 11];
            float x12 = mem[a + k0 + 12];
            float x13 = mem[a + k0 + 13];
            float x14 = mem[a + k0 + 14];
            float x15 = mem[a + k0 + 15];
            float x16 = mem[a + k0 + 16];
            float x17 = mem[a + k0 + 17];
            float x18 = mem[a + k0 + 18];
            float x19 = mem[a + k0 + 19];
            float x20 = mem[a + k0 + 20];
            float x21 = mem[a + k0 + 21];
            float x22 = mem[a + k0 + 22];
            float x23 = mem[a + k0 + 23];
            float x24 = mem[a + k0 + 24];
            float x25 = mem[a + k0 + 25];
            float x26 = mem[a + k0 + 26];
            float x27 = mem[a + k0 + 27];
            float x28 = mem[a + k0 + 28];
            float x29 = mem[a + k0 + 29];
            float x30 = mem[a + k0 + 30];
            float x31 = mem[a + k0 + 31];
            d0 += x0 * mem[b0 + k0];
            d1 += x1 * mem[b0 + k0 + 1];
            d2 += x2 * mem[b0 + k0 + 2];
            d3 += x3 * mem[b0 + k0 + 3];
            d4 += x4 * mem[b0 + k0 + 4];
            d5 += x5 * mem[b0 + k0 + 5];
            d6 += x6 * mem[b0 + k0 + 6];
            d7 += x7 * mem[b0 + k0 + 7];
            d8 += x8 * mem[b0 + k0 + 8];
            d9 += x9 * mem[b0 + k0 + 9];
            d10 += x10 * mem[b0 + k0 + 10];
            d11 += x11 * mem[b0 + k0 + 11];
            d12 += x12 * mem[b0 + k0 + 12];
            d13 += x13 * mem[b0 + k0 + 13];
            d14 += x14 * mem[b0 + k0 + 14];
            d15 += x15 * mem[b0 + k0 + 15];
            d16 += x16 * mem[b0 + k0 + 16];
            d17 += x17 * mem[b0 + k0 + 17];
            d18 += x18 * mem[b0 + k0 + 18];
            d19 += x19 * mem[b0 + k0 + 19];
            d20 += x20 * mem[b0 + k0 + 20];
            d21 += x21 * mem[b0 + k0 + 21];
            d22 += x22 * mem[b0 + k0 + 22];
            d23 += x23 * mem[b0 + k0 + 23];
            d24 += x24 * mem[b0 + k0 + 24];
            d25 += x25 * mem[b0 + k0 + 25];
            d26 += x26 * mem[b0 + k0 + 26];
            d27 += x27 * mem[b0 + k0 + 27];
            d28 += x28 * mem[b0 + k0 + 28];
            d29 += x29 * mem[b0 + k0 + 29];
            d30 += x30 * mem[b0 + k0 + 30];
            d31 += x31 * mem[b0 + k0 + 31];
            e0 += x0 * mem[b1 + k0];
            e1 += x1 * mem[b1 + k0 + 1];
            e2 += x2 * mem[b1 + k0 + 2];
            e3 += x3 * mem[b1 + k0 + 3];
            e4 += x4 * mem[b1 + k0 + 4];
            e5 += x5 * mem[b1 + k0 + 5];
            e6 += x6 * mem[b1 + k0 + 6];
            e7 += x7 * mem[b1 + k0 + 7];
            e8 += x8 * mem[b1 + k0 + 8];
            e9 += x9 * mem[b1 + k0 + 9];
            e10 += x10 * mem[b1 + k0 + 10];
            e11 += x11 * mem[b1 + k0 + 11];
            e12 += x12 * mem[b1 + k0 + 12];
            e13 += x13 * mem[b1 + k0 + 13];
            e14 += x14 * mem[b1 + k0 + 14];
            e15 += x15 * mem[b1 + k0 + 15];
            e16 += x16 * mem[b1 + k0 + 16];
            e17 += x17 * mem[b1 + k0 + 17];
            e18 += x18 * mem[b1 + k0 + 18];
            e19 += x19 * mem[b1 + k0 + 19];
            e20 += x20 * mem[b1 + k0 + 20];
            e21 += x21 * mem[b1 + k0 + 21];
            e22 += x22 * mem[b1 + k0 + 22];
            e23 += x23 * mem[b1 + k0 + 23];
            e24 += x24 * mem[b1 + k0 + 24];
            e25 += x25 * mem[b1 + k0 + 25];
            e26 += x26 * mem[b1 + k0 + 26];
            e27 += x27 * mem[b1 + k0 + 27];
            e28 += x28 * mem[b1 + k0 + 28];
            e29 += x29 * mem[b1 + k0 + 29];
            e30 += x30 * mem[b1 + k0 + 30];
            e31 += x31 * mem[b1 + k0 + 31];
        }
        for (int k0 = k2; k0 < k1; k0 += LANES) {
            float x0 = mem[a + k0];
            float x1 = mem[a + k0 + 1];
            float x2 = mem[a + k0 + 2];
            float x3 = mem[a + k0 + 3];
            float x4 = mem[a + k0 + 4];
            float x5 = mem[a + k0 + 5];
            float x6 = mem[a + k0 + 6];
            float x7 = mem[a + k0 + 7];
            float x8 = mem[a + k0 + 8];
            float x9 = mem[a + k0 + 9];
            float x10 = mem[a + k0 + 10];
            float x11 = mem[a + k0 + 11];
            float x12 = mem[a + k0 + 12];
            float x13 = mem[a + k0 + 13];
            float x14 = mem[a + k0 + 14];
            float x15 = mem[a + k0 + 15];
            d0 += x0 * mem[b0 + k0];
            d1 += x1 * mem[b0 + k0 + 1];
            d2 += x2 * mem[b0 + k0 + 2];
            d3 += x3 * mem[b0 + k0 + 3];
            d4 += x4 * mem[b0 + k0 + 4];
            d5 += x5 * mem[b0 + k0 + 5];
            d6 += x6 * mem[b0 + k0 + 6];
            d7 += x7 * mem[b0 + k0 + 7];
            d8 += x8 * mem[b0 + k0 + 8];
            d9 += x9 * mem[b0 + k0 + 9];
            d10 += x10 * mem[b0 + k0 + 10];
            d11 += x11 * mem[b0 + k0 + 11];
            d12 += x12 * mem[b0 + k0 + 12];
            d13 += x13 * mem[b0 + k0 + 13];
            d14 += x14 * mem[b0 + k0 + 14];
            d15 += x15 * mem[b0 + k0 + 15];
            e0 += x0 * mem[b1 + k0];
            e1 += x1 * mem[b1 + k0 + 1];
            e2 += x2 * mem[b1 + k0 + 2];
            e3 += x3 * mem[b1 + k0 + 3];
            e4 += x4 * mem[b1 + k0 + 4];
            e5 += x5 * mem[b1 + k0 + 5];
            e6 += x6 * mem[b1 + k0 + 6];
            e7 += x7 * mem[b1 + k0 + 7];
            e8 += x8 * mem[b1 + k0 + 8];
            e9 += x9 * mem[b1 + k0 + 9];
            e10 += x10 * mem[b1 + k0 + 10];
            e11 += x11 * mem[b1 + k0 + 11];
            e12 += x12 * mem[b1 + k0 + 12];
            e13 += x13 * mem[b1 + k0 + 13];
            e14 += x14 * mem[b1 + k0 + 14];
            e15 += x15 * mem[b1 + k0 + 15];
        }
        part[0] = d0; part[1] = d1; part[2] = d2; part[3] = d3; part[4] = d4; part[5] = d5; part[6] = d6; part[7] = d7;
        part[8] = d8; part[9] = d9; part[10] = d10; part[11] = d11; part[12] = d12; part[13] = d13; part[14] = d14; part[15] = d15;
        part[16] = d16; part[17] = d17; part[18] = d18; part[19] = d19; part[20] = d20; part[21] = d21; part[22] = d22; part[23] = d23;
        part[24] = d24; part[25] = d25; part[26] = d26; part[27] = d27; part[28] = d28; part[29] = d29; part[30] = d30; part[31] = d31;
        part[32] = e0; part[33] = e1; part[34] = e2; part[35] = e3; part[36] = e4; part[37] = e5; part[38] = e6; part[39] = e7;
        part[40] = e8; part[41] = e9; part[42] = e10; part[43] = e11; part[44] = e12; part[45] = e13; part[46] = e14; part[47] = e15;
        part[48] = e16; part[49] = e17; part[50] = e18; part[51] = e19; part[52] = e20; part[53] = e21; part[54] = e22; part[55] = e23;
        part[56] = e24; part[57] = e25; part[58] = e26; part[59] = e27; part[60] = e28; part[61] = e29; part[62] = e30; part[63] = e31;
    }

    /**
     * The dot products of the pixels [a, a + k1), scaled to [0, 1], times mem[b0, b0 + k1) and times mem[b1, b1 + k1), k1 the
     * largest multiple of LANES up to gK, left as 2 x 2 LANES partial sums in {@link #part}: partial sum j adds
     * the terms k = j mod 2 LANES in k order. The compiler turns the sums into SIMD vectors (several independent
     * chains, which hides the latency of each).
     */
    private void dotPixels(int a, int b0, int b1, int gK) {
        int k2 = gK - gK % (2 * LANES);
        int k1 = gK - gK % LANES;
        float d0 = 0f; float d1 = 0f; float d2 = 0f; float d3 = 0f; float d4 = 0f; float d5 = 0f; float d6 = 0f; float d7 = 0f;
        float d8 = 0f; float d9 = 0f; float d10 = 0f; float d11 = 0f; float d12 = 0f; float d13 = 0f; float d14 = 0f; float d15 = 0f;
        float d16 = 0f; float d17 = 0f; float d18 = 0f; float d19 = 0f; float d20 = 0f; float d21 = 0f; float d22 = 0f; float d23 = 0f;
        float d24 = 0f; float d25 = 0f; float d26 = 0f; float d27 = 0f; float d28 = 0f; float d29 = 0f; float d30 = 0f; float d31 = 0f;
        float e0 = 0f; float e1 = 0f; float e2 = 0f; float e3 = 0f; float e4 = 0f; float e5 = 0f; float e6 = 0f; float e7 = 0f;
        float e8 = 0f; float e9 = 0f; float e10 = 0f; float e11 = 0f; float e12 = 0f; float e13 = 0f; float e14 = 0f; float e15 = 0f;
        float e16 = 0f; float e17 = 0f; float e18 = 0f; float e19 = 0f; float e20 = 0f; float e21 = 0f; float e22 = 0f; float e23 = 0f;
        float e24 = 0f; float e25 = 0f; float e26 = 0f; float e27 = 0f; float e28 = 0f; float e29 = 0f; float e30 = 0f; float e31 = 0f;
        for (int k0 = 0; k0 < k2; k0 += 2 * LANES) {
            float x0 = (pixels[a + k0] & 0xFF) * INV_255;
            float x1 = (pixels[a + k0 + 1] & 0xFF) * INV_255;
            float x2 = (pixels[a + k0 + 2] & 0xFF) * INV_255;
            float x3 = (pixels[a + k0 + 3] & 0xFF) * INV_255;
            float x4 = (pixels[a + k0 + 4] & 0xFF) * INV_255;
            float x5 = (pixels[a + k0 + 5] & 0xFF) * INV_255;
            float x6 = (pixels[a + k0 + 6] & 0xFF) * INV_255;
            float x7 = (pixels[a + k0 + 7] & 0xFF) * INV_255;
            float x8 = (pixels[a + k0 + 8] & 0xFF) * INV_255;
            float x9 = (pixels[a + k0 + 9] & 0xFF) * INV_255;
            float x10 = (pixels[a + k0 + 10] & 0xFF) * INV_255;
            float x11 = (pixels[a + k0 + 11] & 0xFF) * INV_255;
            float x12 = (pixels[a + k0 + 12] & 0xFF) * INV_255;
            float x13 = (pixels[a + k0 + 13] & 0xFF) * INV_255;
            float x14 = (pixels[a + k0 + 14] & 0xFF) * INV_255;
            float x15 = (pixels[a + k0 + 15] & 0xFF) * INV_255;
            float x16 = (pixels[a + k0 + 16] & 0xFF) * INV_255;
            float x17 = (pixels[a + k0 + 17] & 0xFF) * INV_255;
            float x18 = (pixels[a + k0 + 18] & 0xFF) * INV_255;
            float x19 = (pixels[a + k0 + 19] & 0xFF) * INV_255;
            float x20 = (pixels[a + k0 + 20] & 0xFF) * INV_255;
            float x21 = (pixels[a + k0 + 21] & 0xFF) * INV_255;
            float x22 = (pixels[a + k0 + 22] & 0xFF) * INV_255;
            float x23 = (pixels[a + k0 + 23] & 0xFF) * INV_255;
            float x24 = (pixels[a + k0 + 24] & 0xFF) * INV_255;
            float x25 = (pixels[a + k0 + 25] & 0xFF) * INV_255;
            float x26 = (pixels[a + k0 + 26] & 0xFF) * INV_255;
            float x27 = (pixels[a + k0 + 27] & 0xFF) * INV_255;
            float x28 = (pixels[a + k0 + 28] & 0xFF) * INV_255;
            float x29 = (pixels[a + k0 + 29] & 0xFF) * INV_255;
            float x30 = (pixels[a + k0 + 30] & 0xFF) * INV_255;
            float x31 = (pixels[a + k0 + 31] & 0xFF) * INV_255;
            d0 += x0 * mem[b0 + k0];
            d1 += x1 * mem[b0 + k0 + 1];
            d2 += x2 * mem[b0 + k0 + 2];
            d3 += x3 * mem[b0 + k0 + 3];
            d4 += x4 * mem[b0 + k0 + 4];
            d5 += x5 * mem[b0 + k0 + 5];
            d6 += x6 * mem[b0 + k0 + 6];
            d7 += x7 * mem[b0 + k0 + 7];
            d8 += x8 * mem[b0 + k0 + 8];
            d9 += x9 * mem[b0 + k0 + 9];
            d10 += x10 * mem[b0 + k0 + 10];
            d11 += x11 * mem[b0 + k0 + 11];
            d12 += x12 * mem[b0 + k0 + 12];
            d13 += x13 * mem[b0 + k0 + 13];
            d14 += x14 * mem[b0 + k0 + 14];
            d15 += x15 * mem[b0 + k0 + 15];
            d16 += x16 * mem[b0 + k0 + 16];
            d17 += x17 * mem[b0 + k0 + 17];
            d18 += x18 * mem[b0 + k0 + 18];
            d19 += x19 * mem[b0 + k0 + 19];
            d20 += x20 * mem[b0 + k0 + 20];
            d21 += x21 * mem[b0 + k0 + 21];
            d22 += x22 * mem[b0 + k0 + 22];
            d23 += x23 * mem[b0 + k0 + 23];
            d24 += x24 * mem[b0 + k0 + 24];
            d25 += x25 * mem[b0 + k0 + 25];
            d26 += x26 * mem[b0 + k0 + 26];
            d27 += x27 * mem[b0 + k0 + 27];
            d28 += x28 * mem[b0 + k0 + 28];
            d29 += x29 * mem[b0 + k0 + 29];
            d30 += x30 * mem[b0 + k0 + 30];
            d31 += x31 * mem[b0 + k0 + 31];
            e0 += x0 * mem[b1 + k0];
            e1 += x1 * mem[b1 + k0 + 1];
            e2 += x2 * mem[b1 + k0 + 2];
            e3 += x3 * mem[b1 + k0 + 3];
            e4 += x4 * mem[b1 + k0 + 4];
            e5 += x5 * mem[b1 + k0 + 5];
            e6 += x6 * mem[b1 + k0 + 6];
            e7 += x7 * mem[b1 + k0 + 7];
            e8 += x8 * mem[b1 + k0 + 8];
            e9 += x9 * mem[b1 + k0 + 9];
            e10 += x10 * mem[b1 + k0 + 10];
            e11 += x11 * mem[b1 + k0 + 11];
            e12 += x12 * mem[b1 + k0 + 12];
            e13 += x13 * mem[b1 + k0 + 13];
            e14 += x14 * mem[b1 + k0 + 14];
            e15 += x15 * mem[b1 + k0 + 15];
            e16 += x16 * mem[b1 + k0 + 16];
            e17 += x17 * mem[b1 + k0 + 17];
            e18 += x18 * mem[b1 + k0 + 18];
            e19 += x19 * mem[b1 + k0 + 19];
            e20 += x20 * mem[b1 + k0 + 20];
            e21 += x21 * mem[b1 + k0 + 21];
            e22 += x22 * mem[b1 + k0 + 22];
            e23 += x23 * mem[b1 + k0 + 23];
            e24 += x24 * mem[b1 + k0 + 24];
            e25 += x25 * mem[b1 + k0 + 25];
            e26 += x26 * mem[b1 + k0 + 26];
            e27 += x27 * mem[b1 + k0 + 27];
            e28 += x28 * mem[b1 + k0 + 28];
            e29 += x29 * mem[b1 + k0 + 29];
            e30 += x30 * mem[b1 + k0 + 30];
            e31 += x31 * mem[b1 + k0 + 31];
        }
        for (int k0 = k2; k0 < k1; k0 += LANES) {
            float x0 = (pixels[a + k0] & 0xFF) * INV_255;
            float x1 = (pixels[a + k0 + 1] & 0xFF) * INV_255;
            float x2 = (pixels[a + k0 + 2] & 0xFF) * INV_255;
            float x3 = (pixels[a + k0 + 3] & 0xFF) * INV_255;
            float x4 = (pixels[a + k0 + 4] & 0xFF) * INV_255;
            float x5 = (pixels[a + k0 + 5] & 0xFF) * INV_255;
            float x6 = (pixels[a + k0 + 6] & 0xFF) * INV_255;
            float x7 = (pixels[a + k0 + 7] & 0xFF) * INV_255;
            float x8 = (pixels[a + k0 + 8] & 0xFF) * INV_255;
            float x9 = (pixels[a + k0 + 9] & 0xFF) * INV_255;
            float x10 = (pixels[a + k0 + 10] & 0xFF) * INV_255;
            float x11 = (pixels[a + k0 + 11] & 0xFF) * INV_255;
            float x12 = (pixels[a + k0 + 12] & 0xFF) * INV_255;
            float x13 = (pixels[a + k0 + 13] & 0xFF) * INV_255;
            float x14 = (pixels[a + k0 + 14] & 0xFF) * INV_255;
            float x15 = (pixels[a + k0 + 15] & 0xFF) * INV_255;
            d0 += x0 * mem[b0 + k0];
            d1 += x1 * mem[b0 + k0 + 1];
            d2 += x2 * mem[b0 + k0 + 2];
            d3 += x3 * mem[b0 + k0 + 3];
            d4 += x4 * mem[b0 + k0 + 4];
            d5 += x5 * mem[b0 + k0 + 5];
            d6 += x6 * mem[b0 + k0 + 6];
            d7 += x7 * mem[b0 + k0 + 7];
            d8 += x8 * mem[b0 + k0 + 8];
            d9 += x9 * mem[b0 + k0 + 9];
            d10 += x10 * mem[b0 + k0 + 10];
            d11 += x11 * mem[b0 + k0 + 11];
            d12 += x12 * mem[b0 + k0 + 12];
            d13 += x13 * mem[b0 + k0 + 13];
            d14 += x14 * mem[b0 + k0 + 14];
            d15 += x15 * mem[b0 + k0 + 15];
            e0 += x0 * mem[b1 + k0];
            e1 += x1 * mem[b1 + k0 + 1];
            e2 += x2 * mem[b1 + k0 + 2];
            e3 += x3 * mem[b1 + k0 + 3];
            e4 += x4 * mem[b1 + k0 + 4];
            e5 += x5 * mem[b1 + k0 + 5];
            e6 += x6 * mem[b1 + k0 + 6];
            e7 += x7 * mem[b1 + k0 + 7];
            e8 += x8 * mem[b1 + k0 + 8];
            e9 += x9 * mem[b1 + k0 + 9];
            e10 += x10 * mem[b1 + k0 + 10];
            e11 += x11 * mem[b1 + k0 + 11];
            e12 += x12 * mem[b1 + k0 + 12];
            e13 += x13 * mem[b1 + k0 + 13];
            e14 += x14 * mem[b1 + k0 + 14];
            e15 += x15 * mem[b1 + k0 + 15];
        }
        part[0] = d0; part[1] = d1; part[2] = d2; part[3] = d3; part[4] = d4; part[5] = d5; part[6] = d6; part[7] = d7;
        part[8] = d8; part[9] = d9; part[10] = d10; part[11] = d11; part[12] = d12; part[13] = d13; part[14] = d14; part[15] = d15;
        part[16] = d16; part[17] = d17; part[18] = d18; part[19] = d19; part[20] = d20; part[21] = d21; part[22] = d22; part[23] = d23;
        part[24] = d24; part[25] = d25; part[26] = d26; part[27] = d27; part[28] = d28; part[29] = d29; part[30] = d30; part[31] = d31;
        part[32] = e0; part[33] = e1; part[34] = e2; part[35] = e3; part[36] = e4; part[37] = e5; part[38] = e6; part[39] = e7;
        part[40] = e8; part[41] = e9; part[42] = e10; part[43] = e11; part[44] = e12; part[45] = e13; part[46] = e14; part[47] = e15;
        part[48] = e16; part[49] = e17; part[50] = e18; part[51] = e19; part[52] = e20; part[53] = e21; part[54] = e22; part[55] = e23;
        part[56] = e24; part[57] = e25; part[58] = e26; part[59] = e27; part[60] = e28; part[61] = e29; part[62] = e30; part[63] = e31;
    }

    /**
     * C = A B where B(k, n) is contiguous along n: a unit is 4 rows x {@link #LANES} columns of C, adding for each
     * k the row of B times A(m, k), in k order (each output adds its terms in k order, like the cpu backend); the
     * compiler keeps the row of B and the sums as SIMD vectors (4 independent chains). The columns past the last
     * whole LANES are left to the caller; rows past the edge repeat the last one and are not stored. The units at
     * column 0 also add the row sums of A. The sums are stored as they are, then read back through the epilogue:
     * consecutive stores are what makes the compiler bundle them into vectors column by column.
     */
    private void gemmRows(int c, int id, int stride) {
        int gM = cmd[c + 1];
        int gN = cmd[c + 2];
        int gK = cmd[c + 3];
        int aM = cmd[c + 5];
        int aK = cmd[c + 6];
        int bK = cmd[c + 8];
        int rowSum = cmd[c + 14];
        int blocksM = (gM + 3) / 4;
        for (int u = id; u < blocksM * (gN / LANES); u += stride) {
            // neighbouring work-items (run one after another on a CPU) take the same columns of B: they stay in cache
            int n0 = (u / blocksM) * LANES;
            int m0 = (u - (u / blocksM) * blocksM) * 4;
            int a = cmd[c + 4] + m0 * aM;
            // rows past the edge read the last row
            int a1 = min(1, gM - 1 - m0) * aM;
            int a2 = min(2, gM - 1 - m0) * aM;
            int a3 = min(3, gM - 1 - m0) * aM;
            float c0_0 = 0f; float c0_1 = 0f; float c0_2 = 0f; float c0_3 = 0f; float c0_4 = 0f; float c0_5 = 0f; float c0_6 = 0f; float c0_7 = 0f;
            float c0_8 = 0f; float c0_9 = 0f; float c0_10 = 0f; float c0_11 = 0f; float c0_12 = 0f; float c0_13 = 0f; float c0_14 = 0f; float c0_15 = 0f;
            float c1_0 = 0f; float c1_1 = 0f; float c1_2 = 0f; float c1_3 = 0f; float c1_4 = 0f; float c1_5 = 0f; float c1_6 = 0f; float c1_7 = 0f;
            float c1_8 = 0f; float c1_9 = 0f; float c1_10 = 0f; float c1_11 = 0f; float c1_12 = 0f; float c1_13 = 0f; float c1_14 = 0f; float c1_15 = 0f;
            float c2_0 = 0f; float c2_1 = 0f; float c2_2 = 0f; float c2_3 = 0f; float c2_4 = 0f; float c2_5 = 0f; float c2_6 = 0f; float c2_7 = 0f;
            float c2_8 = 0f; float c2_9 = 0f; float c2_10 = 0f; float c2_11 = 0f; float c2_12 = 0f; float c2_13 = 0f; float c2_14 = 0f; float c2_15 = 0f;
            float c3_0 = 0f; float c3_1 = 0f; float c3_2 = 0f; float c3_3 = 0f; float c3_4 = 0f; float c3_5 = 0f; float c3_6 = 0f; float c3_7 = 0f;
            float c3_8 = 0f; float c3_9 = 0f; float c3_10 = 0f; float c3_11 = 0f; float c3_12 = 0f; float c3_13 = 0f; float c3_14 = 0f; float c3_15 = 0f;
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            int b = cmd[c + 7] + n0;
            for (int kk = 0; kk < gK; kk++) {
                // a and b step along k (induction variables: the compiler sees the 16 loads are consecutive)
                float x0 = mem[a];
                float x1 = mem[a + a1];
                float x2 = mem[a + a2];
                float x3 = mem[a + a3];
                c0_0 += x0 * mem[b]; c0_1 += x0 * mem[b + 1]; c0_2 += x0 * mem[b + 2]; c0_3 += x0 * mem[b + 3];
                c0_4 += x0 * mem[b + 4]; c0_5 += x0 * mem[b + 5]; c0_6 += x0 * mem[b + 6]; c0_7 += x0 * mem[b + 7];
                c0_8 += x0 * mem[b + 8]; c0_9 += x0 * mem[b + 9]; c0_10 += x0 * mem[b + 10]; c0_11 += x0 * mem[b + 11];
                c0_12 += x0 * mem[b + 12]; c0_13 += x0 * mem[b + 13]; c0_14 += x0 * mem[b + 14]; c0_15 += x0 * mem[b + 15];
                c1_0 += x1 * mem[b]; c1_1 += x1 * mem[b + 1]; c1_2 += x1 * mem[b + 2]; c1_3 += x1 * mem[b + 3];
                c1_4 += x1 * mem[b + 4]; c1_5 += x1 * mem[b + 5]; c1_6 += x1 * mem[b + 6]; c1_7 += x1 * mem[b + 7];
                c1_8 += x1 * mem[b + 8]; c1_9 += x1 * mem[b + 9]; c1_10 += x1 * mem[b + 10]; c1_11 += x1 * mem[b + 11];
                c1_12 += x1 * mem[b + 12]; c1_13 += x1 * mem[b + 13]; c1_14 += x1 * mem[b + 14]; c1_15 += x1 * mem[b + 15];
                c2_0 += x2 * mem[b]; c2_1 += x2 * mem[b + 1]; c2_2 += x2 * mem[b + 2]; c2_3 += x2 * mem[b + 3];
                c2_4 += x2 * mem[b + 4]; c2_5 += x2 * mem[b + 5]; c2_6 += x2 * mem[b + 6]; c2_7 += x2 * mem[b + 7];
                c2_8 += x2 * mem[b + 8]; c2_9 += x2 * mem[b + 9]; c2_10 += x2 * mem[b + 10]; c2_11 += x2 * mem[b + 11];
                c2_12 += x2 * mem[b + 12]; c2_13 += x2 * mem[b + 13]; c2_14 += x2 * mem[b + 14]; c2_15 += x2 * mem[b + 15];
                c3_0 += x3 * mem[b]; c3_1 += x3 * mem[b + 1]; c3_2 += x3 * mem[b + 2]; c3_3 += x3 * mem[b + 3];
                c3_4 += x3 * mem[b + 4]; c3_5 += x3 * mem[b + 5]; c3_6 += x3 * mem[b + 6]; c3_7 += x3 * mem[b + 7];
                c3_8 += x3 * mem[b + 8]; c3_9 += x3 * mem[b + 9]; c3_10 += x3 * mem[b + 10]; c3_11 += x3 * mem[b + 11];
                c3_12 += x3 * mem[b + 12]; c3_13 += x3 * mem[b + 13]; c3_14 += x3 * mem[b + 14]; c3_15 += x3 * mem[b + 15];
                s0 += x0;
                s1 += x1;
                s2 += x2;
                s3 += x3;
                a += aK;
                b += bK;
            }
            int out = cmd[c + 10] + m0 * gN + n0;
            mem[out] = c0_0; mem[out + 1] = c0_1; mem[out + 2] = c0_2; mem[out + 3] = c0_3;
            mem[out + 4] = c0_4; mem[out + 5] = c0_5; mem[out + 6] = c0_6; mem[out + 7] = c0_7;
            mem[out + 8] = c0_8; mem[out + 9] = c0_9; mem[out + 10] = c0_10; mem[out + 11] = c0_11;
            mem[out + 12] = c0_12; mem[out + 13] = c0_13; mem[out + 14] = c0_14; mem[out + 15] = c0_15;
            if (m0 + 1 < gM) {
                mem[out + 1 * gN] = c1_0; mem[out + 1 * gN + 1] = c1_1; mem[out + 1 * gN + 2] = c1_2; mem[out + 1 * gN + 3] = c1_3;
                mem[out + 1 * gN + 4] = c1_4; mem[out + 1 * gN + 5] = c1_5; mem[out + 1 * gN + 6] = c1_6; mem[out + 1 * gN + 7] = c1_7;
                mem[out + 1 * gN + 8] = c1_8; mem[out + 1 * gN + 9] = c1_9; mem[out + 1 * gN + 10] = c1_10; mem[out + 1 * gN + 11] = c1_11;
                mem[out + 1 * gN + 12] = c1_12; mem[out + 1 * gN + 13] = c1_13; mem[out + 1 * gN + 14] = c1_14; mem[out + 1 * gN + 15] = c1_15;
            }
            if (m0 + 2 < gM) {
                mem[out + 2 * gN] = c2_0; mem[out + 2 * gN + 1] = c2_1; mem[out + 2 * gN + 2] = c2_2; mem[out + 2 * gN + 3] = c2_3;
                mem[out + 2 * gN + 4] = c2_4; mem[out + 2 * gN + 5] = c2_5; mem[out + 2 * gN + 6] = c2_6; mem[out + 2 * gN + 7] = c2_7;
                mem[out + 2 * gN + 8] = c2_8; mem[out + 2 * gN + 9] = c2_9; mem[out + 2 * gN + 10] = c2_10; mem[out + 2 * gN + 11] = c2_11;
                mem[out + 2 * gN + 12] = c2_12; mem[out + 2 * gN + 13] = c2_13; mem[out + 2 * gN + 14] = c2_14; mem[out + 2 * gN + 15] = c2_15;
            }
            if (m0 + 3 < gM) {
                mem[out + 3 * gN] = c3_0; mem[out + 3 * gN + 1] = c3_1; mem[out + 3 * gN + 2] = c3_2; mem[out + 3 * gN + 3] = c3_3;
                mem[out + 3 * gN + 4] = c3_4; mem[out + 3 * gN + 5] = c3_5; mem[out + 3 * gN + 6] = c3_6; mem[out + 3 * gN + 7] = c3_7;
                mem[out + 3 * gN + 8] = c3_8; mem[out + 3 * gN + 9] = c3_9; mem[out + 3 * gN + 10] = c3_10; mem[out + 3 * gN + 11] = c3_11;
                mem[out + 3 * gN + 12] = c3_12; mem[out + 3 * gN + 13] = c3_13; mem[out + 3 * gN + 14] = c3_14; mem[out + 3 * gN + 15] = c3_15;
            }
            for (int r = 0; r < min(4, gM - m0); r++) {
                for (int j = 0; j < LANES; j++) {
                    store(c, m0 + r, n0 + j, mem[out + r * gN + j]);
                }
                update(c, (m0 + r) * gN + n0, LANES);
            }
            if (rowSum >= 0 && n0 == 0) {
                storeRowSum(c, m0, s0);
                storeRowSum(c, m0 + 1, s1);
                storeRowSum(c, m0 + 2, s2);
                storeRowSum(c, m0 + 3, s3);
            }
        }
    }

    /** GEMM epilogue for one output: bias, ReLU, mask, store (outside C: nothing). */
    private void store(int c, int row, int col, float v) {
        int gN = cmd[c + 2];
        if (row < cmd[c + 1] && col < gN) {
            float out = v;
            int bias = cmd[c + 11];
            if (bias >= 0) {
                out += mem[bias + col];
            }
            if (cmd[c + 12] != 0) {
                out = max(out, 0f);
            }
            int mask = cmd[c + 13];
            if (mask >= 0) {
                if (mem[mask + row * gN + col] <= 0f) {
                    out = 0f;
                }
            }
            mem[cmd[c + 10] + row * gN + col] = out;
        }
    }

    /**
     * The SGD step of a GEMM with an update (see {@link #gemm}) for the outputs [e, e + n) of C, once stored (kept
     * out of {@link #store}, which stays small enough to be inlined).
     */
    private void update(int c, int e, int n) {
        int update = cmd[c + 19];
        if (update >= 0) {
            float lr = cmdLr[c / CMD];
            int out = cmd[c + 10];
            for (int i = e; i < e + n; i++) {
                mem[update + i] = mem[update + i] - lr * mem[out + i];
            }
        }
    }

    /** A row sum of a GEMM (row < m), and its SGD step if asked. */
    private void storeRowSum(int c, int row, float s) {
        if (row < cmd[c + 1]) {
            mem[cmd[c + 14] + row] = s;
            int update = cmd[c + 20];
            if (update >= 0) {
                mem[update + row] = mem[update + row] - cmdLr[c / CMD] * s;
            }
        }
    }

    /**
     * Run by work-group 0 alone: work-item t handles rows t, t + LOCAL, ... : softmax, loss
     * log(sum exp(z - max)) - (z[label] - max), arg-max hit, and unless outGrad < 0 the gradient
     * (softmax - onehot) / rows. Then a tree reduction in local memory, and work-item 0 adds the sums to
     * mem[dst] (loss) and mem[dst + 1] (correct count). Arguments: 1 rows, 2 classes, 3 logits, 4 labOff,
     * 5 idxOff, 6 outGrad (-1: none), 7 dst.
     */
    private void softmaxCrossEntropy(int c) {
        int rows = cmd[c + 1];
        int width = cmd[c + 2];
        int src = cmd[c + 3];
        int labOff = cmd[c + 4];
        int idxOff = cmd[c + 5];
        int outGrad = cmd[c + 6];
        int dst = cmd[c + 7];
        int t = getLocalId(1) * WG + getLocalId(0);
        float loss = 0f;
        float hits = 0f;
        float invRows = 1f / rows;
        for (int r = t; r < rows; r += LOCAL) {
            int o = src + r * width;
            int label = labels[labOff + idx[idxOff + r]] & 0xFF;
            int best = 0;
            float max = mem[o];
            for (int j = 1; j < width; j++) {
                float z = mem[o + j];
                if (z > max) {
                    max = z;
                    best = j;
                }
            }
            float sum = 0f;
            for (int j = 0; j < width; j++) {
                sum += exp(mem[o + j] - max);
            }
            loss += log(sum) - (mem[o + label] - max);
            if (best == label) {
                hits += 1f;
            }
            if (outGrad >= 0) {
                float inv = 1f / sum;
                int g = outGrad + r * width;
                for (int j = 0; j < width; j++) {
                    float p = exp(mem[o + j] - max) * inv;
                    float onehot = 0f;
                    if (j == label) {
                        onehot = 1f;
                    }
                    mem[g + j] = (p - onehot) * invRows;
                }
            }
        }
        sumLoss[t] = loss;
        sumHits[t] = hits;
        localBarrier();
        for (int s = LOCAL / 2; s > 0; s = s / 2) {
            if (t < s) {
                sumLoss[t] = sumLoss[t] + sumLoss[t + s];
                sumHits[t] = sumHits[t] + sumHits[t + s];
            }
            localBarrier();
        }
        if (t == 0) {
            mem[dst] = mem[dst] + sumLoss[0];
            mem[dst + 1] = mem[dst + 1] + sumHits[0];
        }
    }

    @Override
    public boolean hasFallbackAlgorithm() {
        return true;
    }

    /** Aparapi calls this instead of its Java-thread emulation when OpenCL fails: refuse, loudly. */
    @Override
    public void executeFallbackAlgorithm(Range range, int passId) {
        throw new IllegalStateException("Aparapi could not run kernel operation '" + opName(cmd[passCmd[passId] * CMD])
                + "' through OpenCL and wanted to fall back to Java threads; mlp4j refuses that fallback");
    }

    static String opName(int op) {
        return op >= 0 && op < OP_NAMES.length ? OP_NAMES[op] : "op " + op;
    }
}
