package io.mlp4j.io;

import io.mlp4j.spi.ModelData;
import io.mlp4j.Classifier;
import io.mlp4j.Network;
import io.mlp4j.fuzz.Fuzzer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the safetensors reader ({@link ModelFile#read}) and its JSON parser ({@link Json#parse}): any input
 * gives a valid result or an {@link IOException} naming the file ({@link Json.ParseException} for the parser
 * alone), with allocation bounded by a multiple of the input's size. Accepted models must survive a round trip
 * through {@link ModelFile#write}; accepted JSON must survive a round trip through a serialiser of our own.
 * See {@link Fuzzer}; {@code -Dmlp4j.fuzz.seconds=600} for a long run.
 */
@Tag("fuzz")
class ModelFileFuzzTest {

    private static final double SECONDS = Fuzzer.seconds(6);

    /**
     * Allocation allowed per input byte. JSON values expand on parsing: {@code "{}"} (3 bytes with its comma)
     * becomes a LinkedHashMap of about 56 bytes, a digit a boxed Long plus a list slot; the header is also held as
     * bytes, as a decoded CharBuffer and as a String. 64 covers the worst of these with room to spare.
     */
    private static final long PER_BYTE = 64;
    private static final long FIXED = 256 << 10;

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ a JSON writer of our own

    /** Serialises what {@link Json#parse} returns, for round trips and structure-aware mutations. */
    static String toJson(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v) {
        if (v instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.append(first ? "" : ",").append(Json.quote((String) e.getKey())).append(':');
                write(b, e.getValue());
                first = false;
            }
            b.append('}');
        } else if (v instanceof List<?> l) {
            b.append('[');
            for (int i = 0; i < l.size(); i++) {
                b.append(i == 0 ? "" : ",");
                write(b, l.get(i));
            }
            b.append(']');
        } else if (v instanceof String s) {
            b.append(Json.quote(s));
        } else if (v == Json.NULL) {
            b.append("null");
        } else if (v instanceof Double d) {
            b.append(Double.isFinite(d) ? d.toString() : "1e999");
        } else {
            b.append(v); // Long, Boolean
        }
    }

    // ------------------------------------------------------------------ seeds and structure-aware mutation

    private static byte[] fileBytes(Path dir, String name, ModelData m) throws IOException {
        Path f = dir.resolve(name);
        ModelFile.write(f, m);
        return Files.readAllBytes(f);
    }

    private static ModelData model(int[] sizes, long seed, Map<String, String> meta) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] w = new float[sizes.length - 1][];
        float[][] b = new float[sizes.length - 1][];
        for (int l = 0; l < w.length; l++) {
            w[l] = new float[sizes[l] * sizes[l + 1]];
            b[l] = new float[sizes[l + 1]];
            for (int i = 0; i < w[l].length; i++) {
                w[l][i] = (float) r.nextGaussian();
            }
            for (int i = 0; i < b[l].length; i++) {
                b[l][i] = (float) r.nextGaussian();
            }
        }
        return new ModelData(sizes, w, b, meta);
    }

    /** The parts of a safetensors file, as far as they can be found. */
    private record Parts(String header, byte[] data) {
        static Parts of(byte[] file) {
            if (file.length < 8) {
                return null;
            }
            long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (n < 0 || n > file.length - 8) {
                return null;
            }
            return new Parts(new String(file, 8, (int) n, StandardCharsets.UTF_8),
                    Arrays.copyOfRange(file, 8 + (int) n, file.length));
        }

        byte[] bytes(long claimedLength) {
            byte[] h = header.getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
            return b.putLong(claimedLength < 0 ? h.length : claimedLength).put(h).put(data).array();
        }
    }

    private static final Object[] INTERESTING_VALUES = {0L, 1L, -1L, 2L, 3L, 4L, 5L, 7L, 8L, 16L, 20L, 24L,
        0x7fffffffL, 0x80000000L, 0x7ffffff7L, 1L << 31 << 2, Long.MAX_VALUE, Long.MIN_VALUE, 1.5, -0.0, 1e300,
        "F32", "F16", "F64", "I32", "", "linear1.weight", Json.NULL, Boolean.TRUE};

    /** Mutates the JSON tree of a header: values, keys, types, shapes, offsets, nesting; then re-serialises. */
    static byte[] mutateHeader(byte[] file, SplittableRandom r) {
        Parts p = Parts.of(file);
        if (p == null) {
            return null;
        }
        Object tree;
        try {
            tree = Json.parse(p.header());
        } catch (Json.ParseException e) {
            return null;
        }
        tree = mutateTree(tree, r, 0);
        String text = toJson(tree);
        if (r.nextBoolean()) {
            text = text + " ".repeat((8 - text.length() % 8) % 8);
        }
        byte[] data = p.data();
        switch (r.nextInt(8)) {
            case 0 -> data = Arrays.copyOf(data, Math.max(0, data.length - 4 * (1 + r.nextInt(4))));
            case 1 -> data = Arrays.copyOf(data, data.length + 4 * (1 + r.nextInt(4)));
            case 2 -> { // a NaN or infinity somewhere in the data
                if (data.length >= 4) {
                    int at = 4 * r.nextInt(data.length / 4);
                    ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putFloat(at,
                            r.nextBoolean() ? Float.NaN : Float.NEGATIVE_INFINITY);
                }
            }
            default -> { }
        }
        long claimed = r.nextInt(6) == 0 ? r.nextInt(Math.max(1, text.length() + 16)) : -1;
        return new Parts(text, data).bytes(claimed);
    }

    @SuppressWarnings("unchecked")
    private static Object mutateTree(Object v, SplittableRandom r, int depth) {
        if (v instanceof Map<?, ?> m0 && !m0.isEmpty() && r.nextInt(3) != 0) {
            Map<String, Object> m = new LinkedHashMap<>((Map<String, Object>) m0);
            List<String> keys = new ArrayList<>(m.keySet());
            String key = keys.get(r.nextInt(keys.size()));
            switch (r.nextInt(6)) {
                case 0 -> m.remove(key);
                case 1 -> { // rename: another layer number, another role, the metadata key, garbage
                    Object val = m.remove(key);
                    String[] names = {"linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias",
                        "linear3.weight", "linear3.bias", "linear999999999.weight", "linear0.weight",
                        "__metadata__", "dtype", "shape", "data_offsets", "linear01.bias", "x"};
                    m.put(names[r.nextInt(names.length)], val);
                }
                case 2 -> m.put(key, INTERESTING_VALUES[r.nextInt(INTERESTING_VALUES.length)]);
                case 3 -> m.put(key, List.of(m.get(key)));
                default -> m.put(key, mutateTree(m.get(key), r, depth + 1));
            }
            return m;
        }
        if (v instanceof List<?> l0 && r.nextInt(3) != 0) {
            List<Object> l = new ArrayList<>(l0);
            switch (r.nextInt(5)) {
                case 0 -> {
                    if (!l.isEmpty()) {
                        l.remove(r.nextInt(l.size()));
                    }
                }
                case 1 -> l.add(r.nextInt(l.size() + 1), INTERESTING_VALUES[r.nextInt(INTERESTING_VALUES.length)]);
                case 2 -> { // swap two entries (e.g. [out, in] or [begin, end])
                    if (l.size() >= 2) {
                        Object t = l.get(0);
                        l.set(0, l.get(l.size() - 1));
                        l.set(l.size() - 1, t);
                    }
                }
                default -> {
                    if (!l.isEmpty()) {
                        int i = r.nextInt(l.size());
                        l.set(i, mutateTree(l.get(i), r, depth + 1));
                    }
                }
            }
            return l;
        }
        if (v instanceof Long n) {
            return switch (r.nextInt(4)) {
                case 0 -> n + r.nextInt(9) - 4;
                case 1 -> n * 4;
                case 2 -> n / 4;
                default -> INTERESTING_VALUES[r.nextInt(16)];
            };
        }
        if (depth < 3 && r.nextInt(8) == 0) { // deep nesting in place of a value
            Object deep = v;
            for (int i = 0, n = 1 + r.nextInt(80); i < n; i++) {
                deep = r.nextBoolean() ? List.of(deep) : Map.of("a", deep);
            }
            return deep;
        }
        return INTERESTING_VALUES[r.nextInt(INTERESTING_VALUES.length)];
    }

    // ------------------------------------------------------------------ targets

    /** {@link ModelFile#read} on a file; accepted models are checked and written back. */
    final class ModelFileTarget implements Fuzzer.Target {
        private final Path file = dir.resolve("fuzz-model.safetensors");
        private final Path again = dir.resolve("fuzz-again.safetensors");
        private final List<byte[]> seeds = new ArrayList<>();

        ModelFileTarget() throws IOException {
            seeds.add(fileBytes(dir, "s1", model(new int[] {4, 3, 2}, 1, Map.of())));
            seeds.add(fileBytes(dir, "s2", model(new int[] {5, 2}, 2, Map.of("format", "mlp4j", "labels", "a,b"))));
            seeds.add(fileBytes(dir, "s3", model(new int[] {6, 5, 4, 3}, 3,
                    Map.of("format", "mlp4j", "format_version", "1", "network", "6-5-4-3", "note", "ünïcode \"q\""))));
        }

        @Override
        public String name() {
            return "ModelFile.read";
        }

        @Override
        public List<byte[]> seeds() {
            return seeds;
        }

        @Override
        public byte[] mutate(byte[] input, SplittableRandom r) {
            return r.nextInt(4) == 0 ? null : mutateHeader(input, r);
        }

        @Override
        public String run(byte[] input) throws Exception {
            Fuzzer.write(file, input);
            ModelData m = ModelFile.read(file);
            int[] s = m.layerSizes();
            assertEquals(s.length - 1, m.weights().length);
            assertEquals(s.length - 1, m.biases().length);
            for (int l = 0; l < s.length - 1; l++) {
                assertTrue(s[l] > 0 && s[l + 1] > 0);
                assertEquals((long) s[l] * s[l + 1], m.weights()[l].length);
                assertEquals(s[l + 1], m.biases()[l].length);
            }
            // A round trip keeps every value (bit for bit) and the metadata.
            ModelFile.write(again, m);
            ModelData back = ModelFile.read(again);
            assertArrayEquals(s, back.layerSizes());
            for (int l = 0; l < s.length - 1; l++) {
                assertArrayEquals(m.weights()[l], back.weights()[l]);
                assertArrayEquals(m.biases()[l], back.biases()[l]);
            }
            assertEquals(m.metadata(), back.metadata());
            // The public API on the same file: a classifier, or an IOException naming the file (labels).
            try {
                Classifier c = Classifier.load(file);
                assertEquals(Network.of(s), c.network());
            } catch (IOException e) {
                if (!acceptable(e)) {
                    throw new AssertionError("Classifier.load: " + e, e);
                }
                return s.length + " sizes, classifier refused";
            }
            return s.length + " sizes";
        }

        @Override
        public long allowedBytes(byte[] input) {
            // The accepted case reads the model twice (the round trip) and writes it once.
            return 3 * PER_BYTE * input.length + FIXED;
        }

        @Override
        public boolean acceptable(Throwable t) {
            return t instanceof IOException && t.getMessage() != null && t.getMessage().contains(file.toString());
        }
    }

    /** {@link Json#parse} alone, on text; accepted values must survive a round trip. */
    static final class JsonTarget implements Fuzzer.Target {
        private final List<byte[]> seeds = new ArrayList<>();

        JsonTarget(List<byte[]> files) {
            for (byte[] f : files) {
                Parts p = Parts.of(f);
                seeds.add(p.header().getBytes(StandardCharsets.UTF_8));
            }
            for (String s : new String[] {"[1, -0, 0.5e-3, 1E+2, 123456789012345678901234567890, true, false, null]",
                "{\"a\\u00e9\\n\\\"\": [\"\\ud83d\\ude00\", {}, []], \"b\": -9223372036854775808}",
                "\"\\/\\b\\f\\r\\t\"", "  {  }  "}) {
                seeds.add(s.getBytes(StandardCharsets.UTF_8));
            }
        }

        @Override
        public String name() {
            return "Json.parse";
        }

        @Override
        public List<byte[]> seeds() {
            return seeds;
        }

        private static final String[] TOKENS = {"{", "}", "[", "]", "\"", "\\", "\\u", "\\ud800", ":", ",", "-",
            "0", "9", ".", "e", "E+", "1e999", "true", "nul", "null", " ", "\u0000", "\u00e9", "\ud800",
            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":", "99999999999999999999"};

        @Override
        public byte[] mutate(byte[] input, SplittableRandom r) {
            String s = new String(input, StandardCharsets.UTF_8);
            int at = r.nextInt(s.length() + 1);
            String t = TOKENS[r.nextInt(TOKENS.length)];
            String out = r.nextInt(4) == 0 && at < s.length()
                    ? s.substring(0, at) + t + s.substring(Math.min(s.length(), at + 1 + r.nextInt(4)))
                    : s.substring(0, at) + t + s.substring(at);
            return out.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String run(byte[] input) throws Exception {
            String text = new String(input, StandardCharsets.UTF_8);
            Object v = Json.parse(text);
            String again = toJson(v);
            assertEquals(again, toJson(Json.parse(again)), "round trip");
            return v.getClass().getSimpleName();
        }

        @Override
        public long allowedBytes(byte[] input) {
            // The parse itself and our round trip (two serialisations and a second parse).
            return 4 * PER_BYTE * input.length + FIXED;
        }

        @Override
        public boolean acceptable(Throwable t) {
            return t instanceof Json.ParseException;
        }
    }

    private static void assertNoFindings(Fuzzer.Report report) {
        System.out.println("[fuzz] " + report);
        assertTrue(report.findings().isEmpty(), () -> String.join("\n", report.findings()));
        assertTrue(report.executions() > 10, "the fuzzer barely ran: " + report);
    }

    @Test
    void modelFiles() throws IOException {
        assertNoFindings(Fuzzer.run(new ModelFileTarget(), Fuzzer.seed(11), 1.5 * SECONDS, Long.MAX_VALUE));
    }

    @Test
    void jsonHeaders() throws IOException {
        assertNoFindings(Fuzzer.run(new JsonTarget(new ModelFileTarget().seeds()), Fuzzer.seed(12), SECONDS,
                Long.MAX_VALUE));
    }
}
