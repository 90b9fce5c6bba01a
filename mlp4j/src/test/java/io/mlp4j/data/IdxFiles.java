package io.mlp4j.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPOutputStream;

/** Builds IDX files in memory for tests. */
public final class IdxFiles {

    private IdxFiles() {
    }

    /** An IDX file: the magic, one big-endian size per dimension, then the data. */
    public static byte[] idx(int magic, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.put(data).array();
    }

    /** {@code count} images of {@code rows x cols}; pixel j of image i is {@code (i * 7 + j) & 0xFF}. */
    static byte[] images(int count, int rows, int cols) {
        byte[] px = new byte[count * rows * cols];
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < rows * cols; j++) {
                px[i * rows * cols + j] = (byte) (i * 7 + j);
            }
        }
        return idx(0x803, new int[] {count, rows, cols}, px);
    }

    /** {@code count} labels, {@code i % 10}. */
    static byte[] labels(int count) {
        byte[] lb = new byte[count];
        for (int i = 0; i < count; i++) {
            lb[i] = (byte) (i % 10);
        }
        return idx(0x801, new int[] {count}, lb);
    }

    public static byte[] gzip(byte[] raw) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(raw);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
