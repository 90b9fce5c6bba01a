package io.mlp4j.backend;

/** A float buffer owned by a backend (host memory for the CPU, device memory for the GPU backends). */
public interface Tensor {
    /** Number of floats. */
    int length();
}
