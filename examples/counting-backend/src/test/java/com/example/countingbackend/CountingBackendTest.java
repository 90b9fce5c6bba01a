package com.example.countingbackend;

import io.mlp4j.BackendStatus;
import io.mlp4j.Classifier;
import io.mlp4j.EpochRecord;
import io.mlp4j.Network;
import io.mlp4j.Trainer;
import io.mlp4j.data.DataSet;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JVM runs with {@code -Dmlp4j.backend=counting} (surefire's system properties), as a user would start it: the
 * core finds this module's provider as a service, trains on it, and gets exactly what the cpu backend gives.
 */
class CountingBackendTest {

    private static final int SAMPLES = 640;
    private static final int BATCH = 32;
    private static final int EPOCHS = 2;

    /** Ten classes of noise, each with a bright band of its own rows, so that training has something to learn. */
    private static DataSet data(long seed) {
        Random r = new Random(seed);
        byte[] pixels = new byte[SAMPLES * 784];
        byte[] labels = new byte[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            int label = r.nextInt(10);
            labels[i] = (byte) label;
            for (int p = 0; p < 784; p++) {
                int row = p / 28;
                pixels[i * 784 + p] = (byte) (r.nextInt(64) + (row >= 2 + 2 * label && row < 5 + 2 * label ? 160 : 0));
            }
        }
        return DataSet.of("bands", pixels, labels, 28, 28);
    }

    private record Run(String backend, String choice, List<EpochRecord> epochs, Classifier model) {
    }

    /** Trains on the configured backend, or on the one named (a builder value wins over the system property). */
    private static Run train(String backend) {
        Trainer.Builder b = Trainer.builder(Network.of(784, 16, 10)).seed(7).batchSize(BATCH).threads(1);
        if (backend != null) {
            b.backend(backend);
        }
        try (Trainer t = b.build()) {
            List<EpochRecord> epochs = t.fit(data(1), data(2), EPOCHS, 0.5);
            return new Run(t.backendName(), t.backendChoice(), epochs, t.classifier());
        }
    }

    @Test
    void pickedByConfigurationCountedAndEqualToTheCpuBackend() {
        assertEquals("counting", System.getProperty("mlp4j.backend"), "the test JVM's configuration");
        long backwardBefore = CountingBackend.calls().getOrDefault("linearBackward", 0L);
        long gatherBefore = CountingBackend.calls().getOrDefault("gather", 0L);
        Run counted = train(null);
        assertEquals("counting", counted.backend());
        assertEquals("counting (system property mlp4j.backend)", counted.choice());
        int steps = EPOCHS * SAMPLES / BATCH;
        Map<String, Long> calls = CountingBackend.calls();
        System.out.println("calls: " + calls);
        assertEquals(2L * steps, calls.get("linearBackward") - backwardBefore, "one backward per layer and step");
        assertTrue(calls.get("gather") - gatherBefore >= steps, "a gather per step at least: " + calls);

        Run cpu = train("cpu");
        // The same parameters step for step: training runs the very same cpu operations.
        assertEquals("cpu", cpu.backend());
        for (int e = 0; e < EPOCHS; e++) {
            assertEquals(cpu.epochs().get(e).trainLoss(), counted.epochs().get(e).trainLoss(), "training loss, epoch " + e);
            // Validation on the cpu backend itself takes the classifier's inference kernels, on any other backend its
            // operations: the same sums in another order.
            assertEquals(cpu.epochs().get(e).valLoss(), counted.epochs().get(e).valLoss(),
                    1e-6 * cpu.epochs().get(e).valLoss(), "validation loss, epoch " + e);
            assertEquals(cpu.epochs().get(e).valAccuracy(), counted.epochs().get(e).valAccuracy());
        }
        DataSet test = data(3);
        assertTrue(cpu.model().evaluate(test).accuracy() > 0.5, "it learned: " + cpu.model().evaluate(test));
        for (int i = 0; i < test.size(); i++) {
            float[] x = test.imageAsFloats(i);
            assertArrayEquals(cpu.model().probabilities(x), counted.model().probabilities(x), "image " + i);
        }
    }

    @Test
    void listedWithTheOthersAndNeverPickedByAuto() {
        BackendStatus counting = BackendStatus.list().stream().filter(s -> s.name().equals("counting")).findFirst()
                .orElseThrow();
        assertTrue(counting.available(), counting.reason());
        assertTrue(counting.device().startsWith("counting calls on CPU"), counting.device());
        assertEquals("cpu", train("auto").backend());
    }
}
