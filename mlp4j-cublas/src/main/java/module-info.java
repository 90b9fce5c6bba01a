/**
 * The cublas backend of mlp4j: NVIDIA GPUs through cuBLAS and CUDA kernels compiled at start-up by NVRTC, via
 * JavaCPP's CUDA presets. On the module path beside {@code io.mlp4j}, it is found as a service:
 * {@code -Dmlp4j.backend=cublas}, or {@code auto} where a CUDA device answers. The CUDA 13 libraries come from the
 * system; JavaCPP's natives jars (modules {@code org.bytedeco.cuda.linux.x86_64},
 * {@code org.bytedeco.javacpp.linux.x86_64}) must be added to the module graph. Exports nothing.
 */
module io.mlp4j.cublas {
    requires io.mlp4j;
    requires org.bytedeco.cuda;

    provides io.mlp4j.spi.BackendProvider with io.mlp4j.cublas.CublasProvider;
}
