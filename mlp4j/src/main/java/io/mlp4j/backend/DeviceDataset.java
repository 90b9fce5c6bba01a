package io.mlp4j.backend;

/** A data set resident on the device: uint8 pixels (row-major, one row per sample) and uint8 labels. */
public interface DeviceDataset {
    int count();

    int features();
}
