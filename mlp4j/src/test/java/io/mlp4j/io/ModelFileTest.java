package io.mlp4j.io;

import io.mlp4j.spi.ModelData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelFileTest {

    @TempDir
    Path dir;

    /** A 3-layer model 5 -> 4 -> 3 -> 2 with random values, including awkward ones (-0, subnormals, extremes). */
    static ModelData model(Map<String, String> meta) {
        int[] sizes = {5, 4, 3, 2};
        Random r = new Random(7);
        float[][] w = new float[3][];
        float[][] b = new float[3][];
        for (int l = 0; l < 3; l++) {
            w[l] = new float[sizes[l + 1] * sizes[l]];
            b[l] = new float[sizes[l + 1]];
            for (int i = 0; i < w[l].length; i++) {
                w[l][i] = (float) r.nextGaussian();
            }
            for (int i = 0; i < b[l].length; i++) {
                b[l][i] = (float) r.nextGaussian();
            }
        }
        w[0][0] = -0f;
        w[0][1] = Float.MIN_VALUE;
        w[0][2] = Float.MAX_VALUE;
        w[0][3] = -Float.MAX_VALUE;
        return new ModelData(sizes, w, b, meta);
    }

    private Path written(String name) throws IOException {
        Path f = dir.resolve(name);
        ModelFile.write(f, model(Map.of("format", "mlp4j")));
        return f;
    }

    /** The header text (padding included) and the data bytes of a file. */
    private record Parts(String header, byte[] data) {
    }

    private static Parts parts(Path f) throws IOException {
        byte[] all = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(all, 8, (int) n, StandardCharsets.UTF_8);
        return new Parts(header, Arrays.copyOfRange(all, 8 + (int) n, all.length));
    }

    private static byte[] build(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(h.length).put(h).put(data).array();
    }

    /** Writes a valid file, applies {@code edit} to its header, and returns the read failure's message. */
    private String failureAfterEdit(String find, String replace) throws IOException {
        Path f = written("edit.safetensors");
        Parts p = parts(f);
        assertTrue(p.header().contains(find), "test bug: header lacks " + find + ": " + p.header());
        Files.write(f, build(p.header().replace(find, replace), p.data()));
        return failure(f);
    }

    private static String failure(Path f) {
        IOException e = assertThrows(IOException.class, () -> ModelFile.read(f));
        assertTrue(e.getMessage().contains(f.toString()), "message should name the file: " + e.getMessage());
        return e.getMessage();
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "expected '" + p + "' in: " + message);
        }
    }

    @Test
    void roundTripIsBitIdenticalAndKeepsMetadata() throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "mlp4j");
        meta.put("labels", "0,1");
        meta.put("tricky \"quoted\" \\ key", "line\nbreak\ttab \u0001 é 漢字 \uD83D\uDE00 /");
        meta.put("empty", "");
        ModelData m = model(meta);
        Path f = dir.resolve("m.safetensors");
        ModelFile.write(f, m);
        ModelData back = ModelFile.read(f);
        assertArrayEquals(m.layerSizes(), back.layerSizes());
        for (int l = 0; l < 3; l++) {
            assertEquals(m.weights()[l].length, back.weights()[l].length);
            for (int i = 0; i < m.weights()[l].length; i++) {
                assertEquals(Float.floatToRawIntBits(m.weights()[l][i]), Float.floatToRawIntBits(back.weights()[l][i]));
            }
            for (int i = 0; i < m.biases()[l].length; i++) {
                assertEquals(Float.floatToRawIntBits(m.biases()[l][i]), Float.floatToRawIntBits(back.biases()[l][i]));
            }
        }
        assertEquals(meta, back.metadata());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(f), s.collect(Collectors.toList()), "no temporary files are left behind");
        }
    }

    @Test
    void layoutIsSafetensorsWithTheTutorialsNames() throws IOException {
        Path f = dir.resolve("m.safetensors");
        ModelFile.write(f, model(Map.of()));
        byte[] all = Files.readAllBytes(f);
        Parts p = parts(f);
        assertEquals(0, (8 + p.header().getBytes(StandardCharsets.UTF_8).length) % 8, "data starts 8-aligned");
        assertTrue(p.header().startsWith("{"));
        assertTrue(p.header().endsWith("}") || p.header().endsWith(" "));
        assertTrue(!p.header().contains("__metadata__"), "empty metadata is left out");
        assertContains(p.header(),
                "\"linear1.weight\":{\"dtype\":\"F32\",\"shape\":[4,5],\"data_offsets\":[0,80]}",
                "\"linear1.bias\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[80,96]}",
                "\"linear2.weight\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[96,144]}",
                "\"linear3.bias\":{\"dtype\":\"F32\",\"shape\":[2]");
        // The first weight, little-endian float32 right after the header, row-major [out, in].
        ModelData m = model(Map.of());
        float w01 = ByteBuffer.wrap(all, all.length - p.data().length + 4 * 6, 4).order(ByteOrder.LITTLE_ENDIAN)
                .getFloat();
        assertEquals(m.weights()[0][6], w01); // row 1, column 1
        assertEquals(8 + p.header().length() + (20 + 4 + 12 + 3 + 6 + 2) * 4, all.length);
    }

    @Test
    void readsAFileWithoutMetadataAndInAnotherOrder() throws IOException {
        // As PyTorch might write it: no metadata, bias before weight, compact JSON, different key order.
        float[] w = {1, 2, 3, 4, 5, 6};
        float[] b = {0.5f, -0.5f};
        ByteBuffer data = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : b) {
            data.putFloat(v);
        }
        for (float v : w) {
            data.putFloat(v);
        }
        String header = "{\"linear1.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"linear1.weight\":{\"shape\":[2,3],\"dtype\":\"F32\",\"data_offsets\":[8,32]}}";
        Path f = dir.resolve("torch.safetensors");
        Files.write(f, build(header, data.array()));
        ModelData m = ModelFile.read(f);
        assertArrayEquals(new int[] {3, 2}, m.layerSizes());
        assertArrayEquals(w, m.weights()[0]);
        assertArrayEquals(b, m.biases()[0]);
        assertEquals(Map.of(), m.metadata());
    }

    @Test
    void refusesAHeaderLengthBeyondTheFile() throws IOException {
        Path f = dir.resolve("short.safetensors");
        Files.write(f, build("{}", new byte[0]));
        byte[] bytes = Files.readAllBytes(f);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1000);
        Files.write(f, bytes);
        assertContains(failure(f), "header length 1000", "past the end of the file");
    }

    @Test
    void refusesAnAbsurdHeaderLengthBeforeAllocating() throws IOException {
        Path f = dir.resolve("absurd.safetensors");
        Files.write(f, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(200_000_000L).array());
        assertContains(failure(f), "header length 200000000", "absurd");
        Files.write(f, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).array());
        assertContains(failure(f), "header length 18446744073709551615", "absurd");
    }

    @Test
    void refusesOtherFormatsWithAHint() throws IOException {
        Path zip = dir.resolve("model.pt");
        Files.write(zip, "PK\u0003\u0004 this is a zip archive, not safetensors".getBytes(StandardCharsets.ISO_8859_1));
        assertContains(failure(zip), "not a safetensors file", "PyTorch");
        Path json = dir.resolve("model.json");
        Files.writeString(json, "{\"linear1.weight\": {}}");
        assertContains(failure(json), "8-byte length");
    }

    @Test
    void refusesTinyAndEmptyFiles() throws IOException {
        Path f = dir.resolve("tiny.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        assertContains(failure(f), "3 bytes");
        Files.write(f, new byte[0]);
        assertContains(failure(f), "0 bytes");
        assertContains(failure(dir.resolve("absent.safetensors")), "no such");
    }

    @Test
    void refusesInvalidJson() throws IOException {
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, build("{\"linear1.weight\": {\"dtype\": \"F32\",}}", new byte[0]));
        assertContains(failure(f), "not valid JSON");
        Files.write(f, build("{\"a\":1} {\"b\":2}", new byte[0]));
        assertContains(failure(f), "not valid JSON", "after the end");
        Files.write(f, build("[1, 2, 3]", new byte[0]));
        assertContains(failure(f), "not a JSON object");
        Files.write(f, build("{\"a\":1,\"a\":2}", new byte[0]));
        assertContains(failure(f), "duplicate key");
        Files.write(f, build("[".repeat(100_000), new byte[0]));
        assertContains(failure(f), "nested deeper");
        byte[] notUtf8 = build("{\"x\":\"\u00ff\"}", new byte[0]);
        notUtf8[8 + 6] = (byte) 0xff;
        Files.write(f, notUtf8);
        assertContains(failure(f), "UTF-8");
    }

    @Test
    void refusesMissingAndUnknownTensors() throws IOException {
        assertContains(failureAfterEdit("\"linear2.bias\"", "\"fc2.bias\""), "unknown tensor 'fc2.bias'",
                "linear1.weight");
        assertContains(failureAfterEdit("\"linear2.bias\"", "\"linear02.bias\""), "unknown tensor 'linear02.bias'");
        // Renaming layer 2's pair leaves a gap: layer 2 is missing.
        assertContains(failureAfterEdit("\"linear2.weight\"", "\"linear7.weight\""), "missing tensor linear2.weight");
        assertContains(failureAfterEdit("\"linear3.bias\"", "\"linear4.bias\""), "missing tensor linear3.bias");
        Path f = dir.resolve("empty.safetensors");
        Files.write(f, build("{\"__metadata__\":{\"a\":\"b\"}}", new byte[0]));
        assertContains(failure(f), "no tensors");
    }

    @Test
    void refusesOtherDtypes() throws IOException {
        assertContains(failureAfterEdit("\"dtype\":\"F32\"", "\"dtype\":\"F16\""), "linear1.weight", "dtype F16",
                "only F32");
        assertContains(failureAfterEdit("\"dtype\":\"F32\",", ""), "no dtype");
    }

    @Test
    void refusesShapesThatDoNotChain() throws IOException {
        // linear2.weight [3,4] -> [4,3]: same byte count, but then linear2.bias [3] no longer fits it.
        assertContains(failureAfterEdit("\"shape\":[3,4]", "\"shape\":[4,3]"), "linear2.bias has shape [3]",
                "linear2.weight has 4 outputs");
        // 3 -> 2, then a layer taking 4 inputs.
        String header = "{\"linear1.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"linear1.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]},"
                + "\"linear2.weight\":{\"dtype\":\"F32\",\"shape\":[2,4],\"data_offsets\":[32,64]},"
                + "\"linear2.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[64,72]}}";
        Path f = dir.resolve("chain.safetensors");
        Files.write(f, build(header, new byte[72]));
        assertContains(failure(f), "do not chain", "linear2.weight [2, 4] takes 4 inputs", "linear1 produces 2");
        // bias of the wrong length (with data offsets still consistent is impossible: shape*4 differs).
        assertContains(failureAfterEdit("\"shape\":[4],\"data_offsets\":[80,96]", "\"shape\":[2,2],\"data_offsets\":[80,96]"),
                "linear1.bias", "a bias must be [out]");
        assertContains(failureAfterEdit("\"shape\":[4,5]", "\"shape\":[20]"), "linear1.weight", "must be [out, in]");
        assertContains(failureAfterEdit("\"shape\":[4,5]", "\"shape\":[4,-5]"), "non-negative integers");
        assertContains(failureAfterEdit("\"shape\":[4,5]", "\"shape\":[4,5.0]"), "non-negative integers");
        assertContains(failureAfterEdit("\"shape\":[4,5]", "\"shape\":\"4x5\""), "not an array");
    }

    @Test
    void refusesABiasThatDoesNotMatchItsWeight() throws IOException {
        // Two layers 3 -> 2 -> 2 whose first bias has 4 entries (the data offsets stay consistent).
        ByteBuffer data = ByteBuffer.allocate((6 + 4 + 4 + 2) * 4);
        String header = "{\"linear1.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"linear1.bias\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[24,40]},"
                + "\"linear2.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[40,56]},"
                + "\"linear2.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[56,64]}}";
        Path f = dir.resolve("bias.safetensors");
        Files.write(f, build(header, data.array()));
        assertContains(failure(f), "linear1.bias has shape [4]", "2 outputs");
    }

    @Test
    void refusesBadDataOffsets() throws IOException {
        assertContains(failureAfterEdit("[80,96]", "[80,100]"), "linear1.bias", "needs 16 bytes", "hold 20");
        assertContains(failureAfterEdit("[80,96]", "[96,80]"), "end before they begin");
        assertContains(failureAfterEdit("[80,96]", "[76,92]"), "overlap");
        assertContains(failureAfterEdit("[80,96]", "[84,100]"), "unused bytes 80..84");
        assertContains(failureAfterEdit("\"data_offsets\":[0,80]", "\"data_offsets\":[0,80,3]"), "3 entries instead of 2");
        assertContains(failureAfterEdit("[80,96]", "[100000,100016]"), "beyond", "truncated");
    }

    @Test
    void refusesTruncatedAndOverlongFiles() throws IOException {
        Path f = written("t.safetensors");
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length - 1));
        assertContains(failure(f), "linear3.bias", "beyond");
        Files.write(f, Arrays.copyOf(all, all.length + 4));
        assertContains(failure(f), "unexpected data after the last tensor");
        Files.write(f, Arrays.copyOf(all, 20));
        assertContains(failure(f), "past the end of the file");
    }

    @Test
    void refusesNaNAndInfinity() throws IOException {
        Path f = written("nan.safetensors");
        Parts p = parts(f);
        byte[] data = p.data().clone();
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putFloat(4 * 7, Float.NaN); // linear1.weight row 1, col 2
        Files.write(f, build(p.header(), data));
        assertContains(failure(f), "linear1.weight", "NaN", "row 1, column 2", "corrupt");
        data = p.data().clone();
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putFloat(80 + 4, Float.NEGATIVE_INFINITY);
        Files.write(f, build(p.header(), data));
        assertContains(failure(f), "linear1.bias", "-Infinity", "index 1");
    }

    @Test
    void refusesBadMetadata() throws IOException {
        assertContains(failureAfterEdit("\"__metadata__\":{\"format\":\"mlp4j\"}", "\"__metadata__\":{\"format\":1}"),
                "__metadata__", "not a string");
        assertContains(failureAfterEdit("\"__metadata__\":{\"format\":\"mlp4j\"}", "\"__metadata__\":[]"),
                "__metadata__ must be a JSON object");
    }

    @Test
    void writeRefusesInconsistentOrNonFiniteModels() {
        Path f = dir.resolve("x.safetensors");
        ModelData good = model(Map.of());
        float[][] w = good.weights().clone();
        w[1] = Arrays.copyOf(w[1], w[1].length - 1);
        assertThrows(IllegalArgumentException.class,
                () -> ModelFile.write(f, new ModelData(good.layerSizes(), w, good.biases(), Map.of())));
        float[][] nan = good.weights().clone();
        nan[2] = nan[2].clone();
        nan[2][3] = Float.NaN;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFile.write(f, new ModelData(good.layerSizes(), nan, good.biases(), Map.of())));
        assertContains(e.getMessage(), "linear3.weight", "NaN");
        assertTrue(!Files.exists(f));
    }

    @Test
    void aFailedWriteLeavesTheOldFileIntact() throws IOException {
        Path f = written("keep.safetensors");
        byte[] before = Files.readAllBytes(f);
        ModelData other = new ModelData(new int[] {2, 1}, new float[][] {{1, 2}}, new float[][] {{3}}, Map.of());
        Path[] seen = new Path[1];
        IOException e = assertThrows(IOException.class, () -> ModelFile.write(f, other, temp -> {
            seen[0] = temp;
            assertTrue(Files.size(temp) > 8, "the temporary file holds the new model");
            throw new IOException("disk full (simulated)");
        }));
        assertEquals("disk full (simulated)", e.getMessage());
        assertEquals(f.getParent(), seen[0].getParent(), "the temporary file lies beside the target");
        assertArrayEquals(before, Files.readAllBytes(f));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(f), s.collect(Collectors.toList()), "the temporary file is deleted");
        }
        // A successful write then replaces it.
        ModelFile.write(f, other);
        assertArrayEquals(new int[] {2, 1}, ModelFile.read(f).layerSizes());
    }

    @Test
    void aRenameThatFailsLeavesNoTemporaryFile() throws IOException {
        Path target = dir.resolve("occupied");
        Files.createDirectories(target.resolve("child"));
        assertThrows(IOException.class, () -> ModelFile.write(target, model(Map.of())));
        assertTrue(Files.isDirectory(target.resolve("child")));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(target), s.collect(Collectors.toList()));
        }
    }

    @Test
    void readsFromBytesAndChannelsLikeFromAFile() throws IOException {
        Path f = written("m.safetensors");
        byte[] bytes = Files.readAllBytes(f);
        ModelData fromFile = ModelFile.read(f);
        ModelData fromBytes = ModelFile.read("in memory", bytes);
        ModelData fromChannel;
        try (var ch = Files.newByteChannel(f)) {
            ch.position(13); // reads by absolute position, wherever the channel stands
            fromChannel = ModelFile.read("a channel", ch);
        }
        for (ModelData m : List.of(fromBytes, fromChannel)) {
            assertArrayEquals(fromFile.layerSizes(), m.layerSizes());
            for (int l = 0; l < 3; l++) {
                assertArrayEquals(fromFile.weights()[l], m.weights()[l]);
                assertArrayEquals(fromFile.biases()[l], m.biases()[l]);
            }
            assertEquals(fromFile.metadata(), m.metadata());
        }
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 3);
        IOException e = assertThrows(IOException.class, () -> ModelFile.read("resource /x.safetensors", truncated));
        assertTrue(e.getMessage().startsWith("resource /x.safetensors: "), e.getMessage());
    }
}
