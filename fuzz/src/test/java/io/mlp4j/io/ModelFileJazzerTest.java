package io.mlp4j.io;

import io.mlp4j.spi.ModelData;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of the safetensors reader ({@link ModelFile#read}) and of its JSON parser
 * ({@link Json#parse}): every input gives a valid result or the parser's own refusal ({@link IOException} naming
 * the file; {@link Json.ParseException}), within an allocation budget proportional to the input. An accepted
 * model must survive a round trip through {@link ModelFile#write}. Anything else is a finding. Stored inputs are in
 * {@code src/test/resources/io/mlp4j/io/ModelFileJazzerTestInputs/<method>/}.
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
                java.util.Map.of("k", "v")));
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
                Json.parse(text);
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
            BUDGET.check("refusing " + refused.getMessage(), input.length);
            if (refused.getMessage() == null || !refused.getMessage().contains(file.toString())) {
                throw new AssertionError("the message does not name the file: " + refused.getMessage(), refused);
            }
            return;
        }
        BUDGET.check("reading", input.length);
        ModelFile.write(copy, model);
        ModelData again = ModelFile.read(copy);
        if (!Arrays.equals(model.layerSizes(), again.layerSizes())
                || !Arrays.deepEquals(model.weights(), again.weights())
                || !Arrays.deepEquals(model.biases(), again.biases())
                || !model.metadata().equals(again.metadata())) {
            throw new AssertionError("an accepted model changed in a write/read round trip");
        }
    }

    @FuzzTest(maxDuration = "30s")
    void json(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        BUDGET.start();
        try {
            Json.parse(text);
        } catch (Json.ParseException refused) {
            // the parser's own refusal: fine
        }
        BUDGET.check("parsing", input.length);
    }
}
