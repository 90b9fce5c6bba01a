/**
 * mlp4j: train and run multi-layer perceptrons on the CPU, on OpenCL devices (Aparapi) and on NVIDIA GPUs (cuBLAS).
 *
 * <p>Only {@code io.mlp4j} (Trainer, Classifier and their small value types), {@code io.mlp4j.data}
 * (IDX files, MNIST, data sets) and {@code io.mlp4j.spi} (what a module that adds a model file format
 * implements) are exported. Backends, kernels and the safetensors format stay inside.
 * Aparapi, JavaCPP's CUDA and the Vector API are optional: each backend lights up when its modules are
 * resolved and its device answers, and reports why not otherwise.
 */
module io.mlp4j {
    requires static jdk.incubator.vector;
    requires static aparapi;
    requires static org.bytedeco.cuda;
    requires static java.management; // only to check which garbage collector the Aparapi backend runs under

    exports io.mlp4j;
    exports io.mlp4j.data;
    exports io.mlp4j.spi;

    // Model file formats in modules of their own (ONNX: io.mlp4j.onnx), found when present.
    uses io.mlp4j.spi.ModelFormat;

    // Aparapi reads kernel fields reflectively.
    opens io.mlp4j.backend.aparapi to aparapi;
}
