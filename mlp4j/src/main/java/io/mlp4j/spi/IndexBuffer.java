package io.mlp4j.spi;

/** Sample indices on the device: one epoch's shuffled order (or 0..n-1 for evaluation). */
public interface IndexBuffer {
    /**
     * Its size.
     *
     * @return number of indices
     */
    int length();
}
