package io.mlp4j.aparapi;

import com.aparapi.Kernel;
import com.aparapi.Range;

/**
 * Every device operation of the Aparapi backend, as one OpenCL kernel run as a sequence of passes: pass p runs
 * the command at {@code cmd[p * CMD]} (the operation's number, then its arguments), so one {@code execute} runs
 * a whole recorded list of operations, each pass after the previous one finished.
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
    static final int CMD = 20;
    /** Commands one execution can carry; the backend runs what it has recorded when the list is full. */
    static final int MAX_COMMANDS = 1024;
    /** SGD segments one command can carry (consecutive updates merged into one pass). */
    static final int SGD_SEGMENTS = 4;

    /**
     * Work-groups are WG x WG work-items (a 2-D range: PoCL vectorises its loop over dimension 0, so neighbouring
     * work-items there touch neighbouring columns). A GEMM work-group computes a BLOCK x BLOCK block of C, K in
     * steps of TK; element-wise operations number the work-items of all groups in one flat sequence.
     */
    static final int WG = 8;
    static final int LOCAL = WG * WG;
    static final int BLOCK = 4 * WG;
    static final int TK = 32;

    static final float INV_255 = 1f / 255f;

    /** Kept at mem[0] on the device only; a device buffer re-created from the Java array reads 0 there. */
    static final float CANARY = 12345.5f;

    // ---- arenas (see class comment) ----
    float[] mem = new float[1];
    float[] stage = new float[1];
    int[] idx = new int[1];
    byte[] pixels = new byte[1];
    byte[] labels = new byte[1];

    // ---- the command list: pass p runs the command at cmd[p * CMD], with learning rate cmdLr[p] ----
    int[] cmd = new int[MAX_COMMANDS * CMD];
    float[] cmdLr = new float[MAX_COMMANDS];

    // ---- local memory ----
    @Local final float[] tileA = new float[BLOCK * TK];
    @Local final float[] tileB = new float[TK * BLOCK];
    @Local final float[] sumLoss = new float[LOCAL];
    @Local final float[] sumHits = new float[LOCAL];

    @Override
    public void run() {
        int c = getPassId() * CMD;
        int op = cmd[c];
        if (op == OP_GEMM) {
            gemm(c);
        } else if (op == OP_SOFTMAX_XENT) {
            if (getGroupId(0) == 0) {
                softmaxCrossEntropy(c);
            }
        } else {
            elementwise(c, op);
        }
    }

    /** The work-item's number among all work-items, neighbours in dimension 0 consecutive. */
    private int flatId() {
        return getGroupId(0) * LOCAL + getLocalId(1) * WG + getLocalId(0);
    }

    private int flatSize() {
        return getNumGroups(0) * LOCAL;
    }

    /** Operations where each element is independent; each work-item takes every flatSize()-th element. */
    private void elementwise(int c, int op) {
        int id = flatId();
        int stride = flatSize();
        if (op == OP_SGD) {
            // segments (p, g, n) at c+2, c+5, ...: p -= lr * g; a work-item handles the same positions in each
            float lr = cmdLr[getPassId()];
            for (int s = 0; s < cmd[c + 1]; s++) {
                int p = cmd[c + 2 + 3 * s];
                int g = cmd[c + 3 + 3 * s];
                int n = cmd[c + 4 + 3 * s];
                for (int i = id; i < n; i += stride) {
                    mem[p + i] = mem[p + i] - lr * mem[g + i];
                }
            }
        } else if (op == OP_GATHER) {
            // x[r, j] = pixels[sample(r), j] / 255, sample(r) = idx[idxOff + r]: n, width, pixOff, idxOff, dst
            int n = cmd[c + 1];
            int width = cmd[c + 2];
            int pixOff = cmd[c + 3];
            int idxOff = cmd[c + 4];
            int dst = cmd[c + 5];
            for (int i = id; i < n; i += stride) {
                int r = i / width;
                int j = i - r * width;
                mem[dst + i] = (pixels[pixOff + idx[idxOff + r] * width + j] & 0xFF) * INV_255;
            }
        } else if (op == OP_RELU_MASK) {
            // dst[i] = 0 where src[i] <= 0: n, src, dst
            int n = cmd[c + 1];
            int src = cmd[c + 2];
            int dst = cmd[c + 3];
            for (int i = id; i < n; i += stride) {
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
     * 18 x (-1: none; else the gathered A is also stored there, [m, k]).
     *
     * <p>Tiled with local memory and register blocking: work-group g takes blocks g, g + groups, ... of
     * BLOCK x BLOCK; work-item (tx, ty) owns the 4 x 4 outputs at rows ty + WG i and columns tx + WG j (strided,
     * so neighbouring work-items touch neighbouring columns). K advances in steps of TK through BLOCK x TK and
     * TK x BLOCK tiles of A and B in local memory (zero-padded past the edges, which only adds exact zeros): each
     * output, and each row sum, adds its terms in K order, like the cpu backend.
     */
    private void gemm(int c) {
        int gM = cmd[c + 1];
        int gN = cmd[c + 2];
        int gK = cmd[c + 3];
        int bOff = cmd[c + 7];
        int bK = cmd[c + 8];
        int bN = cmd[c + 9];
        int aOff = cmd[c + 4];
        int aM = cmd[c + 5];
        int aK = cmd[c + 6];
        int rowSum = cmd[c + 14];
        int aPix = cmd[c + 15];
        int pixOff = cmd[c + 16];
        int idxOff = cmd[c + 17];
        int xOut = cmd[c + 18];
        int tx = getLocalId(0);
        int ty = getLocalId(1);
        int lid = ty * WG + tx;
        int blocksN = (gN + BLOCK - 1) / BLOCK;
        int blocks = ((gM + BLOCK - 1) / BLOCK) * blocksN;
        for (int blk = getGroupId(0); blk < blocks; blk += getNumGroups(0)) {
            int m0 = (blk / blocksN) * BLOCK;
            int n0 = (blk - (blk / blocksN) * blocksN) * BLOCK;
            float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
            float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
            float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
            float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            for (int k0 = 0; k0 < gK; k0 += TK) {
                int full = 0;
                if (m0 + BLOCK <= gM && n0 + BLOCK <= gN && k0 + TK <= gK) {
                    full = 1;
                }
                for (int l = 0; l < BLOCK * TK / LOCAL; l++) {
                    // Neighbouring work-items read neighbouring addresses: along k where the operand is contiguous
                    // along k (A row-major, B = W^T), else along m or n.
                    int e = lid + l * LOCAL;
                    int r = e / TK;
                    int kk = e - r * TK;
                    if (aK != 1 && aPix == 0) {
                        kk = e / BLOCK;
                        r = e - kk * BLOCK;
                    }
                    float va = 0f;
                    if (full != 0 || (m0 + r < gM && k0 + kk < gK)) {
                        if (aPix != 0) {
                            va = (pixels[pixOff + idx[idxOff + m0 + r] * gK + k0 + kk] & 0xFF) * INV_255;
                            if (xOut >= 0 && n0 == 0) {
                                mem[xOut + (m0 + r) * gK + k0 + kk] = va;
                            }
                        } else {
                            va = mem[aOff + (m0 + r) * aM + (k0 + kk) * aK];
                        }
                    }
                    tileA[r * TK + kk] = va;
                    int kb = e / BLOCK;
                    int cb = e - kb * BLOCK;
                    if (bN != 1) {
                        cb = e / TK;
                        kb = e - cb * TK;
                    }
                    float vb = 0f;
                    if (full != 0 || (k0 + kb < gK && n0 + cb < gN)) {
                        vb = mem[bOff + (k0 + kb) * bK + (n0 + cb) * bN];
                    }
                    tileB[kb * BLOCK + cb] = vb;
                }
                localBarrier();
                for (int kk = 0; kk < TK; kk++) {
                    float a0 = tileA[ty * TK + kk];
                    float a1 = tileA[(ty + WG) * TK + kk];
                    float a2 = tileA[(ty + 2 * WG) * TK + kk];
                    float a3 = tileA[(ty + 3 * WG) * TK + kk];
                    float b0 = tileB[kk * BLOCK + tx];
                    float b1 = tileB[kk * BLOCK + tx + WG];
                    float b2 = tileB[kk * BLOCK + tx + 2 * WG];
                    float b3 = tileB[kk * BLOCK + tx + 3 * WG];
                    c00 += a0 * b0;
                    c01 += a0 * b1;
                    c02 += a0 * b2;
                    c03 += a0 * b3;
                    c10 += a1 * b0;
                    c11 += a1 * b1;
                    c12 += a1 * b2;
                    c13 += a1 * b3;
                    c20 += a2 * b0;
                    c21 += a2 * b1;
                    c22 += a2 * b2;
                    c23 += a2 * b3;
                    c30 += a3 * b0;
                    c31 += a3 * b1;
                    c32 += a3 * b2;
                    c33 += a3 * b3;
                    s0 += a0;
                    s1 += a1;
                    s2 += a2;
                    s3 += a3;
                }
                localBarrier();
            }
            int r0 = m0 + ty;
            int col = n0 + tx;
            store(c, r0, col, c00);
            store(c, r0, col + WG, c01);
            store(c, r0, col + 2 * WG, c02);
            store(c, r0, col + 3 * WG, c03);
            store(c, r0 + WG, col, c10);
            store(c, r0 + WG, col + WG, c11);
            store(c, r0 + WG, col + 2 * WG, c12);
            store(c, r0 + WG, col + 3 * WG, c13);
            store(c, r0 + 2 * WG, col, c20);
            store(c, r0 + 2 * WG, col + WG, c21);
            store(c, r0 + 2 * WG, col + 2 * WG, c22);
            store(c, r0 + 2 * WG, col + 3 * WG, c23);
            store(c, r0 + 3 * WG, col, c30);
            store(c, r0 + 3 * WG, col + WG, c31);
            store(c, r0 + 3 * WG, col + 2 * WG, c32);
            store(c, r0 + 3 * WG, col + 3 * WG, c33);
            if (rowSum >= 0 && n0 == 0 && tx == 0) {
                storeRowSum(rowSum, gM, r0, s0);
                storeRowSum(rowSum, gM, r0 + WG, s1);
                storeRowSum(rowSum, gM, r0 + 2 * WG, s2);
                storeRowSum(rowSum, gM, r0 + 3 * WG, s3);
            }
        }
    }

    private void storeRowSum(int rowSum, int gM, int row, float s) {
        if (row < gM) {
            mem[rowSum + row] = s;
        }
    }

    /** GEMM epilogue for one output: bias, ReLU, mask, store (outside C: nothing). */
    private void store(int c, int row, int col, float v) {
        int gN = cmd[c + 2];
        if (row < cmd[c + 1] && col < gN) {
            float acc = v;
            int bias = cmd[c + 11];
            if (bias >= 0) {
                acc += mem[bias + col];
            }
            if (cmd[c + 12] != 0 && acc < 0f) {
                acc = 0f;
            }
            int mask = cmd[c + 13];
            if (mask >= 0) {
                if (mem[mask + row * gN + col] <= 0f) {
                    acc = 0f;
                }
            }
            mem[cmd[c + 10] + row * gN + col] = acc;
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
        throw new IllegalStateException("Aparapi could not run kernel operation '" + opName(cmd[passId * CMD])
                + "' through OpenCL and wanted to fall back to Java threads; mlp4j refuses that fallback");
    }

    static String opName(int op) {
        return op >= 0 && op < OP_NAMES.length ? OP_NAMES[op] : "op " + op;
    }
}
