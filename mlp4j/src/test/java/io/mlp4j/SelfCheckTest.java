package io.mlp4j;

import io.mlp4j.spi.Backend;
import io.mlp4j.spi.DeviceDataset;
import io.mlp4j.spi.IndexBuffer;
import io.mlp4j.spi.OperationCheck;
import io.mlp4j.spi.Tensor;
import io.mlp4j.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The self-check passes correct backends, and fails a backend with one wrong operation at that operation. */
class SelfCheckTest {

    private static final OperationCheck.Shape ODD = new OperationCheck.Shape(127, 785, 33);

    @Test
    void cpuPasses() {
        List<String> lines = new ArrayList<>();
        SelfCheck.Outcome o = SelfCheck.run("cpu", Map.of(), true, lines::add);
        lines.forEach(System.out::println);
        System.out.println(o.summary());
        assertTrue(o.passed(), String.join("\n", lines));
        assertEquals(4 * 7 + 1, o.checks());
        assertEquals("selfcheck cpu: passed (29 checks)", o.summary());
        assertTrue(lines.get(0).startsWith("selfcheck cpu on CPU"), lines.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("linearBackward+relu+dx") && l.contains("127x785x33")
                && l.contains("max abs err") && l.contains("max rel err") && l.endsWith("ok")), String.join("\n", lines));
    }

    @Test
    void unavailableBackendIsOnlyProbed() {
        List<String> lines = new ArrayList<>();
        long t0 = System.nanoTime();
        SelfCheck.Outcome o = SelfCheck.run("cublas", Map.of(), true, lines::add);
        org.junit.jupiter.api.Assumptions.assumeFalse(o.ran(), "a CUDA device is here");
        assertTrue((System.nanoTime() - t0) / 1e9 < 2);
        assertTrue(lines.isEmpty(), lines.toString());
        assertTrue(o.summary().startsWith("selfcheck cublas: unavailable: "), o.summary());
        if (o.unavailable().startsWith("not installed")) {
            assertTrue(o.unavailable().contains("io.mlp4j:mlp4j-cublas"), o.unavailable());
        }
    }

    /** Each single fault is caught by its own operation's check, and by no other. */
    @Test
    void aWrongOperationFailsItsCheck() {
        for (String broken : List.of("gather", "linearForward", "linearBackward", "softmaxCrossEntropy", "sgdUpdate")) {
            try (Backend b = new Faulty(new CpuBackend(1, false), broken)) {
                List<OperationCheck.Result> results = new OperationCheck(b, 1).run(ODD, r -> { });
                for (OperationCheck.Result r : results) {
                    boolean hit = r.operation().startsWith(broken);
                    assertEquals(!hit, r.passed(), broken + " broken: " + r.line());
                }
            }
        }
    }

    @Test
    void trainingStepsCatchAWrongUpdate() {
        // A learning rate one part in a thousand off is enough to fail the comparison.
        List<String> lines = new ArrayList<>();
        assertTrue(SelfCheck.training(Map.of("backend", "cpu"), lines::add), lines.toString());
        System.out.println(lines);
        float[][] a = trained(0.5);
        float[][] b = trained(0.5005);
        double maxAbs = 0;
        double scale = 0;
        for (int t = 0; t < a.length; t++) {
            for (int i = 0; i < a[t].length; i++) {
                maxAbs = Math.max(maxAbs, Math.abs(a[t][i] - b[t][i]));
                scale = Math.max(scale, Math.abs(a[t][i]));
            }
        }
        assertTrue(maxAbs / scale > SelfCheck.TRAINING_TOLERANCE, "difference " + maxAbs / scale);
    }

    private static float[][] trained(double lr) {
        try (Trainer t = Trainer.builder(Network.of(784, 32, 10)).backend("cpu").seed(42).build()) {
            t.fit(SelfCheck.synthetic(2560, 7), null, 1, lr);
            return t.classifier().parameters().tensors().toArray(float[][]::new);
        }
    }

    /** The cpu backend with one operation made slightly wrong. */
    private record Faulty(CpuBackend cpu, String broken) implements Backend {
        @Override public String name() { return "faulty"; }
        @Override public String device() { return "faulty " + broken; }
        @Override public Tensor allocate(int length) { return cpu.allocate(length); }
        @Override public void upload(Tensor dst, float[] src) { cpu.upload(dst, src); }
        @Override public void download(Tensor src, float[] dst) { cpu.download(src, dst); }
        @Override public DeviceDataset upload(byte[] p, byte[] l, int count, int features) {
            return cpu.upload(p, l, count, features);
        }
        @Override public IndexBuffer allocateIndices(int length) { return cpu.allocateIndices(length); }
        @Override public void upload(IndexBuffer dst, int[] src) { cpu.upload(dst, src); }

        @Override
        public void gather(DeviceDataset data, IndexBuffer indices, int offset, int rows, Tensor x) {
            cpu.gather(data, indices, broken.equals("gather") ? offset + 1 : offset, rows, x); // off by one sample
        }

        @Override
        public void linearForward(Tensor x, Tensor w, Tensor b, Tensor y, int rows, int in, int out, boolean relu) {
            cpu.linearForward(x, w, b, y, rows, broken.equals("linearForward") ? in - 1 : in, out, relu);
        }

        @Override
        public void linearBackward(Tensor x, Tensor w, Tensor y, Tensor dy, Tensor dx, Tensor dw, Tensor db,
                                   int rows, int in, int out, boolean relu) {
            // one sample fewer: every gradient misses a term
            cpu.linearBackward(x, w, y, dy, dx, dw, db, broken.equals("linearBackward") ? rows - 1 : rows, in, out,
                    relu);
        }

        @Override
        public void softmaxCrossEntropy(Tensor logits, DeviceDataset data, IndexBuffer indices, int offset, int rows,
                                        int classes, Tensor dLogits, Tensor metrics) {
            cpu.softmaxCrossEntropy(logits, data, indices, broken.equals("softmaxCrossEntropy") ? offset + 1 : offset,
                    rows, classes, dLogits, metrics);
        }

        @Override
        public void sgdUpdate(Tensor p, Tensor g, int n, float lr) {
            cpu.sgdUpdate(p, g, n, broken.equals("sgdUpdate") ? lr * 1.001f : lr);
        }

        @Override public void close() { cpu.close(); }
    }
}
