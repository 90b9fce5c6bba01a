package io.mlp4j.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mlp4j.Classifier;
import io.mlp4j.Network;
import io.mlp4j.spi.ModelData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Coverage-guided fuzzing of the safetensors reader ({@link ModelFile#read}) and of its JSON parser
 * ({@link Json#parse}): every input gives a valid result or the parser's own refusal ({@link IOException} of one
 * line naming the file; {@link Json.ParseException}), within an allocation budget proportional to the input. An
 * accepted model must survive a round trip through {@link ModelFile#write} and load as a {@link Classifier} (or be
 * refused naming the file, for labels that do not fit); accepted JSON must survive a round trip through a
 * serialiser of this test's own. Anything else (a stack overflow on deep nesting among them) is a finding. Stored
 * inputs are in {@code src/test/resources/io/mlp4j/io/ModelFileJazzerTestInputs/<method>/}.
 */
class ModelFileJazzerTest {

    /**
     * JSON values expand when parsed (a two-byte {@code {}} becomes a map); 64 bytes per input byte covers it. The
     * fixed MiB covers a refusal's first use of a formatter or a class (seen: 290 KB for the first NaN refusal);
     * what the bound is for is allocation that follows sizes claimed in the header: megabytes to gigabytes.
     */
    private static final AllocationBudget BUDGET = new AllocationBudget(64, 1 << 20);

    private static Path file;
    private static Path copy;

    @BeforeAll
    static void createFilesAndWarmUp() throws IOException {
        file = Files.createTempFile("mlp4j-jazzer-", ".safetensors");
        copy = Files.createTempFile("mlp4j-jazzer-copy-", ".safetensors");
        // Load and initialise the reader's classes first: that allocation is once per JVM, not per input.
        ModelFile.write(copy, new ModelData(new int[] {2, 1}, new float[][] {{0.5f, -1f}}, new float[][] {{0.25f}},
                Map.of("k", "v")));
        Classifier.load(copy);
        byte[] valid = Files.readAllBytes(copy);
        for (byte[] input : new byte[][] {new byte[0], valid, Arrays.copyOf(valid, valid.length - 1),
                {8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '}}) {
            Files.write(file, input);
            try {
                ModelFile.read(file);
            } catch (IOException expected) {
                // warming up the refusals too
            }
        }
        for (String text : new String[] {"{\"a\":[1,2.5e3,\"x\\u0041\",null,true,false,{}]}", "[", "\"\\ud800\"", "-"}) {
            try {
                toJson(Json.parse(text));
            } catch (Json.ParseException expected) {
                // as above
            }
        }
    }

    @AfterAll
    static void deleteFiles() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(copy);
    }

    @FuzzTest(maxDuration = "30s")
    void safetensors(byte[] input) throws IOException {
        Files.write(file, input);
        BUDGET.start();
        ModelData model;
        try {
            model = ModelFile.read(file);
        } catch (IOException refused) {
            BUDGET.check("refusing " + refused.getMessage(), input.length, () -> ModelFile.read(file));
            checkMessage(refused);
            return;
        }
        BUDGET.check("reading", input.length, () -> ModelFile.read(file));
        ModelFile.write(copy, model);
        ModelData again = ModelFile.read(copy);
        if (!Arrays.equals(model.layerSizes(), again.layerSizes())
                || !Arrays.deepEquals(model.weights(), again.weights())
                || !Arrays.deepEquals(model.biases(), again.biases())
                || !model.metadata().equals(again.metadata())) {
            throw new AssertionError("an accepted model changed in a write/read round trip");
        }
        // The public API on the same file: a classifier of the same shape, or a refusal naming the file (labels).
        try {
            Network net = Classifier.load(file).network();
            if (!net.equals(Network.of(model.layerSizes()))) {
                throw new AssertionError("Classifier.load gave " + net + " for layer sizes "
                        + Arrays.toString(model.layerSizes()));
            }
        } catch (IOException refused) {
            checkMessage(refused);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void json(byte[] input) throws Json.ParseException {
        String text = new String(input, StandardCharsets.UTF_8);
        BUDGET.start();
        Object value;
        try {
            value = Json.parse(text);
        } catch (Json.ParseException refused) {
            BUDGET.check("refusing", input.length, () -> Json.parse(text));
            return;
        }
        BUDGET.check("parsing", input.length, () -> Json.parse(text));
        String written = toJson(value);
        if (!written.equals(toJson(Json.parse(written)))) {
            throw new AssertionError("an accepted value changed in a write/parse round trip: " + written);
        }
    }

    private static void checkMessage(IOException refused) {
        String m = refused.getMessage();
        if (m == null || !m.contains(file.toString()) || m.contains("\n")) {
            throw new AssertionError("not one line naming the file: " + m, refused);
        }
    }

    /** Writes what {@link Json#parse} returns back as JSON text, for the round trip. */
    static String toJson(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v) {
        if (v instanceof Map<?, ?> m) {
            b.append('{');
            String comma = "";
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.append(comma).append(Json.quote((String) e.getKey())).append(':');
                write(b, e.getValue());
                comma = ",";
            }
            b.append('}');
        } else if (v instanceof List<?> l) {
            b.append('[');
            String comma = "";
            for (Object e : l) {
                b.append(comma);
                write(b, e);
                comma = ",";
            }
            b.append(']');
        } else if (v instanceof String s) {
            b.append(Json.quote(s));
        } else if (v == Json.NULL) {
            b.append("null");
        } else if (v instanceof Double d) {
            b.append(Double.isInfinite(d) ? (d > 0 ? "1e999" : "-1e999") : d.toString()); // overflow: infinity
        } else {
            b.append(v); // Long, Boolean
        }
    }
}
