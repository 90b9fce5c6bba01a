package io.mlp4j.spi;

/** A data set resident on the device: uint8 pixels (row-major, one row per sample) and uint8 labels. */
public interface DeviceDataset {
    /**
     * Its size.
     *
     * @return number of samples
     */
    int count();

    /**
     * The width of a row.
     *
     * @return bytes per sample
     */
    int features();
}
