/**
 * The aparapi backend of mlp4j: OpenCL kernels written in Java and translated by Aparapi, on any OpenCL device
 * (an NVIDIA, AMD or Intel GPU, or PoCL on the CPU). On the module path beside {@code io.mlp4j}, it is found as a
 * service: {@code -Dmlp4j.backend=aparapi}, or {@code auto} on an OpenCL GPU. Exports nothing.
 */
module io.mlp4j.aparapi {
    requires io.mlp4j;
    requires aparapi;
    requires java.management; // which garbage collector runs: Serial and Parallel would move the device arena

    provides io.mlp4j.spi.BackendProvider with io.mlp4j.aparapi.AparapiProvider;

    // Aparapi reads kernel fields reflectively.
    opens io.mlp4j.aparapi to aparapi;
}
