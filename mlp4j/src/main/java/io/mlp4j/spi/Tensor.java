package io.mlp4j.spi;

/** A float buffer owned by a backend (host memory for the CPU, device memory for the GPU backends). */
public interface Tensor {
    /**
     * Its size.
     *
     * @return number of floats
     */
    int length();
}
