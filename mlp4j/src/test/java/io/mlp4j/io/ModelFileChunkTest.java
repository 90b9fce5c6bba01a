package io.mlp4j.io;

import io.mlp4j.spi.ModelData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Tensors are read in chunks: values at the seams, faults found after a seam, tensors of more than 2 GiB. */
class ModelFileChunkTest {

    @TempDir
    Path dir;

    /** A tensor that spans several read chunks comes back bit for bit, including the values at the seams. */
    @Test
    void tensorsLargerThanOneReadChunkRoundTrip() throws IOException {
        int in = 1000;
        int out = ModelFile.CHUNK_FLOATS / in * 3 + 7; // about 3 chunks, not a multiple of the chunk
        float[] w = new float[in * out];
        for (int i = 0; i < w.length; i++) {
            w[i] = Float.intBitsToFloat(0x3f000000 + i * 7);
        }
        float[] b = new float[out];
        b[out - 1] = -2f;
        Path f = dir.resolve("big.safetensors");
        ModelFile.write(f, new ModelData(new int[] {in, out}, new float[][] {w}, new float[][] {b}, Map.of()));
        ModelData back = ModelFile.read(f);
        assertArrayEquals(w, back.weights()[0]);
        assertArrayEquals(b, back.biases()[0]);
        // A NaN right after a seam is still found, and named at its row and column.
        int at = ModelFile.CHUNK_FLOATS * 2 + 1;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            long n = Files.size(f) - 4L * w.length - 4L * b.length - 8;
            ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, Float.NaN), 8 + n + 4L * at);
        }
        IOException e = assertThrows(IOException.class, () -> ModelFile.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("row " + at / in + ", column " + at % in), e.getMessage());
    }

    /**
     * A tensor of more than 2^29 floats (2 GiB of data) used to overflow the byte count of the single read
     * ({@code count * 4} as an int: an IllegalArgumentException from ByteBuffer.allocate); it is read in chunks
     * now. Needs a 2 GiB sparse file and about 2.2 GiB of heap: run with {@code -Dmlp4j.bigmem=true}.
     */
    @Test
    void aTensorOfMoreThan2GiBLoads() throws IOException {
        assumeTrue(Boolean.getBoolean("mlp4j.bigmem"), "needs -Dmlp4j.bigmem=true (2 GiB sparse file, 2.2 GiB heap)");
        long floats = (1L << 29) + 16;
        long bytes = 4 * floats;
        String header = "{\"linear1.weight\":{\"dtype\":\"F32\",\"shape\":[16," + floats / 16 + "],\"data_offsets\":[0,"
                + bytes + "]},\"linear1.bias\":{\"dtype\":\"F32\",\"shape\":[16],\"data_offsets\":[" + bytes + ","
                + (bytes + 64) + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Path f = dir.resolve("2gib.safetensors");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h).flip());
            // The last weight, then the biases; everything between is a hole (zeros).
            long data = 8 + h.length;
            ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, 3.5f), data + bytes - 4);
            ch.write(ByteBuffer.allocate(64), data + bytes);
        }
        ModelData m = ModelFile.read(f);
        assertEquals(floats, m.weights()[0].length);
        assertEquals(3.5f, m.weights()[0][(int) floats - 1]);
        assertEquals(0f, m.weights()[0][(int) floats / 2]);
    }
}
