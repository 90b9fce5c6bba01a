package io.mlp4j.onnx;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mlp4j.io.AllocationBudget;
import io.mlp4j.spi.ModelData;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Coverage-guided fuzzing of the ONNX reader ({@link OnnxFormat#read(Path, byte[])}: the protobuf wire format,
 * then the graph's interpretation as an MLP). Every input gives a model or the reader's own refusal (one line
 * naming the file), within an allocation budget proportional to the input; an accepted model survives a round
 * trip through the writer. Stored inputs (tiny torch.onnx.export files and one of ours) are in
 * {@code src/test/resources/io/mlp4j/onnx/OnnxJazzerTestInputs/onnx/}.
 */
class OnnxJazzerTest {

    /**
     * A protobuf message of two bytes becomes a node or an attribute record with its lists (about 100 bytes), so
     * 128 bytes per input byte; the counts of nodes, tensors and attributes are capped, so that stays bounded.
     */
    private static final AllocationBudget BUDGET = new AllocationBudget(128, 1 << 20);
    private static final Path FILE = Path.of("fuzz-input.onnx");

    @BeforeAll
    static void warmUp() throws IOException {
        // The reader's classes and the refusals' first string formatting: once per JVM, not per input.
        ModelData m = new ModelData(new int[] {2, 1}, new float[][] {{0.5f, -1f}}, new float[][] {{0.25f}},
                Map.of("k", "v"));
        byte[] valid = OnnxExport.toBytes(m, "fuzz");
        for (byte[] input : new byte[][] {new byte[0], valid, Arrays.copyOf(valid, valid.length - 1), {0x3A, 1, 0}}) {
            try {
                OnnxFormat.read(FILE, input);
            } catch (IOException expected) {
                // warming up the refusals too
            }
        }
        OnnxImport.q("\u0001");
    }

    @FuzzTest(maxDuration = "30s")
    void onnx(byte[] input) throws IOException {
        BUDGET.start();
        ModelData model;
        try {
            model = OnnxFormat.read(FILE, input);
        } catch (IOException refused) {
            BUDGET.check("refusing " + refused.getMessage(), input.length, () -> OnnxFormat.read(FILE, input));
            String m = refused.getMessage();
            if (m == null || !m.startsWith(FILE + ": ") || m.contains("\n") || m.contains("\r")) {
                throw new AssertionError("not one line naming the file: " + m, refused);
            }
            return;
        }
        BUDGET.check("reading", input.length, () -> OnnxFormat.read(FILE, input));
        ModelData again = OnnxFormat.read(FILE, OnnxExport.toBytes(model, "fuzz"));
        if (!Arrays.equals(model.layerSizes(), again.layerSizes())
                || !Arrays.deepEquals(model.weights(), again.weights())
                || !Arrays.deepEquals(model.biases(), again.biases())) {
            throw new AssertionError("an accepted model changed in a write/read round trip");
        }
    }
}
