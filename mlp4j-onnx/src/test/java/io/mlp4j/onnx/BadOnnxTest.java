package io.mlp4j.onnx;

import io.mlp4j.Classifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each malformed or unsupported ONNX file is refused with one line that names the file and the fault. */
class BadOnnxTest {

    @TempDir
    Path dir;

    /** A 4-3 model, one Gemm: the base that each test breaks in one place. */
    private static ProtoWriter weight(long[] dims, int type) {
        ProtoWriter t = new ProtoWriter();
        for (long d : dims) {
            t.int64(1, d);
        }
        long n = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
        ByteBuffer raw = ByteBuffer.allocate((int) Math.min(n, 64) * 4).order(ByteOrder.LITTLE_ENDIAN);
        while (raw.hasRemaining()) {
            raw.putFloat(0.25f);
        }
        return t.int64(2, type).string(8, "fc.weight").bytes(9, raw.array());
    }

    private static ProtoWriter bias() {
        return new ProtoWriter().int64(1, 3).int64(2, OnnxProto.FLOAT).string(8, "fc.bias")
                .bytes(9, new byte[12]);
    }

    private static ProtoWriter gemm() {
        return new ProtoWriter().string(1, "input").string(1, "fc.weight").string(1, "fc.bias").string(2, "logits")
                .string(3, "fc").string(4, "Gemm")
                .message(5, new ProtoWriter().string(1, "transB").int64(3, 1).int64(20, 2));
    }

    private static ProtoWriter value(String name, int type, long width) {
        ProtoWriter shape = new ProtoWriter().message(1, new ProtoWriter().string(2, "N"))
                .message(1, new ProtoWriter().int64(1, width));
        return new ProtoWriter().string(1, name)
                .message(2, new ProtoWriter().message(1, new ProtoWriter().int64(1, type).message(2, shape)));
    }

    private static byte[] model(ProtoWriter weight, ProtoWriter... nodes) {
        ProtoWriter graph = new ProtoWriter();
        for (ProtoWriter n : nodes) {
            graph.message(1, n);
        }
        graph.message(5, weight).message(5, bias())
                .message(11, value("input", OnnxProto.FLOAT, 4)).message(12, value("logits", OnnxProto.FLOAT, 3));
        return new ProtoWriter().int64(1, 7).message(7, graph)
                .message(8, new ProtoWriter().string(1, "").int64(2, 13)).toByteArray();
    }

