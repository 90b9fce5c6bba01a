package io.mlp4j.spi;

/**
 * The device operations the training loop is written over. One implementation per backend; the {@code cpu}
 * backend is the reference every other one is tested against ({@link OperationCheck} holds the scalar reference
 * and the tolerance every backend must meet).
 *
 * <p>Conventions: every matrix is row-major; a layer's weight is {@code [out, in]} like PyTorch's
 * {@code nn.Linear}; {@code rows} is the number of samples in the batch. Buffers are allocated once and reused;
 * no operation allocates. Closing the backend frees every buffer it handed out. A backend is used by one thread
 * at a time.
 */
public interface Backend extends AutoCloseable {

    /**
     * The name configuration uses for it ({@code mlp4j.backend}).
     *
     * @return e.g. {@code cpu}, {@code aparapi}, {@code cublas}
     */
    String name();

    /**
     * The device it computes on, in words.
     *
     * @return e.g. "NVIDIA H100 (OpenCL 3.0)", "CPU, 2 threads, Vector API"
     */
    String device();

    /**
     * A zero-filled float buffer.
     *
     * @param length number of floats
     * @return the buffer, owned by this backend
     */
    Tensor allocate(int length);

    /**
     * Copies host floats into the start of a buffer.
     *
     * @param dst a buffer of this backend, at least {@code src.length} long
     * @param src the values
     */
    void upload(Tensor dst, float[] src);

    /**
     * Copies the start of a buffer to the host; waits for every operation queued before.
     *
     * @param src a buffer of this backend, at least {@code dst.length} long
     * @param dst receives the values
     */
    void download(Tensor src, float[] dst);

    /**
     * Puts a data set on the device once. The arrays are the data set's own: a backend may keep references (the
     * cpu backend does) but never writes them.
     *
     * @param pixels   {@code count * features} bytes, one row per sample
     * @param labels   {@code count} class numbers
     * @param count    number of samples
     * @param features bytes per sample
     * @return the device-resident data set
     */
    DeviceDataset upload(byte[] pixels, byte[] labels, int count, int features);

    /**
     * A buffer of sample indices.
     *
     * @param length number of indices
     * @return the buffer, owned by this backend
     */
    IndexBuffer allocateIndices(int length);

    /**
     * Replaces an index buffer's content (once per epoch).
     *
     * @param dst a buffer of this backend, at least {@code src.length} long
     * @param src the indices
     */
    void upload(IndexBuffer dst, int[] src);

    /**
     * Builds a batch: {@code x[r, :] = pixels[indices[offset + r], :] / 255} for {@code r < rows}, each value
     * exactly {@code (pixel & 0xFF) * (1f / 255f)}.
     *
     * @param data    the data set
     * @param indices the sample order
     * @param offset  first position in {@code indices}
     * @param rows    batch size
     * @param x       receives {@code [rows, features]}
     */
    void gather(DeviceDataset data, IndexBuffer indices, int offset, int rows, Tensor x);

    /**
     * {@code y = x w^T + b}, then ReLU in place if {@code relu}.
     *
     * @param x    {@code [rows, in]}
     * @param w    {@code [out, in]}
     * @param b    {@code [out]}
     * @param y    receives {@code [rows, out]}
     * @param rows batch size
     * @param in   inputs per sample
     * @param out  outputs per sample
     * @param relu whether to apply ReLU
     */
    void linearForward(Tensor x, Tensor w, Tensor b, Tensor y, int rows, int in, int out, boolean relu);

    /**
     * Backward of {@link #linearForward}. If {@code relu}, first masks {@code dy} in place where {@code y <= 0}.
     * Then writes {@code dw = dy^T x}, {@code db = sum over rows of dy}, and, unless {@code dx} is null,
     * {@code dx = dy w}. Gradients are overwritten, not accumulated.
     *
     * @param x    the layer's input {@code [rows, in]}
     * @param w    {@code [out, in]}
     * @param y    the layer's output {@code [rows, out]} (read only for the ReLU mask)
     * @param dy   gradient of the output {@code [rows, out]}, masked in place with {@code relu}
     * @param dx   receives the gradient of the input {@code [rows, in]}, or null (first layer)
     * @param dw   receives {@code [out, in]}
     * @param db   receives {@code [out]}
     * @param rows batch size
     * @param in   inputs per sample
     * @param out  outputs per sample
     * @param relu whether the forward pass applied ReLU
     */
    void linearBackward(Tensor x, Tensor w, Tensor y, Tensor dy, Tensor dx, Tensor dw, Tensor db,
                        int rows, int in, int out, boolean relu);

    /**
     * Softmax + cross-entropy on logits against the labels of the gathered samples. Adds the summed loss to
     * {@code metrics[0]} and the number of correct arg-max predictions to {@code metrics[1]}. Unless
     * {@code dLogits} is null, writes the gradient of the batch-mean loss: {@code (softmax - onehot) / rows}.
     *
     * @param logits  {@code [rows, classes]}
     * @param data    the data set whose labels are read
     * @param indices the sample order of the batch
     * @param offset  first position in {@code indices}
     * @param rows    batch size
     * @param classes number of classes
     * @param dLogits receives {@code [rows, classes]}, or null (evaluation)
     * @param metrics two floats, added to
     */
    void softmaxCrossEntropy(Tensor logits, DeviceDataset data, IndexBuffer indices, int offset, int rows,
                             int classes, Tensor dLogits, Tensor metrics);

    /**
     * {@code p -= lr * g} over the first n elements; the rest of {@code p} is left as it is.
     *
     * @param p  parameters
     * @param g  gradients
     * @param n  number of elements
     * @param lr learning rate
     */
    void sgdUpdate(Tensor p, Tensor g, int n, float lr);

    /** Frees every buffer this backend handed out. Using the backend afterwards is an error. */
    @Override
    void close();
}
