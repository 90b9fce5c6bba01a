package io.mlp4j.io;

import io.mlp4j.spi.ModelData;
import io.mlp4j.fuzz.Fuzzer;
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

/**
 * Hostile model files and headers, each refused with an IOException naming the file, without a stack overflow
 * and without allocating more than the file's size warrants; and the chunked reading of large tensors.
 */
class ModelFileRegressionTest {

    @TempDir
    Path dir;

    private static byte[] safetensors(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length)
                .put(h).put(data).array();
    }

    /** Reads {@code f}, which must be refused naming it; returns the bytes allocated meanwhile. */
    private static long refusal(Path f, String part) {
        long before = Fuzzer.allocatedBytes();
        IOException e = assertThrows(IOException.class, () -> ModelFile.read(f));
        long allocated = Fuzzer.allocatedBytes() - before;
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(part), () -> "'" + part + "' not in: " + e.getMessage());
        return allocated;
    }

    @Test
    void deepNestingIsASyntaxErrorNotAStackOverflow() throws IOException {
        for (String open : new String[] {"[", "{\"a\":"}) {
            String deep = "{\"x\":" + open.repeat(200_000);
            Path f = dir.resolve("deep.safetensors");
            Files.write(f, safetensors(deep, new byte[0]));
            refusal(f, "nested deeper than " + Json.MAX_DEPTH);
            Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse(deep));
            assertTrue(e.getMessage().contains("nested deeper"), e.getMessage());
        }
        // Exactly at the limit still parses.
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertDoesNotThrowParse(ok);
    }

    private static void assertDoesNotThrowParse(String text) {
        try {
            Json.parse(text);
        } catch (Json.ParseException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void headerLengthsOfGigabytesAreRefusedBeforeAllocating() throws IOException {
        warmUp();
        for (long claimed : new long[] {10_000_000_000L, ModelFile.MAX_HEADER_BYTES + 1, -1L, Long.MIN_VALUE,
            1L << 32}) {
            byte[] b = safetensors("{}", new byte[64]);
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, claimed);
            Path f = dir.resolve("huge-header.safetensors");
            Files.write(f, b);
            long allocated = refusal(f, "header length");
            assertTrue(allocated < 1 << 20, "allocated " + allocated + " bytes to refuse header length " + claimed);
        }
        // Within the limit but beyond the file: refused by the file's size, before reading.
        byte[] b = safetensors("{}", new byte[0]);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, ModelFile.MAX_HEADER_BYTES);
        Path f = dir.resolve("past-end.safetensors");
        Files.write(f, b);
        long allocated = refusal(f, "runs past the end of the file");
        assertTrue(allocated < 1 << 20, "allocated " + allocated);
    }

    @Test
    void tensorsClaimingMoreThanTheFileAreRefusedBeforeAllocating() throws IOException {
        warmUp();
        String[] headers = {
            "{\"linear1.weight\":{\"dtype\":\"F32\",\"shape\":[65536,32768],\"data_offsets\":[0,8589934592]},"
                + "\"linear1.bias\":{\"dtype\":\"F32\",\"shape\":[65536],\"data_offsets\":[8589934592,8590196736]}}",
            "{\"linear1.weight\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,16]}}",
            "{\"linear1.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,9223372036854775807]}}",
        };
        String[] parts = {"beyond the", "more than 2^63", "beyond the"};
        for (int i = 0; i < headers.length; i++) {
            Path f = dir.resolve("claims-" + i + ".safetensors");
            Files.write(f, safetensors(headers[i], new byte[16]));
            long allocated = refusal(f, parts[i]);
            assertTrue(allocated < 1 << 20, "allocated " + allocated + " bytes to refuse a claim of gigabytes");
        }
    }

    /** Loads the classes a read uses (their loading counts as allocation) by reading a good and a bad file. */
    private void warmUp() throws IOException {
        Path f = dir.resolve("warm.safetensors");
        ModelFile.write(f, ModelFileTest.model(Map.of("format", "mlp4j")));
        ModelFile.read(f);
        Files.write(f, safetensors("{\"x\":1}", new byte[0]));
        assertThrows(IOException.class, () -> ModelFile.read(f));
    }

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
        refusal(f, "row " + at / in + ", column " + at % in);
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
        byte[] h = safetensors(header, new byte[0]);
        Path f = dir.resolve("2gib.safetensors");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(h));
            // The last weight, then the biases; everything between is a hole (zeros).
            ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, 3.5f), h.length + bytes - 4);
            ch.write(ByteBuffer.allocate(64), h.length + bytes);
        }
        ModelData m = ModelFile.read(f);
        assertEquals(floats, m.weights()[0].length);
        assertEquals(3.5f, m.weights()[0][(int) floats - 1]);
        assertEquals(0f, m.weights()[0][(int) floats / 2]);
    }
}