    private String refusal(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name + ".onnx");
        Files.write(file, bytes);
        IOException e = assertThrows(IOException.class, () -> Classifier.load(file));
        String m = e.getMessage();
        assertTrue(m.startsWith(file + ": "), m);
        assertFalse(m.contains("\n"), m);
        System.out.println(m.substring(dir.toString().length() + 1));
        return m;
    }

    @Test
    void theBaseModelLoads() throws IOException {
        Path file = dir.resolve("ok.onnx");
        Files.write(file, model(weight(new long[] {3, 4}, OnnxProto.FLOAT), gemm()));
        Classifier c = Classifier.load(file);
        assertEquals("4-3", c.network().toString());
        assertEquals(0.25f, c.logits(new float[] {1, 0, 0, 0})[0]);
    }

    @Test
    void truncated() throws IOException {
        byte[] ok = model(weight(new long[] {3, 4}, OnnxProto.FLOAT), gemm());
        for (int cut : new int[] {ok.length - 1, ok.length / 2, 3}) {
            String m = refusal("truncated-" + cut, Arrays.copyOf(ok, cut));
            assertTrue(m.contains("not a valid ONNX file"), m);
        }
        assertTrue(refusal("truncated", Arrays.copyOf(ok, ok.length / 2)).contains("truncated"));
    }

    @Test
    void unknownOperator() throws IOException {
        ProtoWriter conv = new ProtoWriter().string(1, "input").string(1, "k").string(2, "conv.out")
                .string(3, "/features/Conv").string(4, "Conv");
        String m = refusal("conv", model(weight(new long[] {3, 4}, OnnxProto.FLOAT), conv, gemm()));
        assertTrue(m.contains("node '/features/Conv' (Conv) is not supported"), m);
        ProtoWriter custom = new ProtoWriter().string(1, "logits").string(2, "y").string(3, "mine").string(4, "Relu")
                .string(7, "com.example");
        m = refusal("custom-domain", model(weight(new long[] {3, 4}, OnnxProto.FLOAT), gemm(), custom));
        assertTrue(m.contains("node 'mine' (Relu) from domain 'com.example' is not supported"), m);
    }

    @Test
    void wrongShape() throws IOException {
        String m = refusal("wrong-shape", model(weight(new long[] {3, 5}, OnnxProto.FLOAT), gemm()));
        assertTrue(m.contains("node 'fc' (Gemm): weight 'fc.weight' has shape [3, 5] but the layer gets 4 features"),
                m);
    }

    @Test
    void hugeDeclaredTensor() throws IOException {
        String m = refusal("huge", model(weight(new long[] {1L << 40, 4}, OnnxProto.FLOAT), gemm()));
        assertTrue(m.contains("tensor 'fc.weight' has shape [1099511627776, 4] (more than 2^31 values) but holds"
                + " 256 bytes"), m);
        m = refusal("huge-wide", model(weight(new long[] {4, 1L << 31}, OnnxProto.FLOAT), new ProtoWriter().string(1, "input")
                .string(1, "fc.weight").string(2, "logits").string(3, "fc").string(4, "MatMul")));
        assertTrue(m.contains("node 'fc' (MatMul): tensor 'fc.weight' has shape [4, 2147483648] (more than 2^31"
                + " values)"), m);
        // a length field that claims more than the file holds
        byte[] claim = {0x3A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 0};
        m = refusal("huge-length", claim);
        assertTrue(m.contains("claims 2147483647 bytes but only 1 remain"), m);
    }

    @Test
    void externalData() throws IOException {
        ProtoWriter w = weight(new long[] {3, 4}, OnnxProto.FLOAT)
                .message(13, new ProtoWriter().string(1, "location").string(2, "weights.bin")).int64(14, 1);
        String m = refusal("external", model(w, gemm()));
        assertTrue(m.contains("node 'fc' (Gemm): tensor 'fc.weight' keeps its data in an external file"
                + " ('weights.bin')"), m);
    }

    @Test
    void notFloat32() throws IOException {
        String m = refusal("double", model(weight(new long[] {3, 4}, 11), gemm()));
        assertTrue(m.contains("node 'fc' (Gemm): tensor 'fc.weight' is DOUBLE; only float32 is supported"), m);
        ProtoWriter graph = new ProtoWriter().message(1, gemm()).message(5, weight(new long[] {3, 4}, OnnxProto.FLOAT))
                .message(5, bias()).message(11, value("input", 7, 4)).message(12, value("logits", 1, 3));
        m = refusal("int-input", new ProtoWriter().int64(1, 7).message(7, graph)
                .message(8, new ProtoWriter().string(1, "").int64(2, 13)).toByteArray());
        assertTrue(m.contains("the input 'input' is INT64; only float32 is supported"), m);
    }

    @Test
    void notOnnxAtAll() throws IOException {
        assertTrue(refusal("empty", new byte[0]).contains("holds no graph"));
        byte[] safetensors = Files.readAllBytes(Path.of("mlp4j/src/main/resources/io/mlp4j/default-model.safetensors"));
        refusal("safetensors", Arrays.copyOf(safetensors, 4096));
    }

    @Test
    void notAnMlp() throws IOException {
        ProtoWriter reluAfter = new ProtoWriter().string(1, "logits").string(2, "y").string(3, "last").string(4, "Relu");
        byte[] bytes = model(weight(new long[] {3, 4}, OnnxProto.FLOAT), gemm(), reluAfter);
        String m = refusal("relu-at-end", bytes);
        assertTrue(m.contains("the graph ends at 'y' after a Relu"), m);
    }
}
