package io.mlp4j.backend.aparapi;

import com.aparapi.Kernel;
import com.aparapi.Range;

/**
 * Every device operation of the Aparapi backend, as one OpenCL kernel whose {@code run()} switches on {@link #op}.
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
    static final int OP_COLUMN_SUM = 7;
    static final int OP_SOFTMAX_XENT = 8;
    static final int OP_SGD = 9;
    static final int OP_COUNT = 10;

    static final String[] OP_NAMES = {"nop", "copy-in", "copy-out", "set-canary", "gather", "gemm", "relu-mask",
            "column-sum", "softmax-cross-entropy", "sgd"};

    /** GEMM: a work-group is WG x WG work-items computing a BLOCK x BLOCK block of C, K in steps of TK. */
    static final int WG = 8;
    static final int BLOCK = 4 * WG;
    static final int TK = 16;
    /** Work-group size of the softmax + cross-entropy reduction (one work-group per batch). */
    static final int REDUCE = 256;
    /** Work-group size of the element-wise operations. */
    static final int LINEAR = 64;

    static final float INV_255 = 1f / 255f;

    /** Kept at mem[0] on the device only; a device buffer re-created from the Java array reads 0 there. */
    static final float CANARY = 12345.5f;

    // ---- arenas (see class comment) ----
    float[] mem = new float[1];
    float[] stage = new float[1];
    int[] idx = new int[1];
    byte[] pixels = new byte[1];
    byte[] labels = new byte[1];

    // ---- local memory ----
    @Local final float[] tileA = new float[BLOCK * TK];
    @Local final float[] tileB = new float[TK * BLOCK];
    @Local final float[] sumLoss = new float[REDUCE];
    @Local final float[] sumHits = new float[REDUCE];

    // ---- arguments of the current operation ----
    int op;
    /** Element count of element-wise operations. */
    int n;
    int dst;
    int src;
    /** GEMM: C[m, n] = sum_k A(m, k) B(k, n) (+ bias[n], ReLU); A(m, k) = mem[aOff + m*aM + k*aK]. */
    int gM, gN, gK, aOff, aM, aK, bOff, bK, bN, cOff, biasOff, relu;
    /** Gather / softmax: rows, features (gather) or classes (softmax), data set and index offsets. */
    int rows, width, pixOff, labOff, idxOff, outGrad;
    float lr;

    @Override
    public void run() {
        if (op == OP_GEMM) {
            gemm();
        } else if (op == OP_GATHER) {
            gather();
        } else if (op == OP_SOFTMAX_XENT) {
            softmaxCrossEntropy();
        } else if (op == OP_SGD) {
            int i = getGlobalId();
            if (i < n) {
                mem[dst + i] = mem[dst + i] - lr * mem[src + i];
            }
        } else if (op == OP_RELU_MASK) {
            int i = getGlobalId();
            if (i < n) {
                if (mem[src + i] <= 0f) {
                    mem[dst + i] = 0f;
                }
            }
        } else if (op == OP_COLUMN_SUM) {
            // mem[dst + c] = sum over r < rows of mem[src + r * n + c], rows in order (like the cpu backend).
            int c = getGlobalId();
            if (c < n) {
                float s = 0f;
                for (int r = 0; r < rows; r++) {
                    s += mem[src + r * n + c];
                }
                mem[dst + c] = s;
            }
        } else if (op == OP_COPY_IN) {
            int i = getGlobalId();
            if (i < n) {
                mem[dst + i] = stage[i];
            }
        } else if (op == OP_COPY_OUT) {
            int i = getGlobalId();
            if (i < n) {
                stage[i] = mem[src + i];
            }
            if (i == 0) {
                stage[n] = mem[0];
            }
        } else if (op == OP_SET_CANARY) {
            if (getGlobalId() == 0) {
                mem[0] = CANARY;
            }
        }
    }

    /** x[r, j] = pixels[sample(r), j] / 255 with sample(r) = idx[idxOff + r]; work-item (j, r). */
    private void gather() {
        int j = getGlobalId(0);
        int r = getGlobalId(1);
        if (j < width) {
            int sample = idx[idxOff + r];
            mem[dst + r * width + j] = (pixels[pixOff + sample * width + j] & 0xFF) * INV_255;
        }
    }

    /**
     * Tiled GEMM with local memory and register blocking. A work-group of WG x WG work-items computes a
     * BLOCK x BLOCK block of C (BLOCK = 4 WG); work-item (tx, ty) owns the 4 x 4 outputs at rows
     * ty + WG i and columns tx + WG j (strided, so neighbouring work-items touch neighbouring columns). K advances
     * in steps of TK through BLOCK x TK and TK x BLOCK tiles of A and B in local memory (zero-padded past the
     * edges, which only adds exact zeros): each output sums its products in K order, like the cpu backend.
     */
    private void gemm() {
        int tx = getLocalId(0);
        int ty = getLocalId(1);
        int lid = ty * WG + tx;
        int m0 = getGroupId(1) * BLOCK;
        int n0 = getGroupId(0) * BLOCK;
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
        float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
        float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
        for (int k0 = 0; k0 < gK; k0 += TK) {
            for (int l = 0; l < BLOCK * TK / (WG * WG); l++) {
                int e = lid + l * WG * WG;
                int r = e / TK;
                int kk = e - r * TK;
                float va = 0f;
                if (m0 + r < gM && k0 + kk < gK) {
                    va = mem[aOff + (m0 + r) * aM + (k0 + kk) * aK];
                }
                tileA[e] = va;
                int kb = e / BLOCK;
                int c = e - kb * BLOCK;
                float vb = 0f;
                if (k0 + kb < gK && n0 + c < gN) {
                    vb = mem[bOff + (k0 + kb) * bK + (n0 + c) * bN];
                }
                tileB[e] = vb;
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
            }
            localBarrier();
        }
        int r0 = m0 + ty;
        int col = n0 + tx;
        store(r0, col, c00);
        store(r0, col + WG, c01);
        store(r0, col + 2 * WG, c02);
        store(r0, col + 3 * WG, c03);
        store(r0 + WG, col, c10);
        store(r0 + WG, col + WG, c11);
        store(r0 + WG, col + 2 * WG, c12);
        store(r0 + WG, col + 3 * WG, c13);
        store(r0 + 2 * WG, col, c20);
        store(r0 + 2 * WG, col + WG, c21);
        store(r0 + 2 * WG, col + 2 * WG, c22);
        store(r0 + 2 * WG, col + 3 * WG, c23);
        store(r0 + 3 * WG, col, c30);
        store(r0 + 3 * WG, col + WG, c31);
        store(r0 + 3 * WG, col + 2 * WG, c32);
        store(r0 + 3 * WG, col + 3 * WG, c33);
    }

    /** GEMM epilogue for one output: bias, ReLU, store (outside C: nothing). */
    private void store(int row, int col, float v) {
        if (row < gM && col < gN) {
            float acc = v;
            if (biasOff >= 0) {
                acc += mem[biasOff + col];
            }
            if (relu != 0 && acc < 0f) {
                acc = 0f;
            }
            mem[cOff + row * gN + col] = acc;
        }
    }

    /**
     * One work-group of REDUCE work-items; work-item t handles rows t, t + REDUCE, ... : softmax, loss
     * log(sum exp(z - max)) - (z[label] - max), arg-max hit, and unless outGrad < 0 the gradient
     * (softmax - onehot) / rows. Then a tree reduction in local memory, and work-item 0 adds the sums to
     * mem[dst] (loss) and mem[dst + 1] (correct count).
     */
    private void softmaxCrossEntropy() {
        int t = getLocalId();
        float loss = 0f;
        float hits = 0f;
        float invRows = 1f / rows;
        for (int r = t; r < rows; r += REDUCE) {
            int o = src + r * width;
            int label = labels[labOff + idx[idxOff + r]] & 0xFF;
            int best = 0;
            float max = mem[o];
            for (int c = 1; c < width; c++) {
                float z = mem[o + c];
                if (z > max) {
                    max = z;
                    best = c;
                }
            }
            float sum = 0f;
            for (int c = 0; c < width; c++) {
                sum += exp(mem[o + c] - max);
            }
            loss += log(sum) - (mem[o + label] - max);
            if (best == label) {
                hits += 1f;
            }
            if (outGrad >= 0) {
                float inv = 1f / sum;
                int g = outGrad + r * width;
                for (int c = 0; c < width; c++) {
                    float p = exp(mem[o + c] - max) * inv;
                    float onehot = 0f;
                    if (c == label) {
                        onehot = 1f;
                    }
                    mem[g + c] = (p - onehot) * invRows;
                }
            }
        }
        sumLoss[t] = loss;
        sumHits[t] = hits;
        localBarrier();
        for (int s = REDUCE / 2; s > 0; s = s / 2) {
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
        throw new IllegalStateException("Aparapi could not run kernel operation '" + opName(op)
                + "' through OpenCL and wanted to fall back to Java threads; mlp4j refuses that fallback");
    }

    static String opName(int op) {
        return op >= 0 && op < OP_NAMES.length ? OP_NAMES[op] : "op " + op;
    }
}
