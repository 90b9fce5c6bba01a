package io.mlp4j.backend;

/** Sample indices on the device: one epoch's shuffled order (or 0..n-1 for evaluation). */
public interface IndexBuffer {
    int length();
}
