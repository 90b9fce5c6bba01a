package io.mlp4j.training;

import io.mlp4j.spi.Backend;
import io.mlp4j.spi.DeviceDataset;
import io.mlp4j.spi.IndexBuffer;
import io.mlp4j.spi.Tensor;

/**
 * The training step, written once: forward through the layers, softmax + cross-entropy, backward, SGD update,
 * over a backend's device operations. It owns the device buffers for one network shape and batches of up to
 * {@code maxRows} rows: per layer the weight {@code [out, in]}, bias, their gradients, and one activation and
 * one activation-gradient buffer. Everything is allocated once, in the constructor; a step allocates nothing.
 * The buffers are freed with the backend (whoever opened it closes it).
 */
public final class TrainingStep {

    /** The largest buffer a backend is asked for, in floats: Java arrays stop a little below 2^31. */
    static final long MAX_BUFFER = Integer.MAX_VALUE - 64;

    private final Backend backend;
    private final int[] sizes;
    private final int layers;
    private final int maxRows;
    private final Tensor[] w, b, dw, db, act, grad;
    private final Tensor metrics;
    private final float[] metricsHost = new float[2];

    /**
     * Allocates the buffers on {@code backend}. Call {@link #checkSizes} first to fail before opening a device.
     *
     * @param backend an open backend
     * @param sizes layer widths, input first
     * @param maxRows the largest batch
     */
    public TrainingStep(Backend backend, int[] sizes, int maxRows) {
        checkSizes(sizes, maxRows);
        this.backend = backend;
        this.sizes = sizes.clone();
        this.layers = sizes.length - 1;
        this.maxRows = maxRows;
        w = new Tensor[layers];
        b = new Tensor[layers];
        dw = new Tensor[layers];
        db = new Tensor[layers];
        act = new Tensor[layers + 1];
        grad = new Tensor[layers + 1];
        for (int l = 0; l < layers; l++) {
            w[l] = backend.allocate(in(l) * out(l));
            b[l] = backend.allocate(out(l));
            dw[l] = backend.allocate(in(l) * out(l));
            db[l] = backend.allocate(out(l));
        }
        for (int l = 0; l <= layers; l++) {
            act[l] = backend.allocate(maxRows * sizes[l]);
            grad[l] = l == 0 ? null : backend.allocate(maxRows * sizes[l]);
        }
        metrics = backend.allocate(2);
    }

    /**
     * Checks that every buffer of a step fits in one array.
     *
     * @param sizes layer widths, input first
     * @param maxRows the largest batch
     * @throws IllegalArgumentException naming the buffer that is too large and what to change
     */
    public static void checkSizes(int[] sizes, int maxRows) {
        for (int l = 0; l < sizes.length; l++) {
            check("activations of " + maxRows + " rows x " + sizes[l], (long) maxRows * sizes[l]);
            if (l + 1 < sizes.length) {
                check("layer " + (l + 1) + " weights " + sizes[l + 1] + " x " + sizes[l], (long) sizes[l] * sizes[l + 1]);
            }
        }
    }

    private static void check(String what, long floats) {
        if (floats > MAX_BUFFER) {
            throw new IllegalArgumentException(what + " = " + floats + " floats is more than one buffer can hold ("
                    + MAX_BUFFER + "); use a smaller batch size or narrower layers");
        }
    }

    private int in(int layer) {
        return sizes[layer];
    }

    private int out(int layer) {
        return sizes[layer + 1];
    }

    /**
     * Puts parameters on the device.
     *
     * @param p parameters of this step's network shape
     */
    public void upload(Parameters p) {
        p.checkShape(sizes);
        for (int l = 0; l < layers; l++) {
            backend.upload(w[l], p.weights()[l]);
            backend.upload(b[l], p.biases()[l]);
        }
    }

    /**
     * Reads the parameters back from the device.
     *
     * @return a fresh copy
     */
    public Parameters download() {
        float[][] pw = new float[layers][];
        float[][] pb = new float[layers][];
        for (int l = 0; l < layers; l++) {
            pw[l] = new float[in(l) * out(l)];
            backend.download(w[l], pw[l]);
            pb[l] = new float[out(l)];
            backend.download(b[l], pb[l]);
        }
        return new Parameters(pw, pb);
    }

    /**
     * One SGD step on rows {@code [offset, offset + rows)} of {@code order}: forward, loss (added to the metrics),
     * backward, update.
     */
    public void train(DeviceDataset data, IndexBuffer order, int offset, int rows, float lr) {
        gradients(data, order, offset, rows);
        for (int l = 0; l < layers; l++) {
            backend.sgdUpdate(w[l], dw[l], in(l) * out(l), lr);
            backend.sgdUpdate(b[l], db[l], out(l), lr);
        }
    }

    /** Forward, loss (added to the metrics) and backward, leaving the gradients in {@link #weightGradient} etc. */
    public void gradients(DeviceDataset data, IndexBuffer order, int offset, int rows) {
        forward(data, order, offset, rows);
        backend.softmaxCrossEntropy(act[layers], data, order, offset, rows, out(layers - 1), grad[layers], metrics);
        for (int l = layers - 1; l >= 0; l--) {
            backend.linearBackward(act[l], w[l], act[l + 1], grad[l + 1], l == 0 ? null : grad[l], dw[l], db[l],
                    rows, in(l), out(l), l < layers - 1);
        }
    }

    /** Forward and loss only (added to the metrics): evaluation. */
    public void evaluate(DeviceDataset data, IndexBuffer order, int offset, int rows) {
        forward(data, order, offset, rows);
        backend.softmaxCrossEntropy(act[layers], data, order, offset, rows, out(layers - 1), null, metrics);
    }

    private void forward(DeviceDataset data, IndexBuffer order, int offset, int rows) {
        if (rows > maxRows) {
            throw new IllegalArgumentException(rows + " rows, but this step holds batches of at most " + maxRows);
        }
        backend.gather(data, order, offset, rows, act[0]);
        for (int l = 0; l < layers; l++) {
            backend.linearForward(act[l], w[l], b[l], act[l + 1], rows, in(l), out(l), l < layers - 1);
        }
    }

    /** Sets the loss sum and the correct count to zero. */
    public void resetMetrics() {
        metricsHost[0] = 0;
        metricsHost[1] = 0;
        backend.upload(metrics, metricsHost);
    }

    /**
     * The loss sum and the correct count since {@link #resetMetrics} (one download: a sync point on a GPU).
     *
     * @return {@code [loss sum, correct]}, an array reused by the next call
     */
    public float[] metrics() {
        backend.download(metrics, metricsHost);
        return metricsHost;
    }

    /** @return layer {@code l}'s weight on the device */
    public Tensor weight(int l) {
        return w[l];
    }

    /** @return layer {@code l}'s bias on the device */
    public Tensor bias(int l) {
        return b[l];
    }

    /** @return the gradient of layer {@code l}'s weight from the last {@link #gradients} */
    public Tensor weightGradient(int l) {
        return dw[l];
    }

    /** @return the gradient of layer {@code l}'s bias from the last {@link #gradients} */
    public Tensor biasGradient(int l) {
        return db[l];
    }

    /** @return the activations entering layer {@code l} (0: the gathered batch; {@code layers}: the logits) */
    public Tensor activation(int l) {
        return act[l];
    }
}
