package io.mlp4j.backend;

/**
 * The device operations the training loop is written over (see docs/ARCHITECTURE.md). One implementation per
 * backend; the {@code cpu} backend is the reference every other one is tested against.
 *
 * <p>Conventions: every matrix is row-major; a layer's weight is {@code [out, in]} like PyTorch's
 * {@code nn.Linear}; {@code rows} is the number of samples in the batch. Buffers are allocated once and reused;
 * no operation allocates. Closing the backend frees every buffer it handed out.
 */
public interface Backend extends AutoCloseable {

    /** Backend name as used in configuration: {@code cpu}, {@code aparapi}, {@code cublas}. */
    String name();

    /** The device it computes on, in words (e.g. "NVIDIA H100 (OpenCL 3.0)", "CPU, 2 threads, Vector API"). */
    String device();

    /** A zero-filled float buffer. */
    Tensor allocate(int length);

    void upload(Tensor dst, float[] src);

    void download(Tensor src, float[] dst);

    /**
     * Puts a data set on the device once; pixels are {@code count * features} bytes, labels {@code count}. The
     * arrays are the data set's own: a backend may keep references (the cpu backend does) but never writes them.
     */
    DeviceDataset upload(byte[] pixels, byte[] labels, int count, int features);

    IndexBuffer allocateIndices(int length);

    /** Replaces the whole index buffer's content (once per epoch). */
    void upload(IndexBuffer dst, int[] src);

    /**
     * Builds a batch: {@code x[r, :] = pixels[indices[offset + r], :] / 255} for {@code r < rows}.
     */
    void gather(DeviceDataset data, IndexBuffer indices, int offset, int rows, Tensor x);

    /** {@code y = x w^T + b}, then ReLU in place if {@code relu}. x is [rows, in], w [out, in], y [rows, out]. */
    void linearForward(Tensor x, Tensor w, Tensor b, Tensor y, int rows, int in, int out, boolean relu);

    /**
     * Backward of {@link #linearForward}. If {@code relu}, first masks {@code dy} in place where {@code y <= 0}.
     * Then writes {@code dw = dy^T x}, {@code db = sum over rows of dy}, and, unless {@code dx} is null,
     * {@code dx = dy w}. Gradients are overwritten, not accumulated.
     */
    void linearBackward(Tensor x, Tensor w, Tensor y, Tensor dy, Tensor dx, Tensor dw, Tensor db,
                        int rows, int in, int out, boolean relu);

    /**
     * Softmax + cross-entropy on logits [rows, classes] against the labels of the gathered samples. Adds the
     * summed loss to {@code metrics[0]} and the number of correct arg-max predictions to {@code metrics[1]}.
     * Unless {@code dLogits} is null, writes the gradient of the batch-mean loss: {@code (softmax - onehot) / rows}.
     */
    void softmaxCrossEntropy(Tensor logits, DeviceDataset data, IndexBuffer indices, int offset, int rows,
                             int classes, Tensor dLogits, Tensor metrics);

    /** {@code p -= lr * g} over the first n elements. */
    void sgdUpdate(Tensor p, Tensor g, int n, float lr);

    /** Frees every buffer this backend handed out. Using the backend afterwards is an error. */
    @Override
    void close();
}
