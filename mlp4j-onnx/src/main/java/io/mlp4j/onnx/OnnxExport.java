package io.mlp4j.onnx;

import io.mlp4j.spi.ModelData;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes an MLP as an ONNX model: input {@code input} float32 {@code [N, features]} (N dynamic), one {@code Gemm}
 * per layer ({@code transB = 1}, so the weights keep PyTorch's {@code [out, in]} layout) with {@code Relu} between,
 * output {@code logits}, and a second output {@code probabilities} through {@code Softmax}. IR version 7 with
 * opset 13 (ONNX 1.8): every ONNX Runtime since 1.6 runs it. The metadata become {@code metadata_props}.
 */
final class OnnxExport {

    static final long IR_VERSION = 7;
    static final long OPSET = 13;
    private static final String INPUT = "input";
    private static final String LOGITS = "logits";
    private static final String PROBABILITIES = "probabilities";
    private static final String BATCH = "N";

    private OnnxExport() {
    }

    static byte[] toBytes(ModelData m, String producerVersion) {
        int[] sizes = m.layerSizes();
        int layers = sizes.length - 1;
        ProtoWriter graph = new ProtoWriter();
        String x = INPUT;
        for (int l = 0; l < layers; l++) {
            String name = "linear" + (l + 1);
            String y = l == layers - 1 ? LOGITS : name + ".out";
            graph.message(1, node(name, "Gemm", new String[] {x, name + ".weight", name + ".bias"}, y)
                    .message(5, new ProtoWriter().string(1, "transB").int64(3, 1).int64(20, 2)));
            x = y;
            if (l < layers - 1) {
                String relu = "relu" + (l + 1);
                graph.message(1, node(relu, "Relu", new String[] {x}, relu + ".out"));
                x = relu + ".out";
            }
        }
        graph.message(1, node("softmax", "Softmax", new String[] {LOGITS}, PROBABILITIES)
                .message(5, new ProtoWriter().string(1, "axis").int64(3, 1).int64(20, 2)));
        graph.string(2, "mlp4j");
        for (int l = 0; l < layers; l++) {
            String name = "linear" + (l + 1);
            graph.message(5, tensor(name + ".weight", new long[] {sizes[l + 1], sizes[l]}, m.weights()[l]));
            graph.message(5, tensor(name + ".bias", new long[] {sizes[l + 1]}, m.biases()[l]));
        }
        graph.message(11, value(INPUT, sizes[0]));
        graph.message(12, value(LOGITS, sizes[layers]));
        graph.message(12, value(PROBABILITIES, sizes[layers]));

        ProtoWriter model = new ProtoWriter()
                .int64(1, IR_VERSION)
                .string(2, "mlp4j")
                .string(3, producerVersion)
                .string(6, "A multi-layer perceptron " + networkText(sizes) + " (fully connected layers, ReLU"
                        + " between them). Input: " + sizes[0] + " floats per sample (MNIST: uint8 pixels / 255,"
                        + " row-major 28x28).")
                .message(7, graph)
                .message(8, new ProtoWriter().string(1, "").int64(2, OPSET));
        Map<String, String> meta = m.metadata() == null ? Map.of() : m.metadata();
        for (Map.Entry<String, String> e : new TreeMap<>(meta).entrySet()) {
            model.message(14, new ProtoWriter().string(1, e.getKey()).string(2, e.getValue()));
        }
        return model.toByteArray();
    }

    private static ProtoWriter node(String name, String op, String[] inputs, String output) {
        ProtoWriter n = new ProtoWriter();
        for (String i : inputs) {
            n.string(1, i);
        }
        return n.string(2, output).string(3, name).string(4, op);
    }

    private static ProtoWriter tensor(String name, long[] dims, float[] values) {
        ProtoWriter t = new ProtoWriter();
        for (long d : dims) {
            t.int64(1, d);
        }
        ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return t.int64(2, OnnxProto.FLOAT).string(8, name).bytes(9, raw.array());
    }

    /** A float32 {@code [N, width]} value with a symbolic batch. */
    private static ProtoWriter value(String name, int width) {
        ProtoWriter shape = new ProtoWriter()
                .message(1, new ProtoWriter().string(2, BATCH))
                .message(1, new ProtoWriter().int64(1, width));
        ProtoWriter tensorType = new ProtoWriter().int64(1, OnnxProto.FLOAT).message(2, shape);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
    }

    private static String networkText(int[] sizes) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < sizes.length; i++) {
            s.append(i == 0 ? "" : "-").append(sizes[i]);
        }
        return s.toString();
    }
}
