/**
 * mlp4j: train and run multi-layer perceptrons on the CPU, on OpenCL devices (Aparapi) and on NVIDIA GPUs (cuBLAS).
 *
 * <p>Exported: {@code io.mlp4j} (Trainer, Classifier and their small value types), {@code io.mlp4j.data}
 * (IDX files, MNIST, data sets) and {@code io.mlp4j.spi} (what a module implements that adds a backend or a model
 * file format). The cpu backend, kernels and the safetensors format stay inside. Backends are service providers:
 * this module provides {@code cpu}; {@code io.mlp4j.aparapi} and {@code io.mlp4j.cublas} provide the GPU
 * backends. The Vector API is optional: the cpu backend uses it when it is resolved, plain loops otherwise.
 */
module io.mlp4j {
    requires static jdk.incubator.vector;

    exports io.mlp4j;
    exports io.mlp4j.data;
    exports io.mlp4j.spi;

    // Backends, each in a module of its own except the cpu reference; mlp4j.backend picks one by name.
    uses io.mlp4j.spi.BackendProvider;
    provides io.mlp4j.spi.BackendProvider with io.mlp4j.backend.cpu.CpuProvider;

    // Model file formats in modules of their own (ONNX: io.mlp4j.onnx), found when present.
    uses io.mlp4j.spi.ModelFormat;
}
