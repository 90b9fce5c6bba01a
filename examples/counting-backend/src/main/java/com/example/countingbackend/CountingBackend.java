package com.example.countingbackend;

import io.mlp4j.spi.Backend;
import io.mlp4j.spi.DeviceDataset;
import io.mlp4j.spi.IndexBuffer;
import io.mlp4j.spi.Tensor;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Delegates every operation to another backend and counts the calls, per operation, for the whole process. */
final class CountingBackend implements Backend {

    private static final Map<String, AtomicLong> CALLS = new ConcurrentHashMap<>();

    private final Backend delegate;

    CountingBackend(Backend delegate) {
        this.delegate = delegate;
    }

    /** Calls so far, by operation name. */
    static Map<String, Long> calls() {
        Map<String, Long> copy = new TreeMap<>();
        CALLS.forEach((op, n) -> copy.put(op, n.get()));
        return copy;
    }

    private static void count(String operation) {
        CALLS.computeIfAbsent(operation, k -> new AtomicLong()).incrementAndGet();
    }

    @Override
    public String name() {
        return "counting";
    }

    @Override
    public String device() {
        return "counting calls on " + delegate.device();
    }

    @Override
    public Tensor allocate(int length) {
        count("allocate");
        return delegate.allocate(length);
    }

    @Override
    public void upload(Tensor dst, float[] src) {
        count("upload");
        delegate.upload(dst, src);
    }

    @Override
    public void download(Tensor src, float[] dst) {
        count("download");
        delegate.download(src, dst);
    }

    @Override
    public DeviceDataset upload(byte[] pixels, byte[] labels, int count, int features) {
        count("uploadDataset");
        return delegate.upload(pixels, labels, count, features);
    }

    @Override
    public IndexBuffer allocateIndices(int length) {
        count("allocateIndices");
        return delegate.allocateIndices(length);
    }

    @Override
    public void upload(IndexBuffer dst, int[] src) {
        count("uploadIndices");
        delegate.upload(dst, src);
    }

    @Override
    public void gather(DeviceDataset data, IndexBuffer indices, int offset, int rows, Tensor x) {
        count("gather");
        delegate.gather(data, indices, offset, rows, x);
    }

    @Override
    public void linearForward(Tensor x, Tensor w, Tensor b, Tensor y, int rows, int in, int out, boolean relu) {
        count("linearForward");
        delegate.linearForward(x, w, b, y, rows, in, out, relu);
    }

    @Override
    public void linearBackward(Tensor x, Tensor w, Tensor y, Tensor dy, Tensor dx, Tensor dw, Tensor db,
                               int rows, int in, int out, boolean relu) {
        count("linearBackward");
        delegate.linearBackward(x, w, y, dy, dx, dw, db, rows, in, out, relu);
    }

    @Override
    public void softmaxCrossEntropy(Tensor logits, DeviceDataset data, IndexBuffer indices, int offset, int rows,
                                    int classes, Tensor dLogits, Tensor metrics) {
        count("softmaxCrossEntropy");
        delegate.softmaxCrossEntropy(logits, data, indices, offset, rows, classes, dLogits, metrics);
    }

    @Override
    public void sgdUpdate(Tensor p, Tensor g, int n, float lr) {
        count("sgdUpdate");
        delegate.sgdUpdate(p, g, n, lr);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
