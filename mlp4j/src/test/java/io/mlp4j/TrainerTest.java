package io.mlp4j;

import io.mlp4j.data.DataSet;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {

    /** A small learnable synthetic set: the label is the brightest of 10 image bands, plus noise. */
    static DataSet synthetic(int n, long seed) {
        Random r = new Random(seed);
        byte[] px = new byte[n * 784];
        byte[] lb = new byte[n];
        for (int i = 0; i < n; i++) {
            int label = r.nextInt(10);
            lb[i] = (byte) label;
            for (int j = 0; j < 784; j++) {
                int band = j / 79;
                int v = r.nextInt(60) + (band == label ? 150 : 0);
                px[i * 784 + j] = (byte) v;
            }
        }
        return DataSet.of("synthetic", px, lb, 28, 28);
    }

    static float[][] trainOnce(int threads, boolean vector, DataSet train) {
        try (Trainer t = Trainer.builder(Network.of(784, 16, 10)).backend("cpu").threads(threads)
                .option("cpu.vector", Boolean.toString(vector)).seed(7).batchSize(50).build()) {
            t.fit(train, null, 2, 0.1);
            return t.classifier().parameters().tensors().toArray(float[][]::new);
        }
    }

    @Test
    void sameSeedAndThreadsGiveBitIdenticalParameters() {
        DataSet train = synthetic(1000, 1);
        float[][] a = trainOnce(2, true, train);
        float[][] b = trainOnce(2, true, train);
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i]);
        }
    }

    /** Every operation is split into chunks that depend on its size only: the thread count changes no bit. */
    @Test
    void threadCountsGiveBitIdenticalParametersAndLosses() {
        DataSet train = synthetic(1000, 1);
        DataSet.Split s = train.split(800, 5);
        float[][] ref = null;
        List<Double> refLosses = null;
        for (int threads : new int[] {1, 2, 3}) {
            try (Trainer t = Trainer.builder(Network.of(784, 16, 10)).backend("cpu").threads(threads)
                    .option("cpu.vector", "true").seed(7).batchSize(50).build()) {
                List<EpochRecord> h = t.fit(s.first(), s.second(), 2, 0.1);
                float[][] p = t.classifier().parameters().tensors().toArray(float[][]::new);
                List<Double> losses = h.stream().flatMap(r -> java.util.stream.Stream.of(r.trainLoss(), r.valLoss()))
                        .toList();
                if (ref == null) {
                    ref = p;
                    refLosses = losses;
                    continue;
                }
                for (int i = 0; i < ref.length; i++) {
                    assertArrayEquals(ref[i], p[i], threads + " threads, tensor " + i);
                }
                assertEquals(refLosses, losses, threads + " threads: losses");
            }
        }
    }

    @Test
    void threadCountsAndKernelKindsAgree() {
        DataSet train = synthetic(1000, 1);
        float[][] ref = trainOnce(1, false, train);
        for (float[][] other : List.of(trainOnce(1, true, train), trainOnce(2, true, train), trainOnce(3, false, train))) {
            for (int i = 0; i < ref.length; i++) {
                for (int j = 0; j < ref[i].length; j++) {
                    assertEquals(ref[i][j], other[i][j], 1e-4 * Math.max(1, Math.abs(ref[i][j])), "param " + i + "," + j);
                }
            }
        }
    }

    @Test
    void learnsAndReportsHistory() {
        DataSet all = synthetic(1200, 2);
        DataSet.Split s = all.split(1000, 3);
        try (Trainer t = Trainer.builder(Network.of(784, 16, 10)).backend("cpu").seed(1).build()) {
            double before = t.evaluate(s.second()).accuracy();
            List<EpochRecord> r1 = t.fit(s.first(), s.second(), 2, 0.5);
            List<EpochRecord> r2 = t.fit(s.first(), s.second(), 1, 0.1);
            assertEquals(2, r1.size());
            assertEquals(3, r2.get(0).epoch());
            assertEquals(0.1, r2.get(0).learningRate(), 1e-7);
            assertEquals(3, t.history().size());
            assertTrue(before < 0.5, "before " + before);
            assertTrue(r2.get(0).valAccuracy() > 0.9, "after " + r2.get(0).valAccuracy());
            assertTrue(r2.get(0).samplesPerSecond() > 0 && r2.get(0).seconds() > 0);
            assertTrue(r2.get(0).tutorialLine().matches("Epoch \\[3], val_loss: \\d\\.\\d{4}, val_acc: \\d\\.\\d{4}"));
            String[] csv = t.history().toCsv().split("\n");
            assertEquals(4, csv.length);
            // the classifier computes the same evaluation on the CPU as the trainer on its backend
            Evaluation onBackend = t.evaluate(s.second());
            Evaluation onClassifier = t.classifier().evaluate(s.second());
            assertEquals(onBackend.accuracy(), onClassifier.accuracy(), 1e-9);
            assertEquals(onBackend.loss(), onClassifier.loss(), 1e-4);
        }
    }

    @Test
    void listenerSeesEveryBatchAndEpoch() {
        DataSet train = synthetic(300, 4);
        int[] batches = {0};
        int[] epochs = {0};
        double[] lastLoss = {Double.NaN};
        try (Trainer t = Trainer.builder(Network.of(784, 8, 10)).backend("cpu").batchSize(128)
                .listener(new TrainingListener() {
                    @Override
                    public void onBatch(int epoch, int batch, int total, int samples, double seconds, double loss) {
                        batches[0]++;
                        assertEquals(3, total);
                        lastLoss[0] = loss;
                    }

                    @Override
                    public void onEpoch(EpochRecord record) {
                        epochs[0]++;
                    }
                }).build()) {
            t.fit(train, null, 2, 0.1);
        }
        assertEquals(6, batches[0]);
        assertEquals(2, epochs[0]);
        assertTrue(Double.isFinite(lastLoss[0]));
    }

    @Test
    void divergenceStopsAndKeepsTheLastGoodParameters() {
        DataSet train = synthetic(500, 5);
        try (Trainer t = Trainer.builder(Network.of(784, 16, 10)).backend("cpu").seed(3).build()) {
            t.fit(train, null, 1, 0.1);
            float[][] good = t.classifier().parameters().tensors().toArray(float[][]::new);
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                    () -> t.fit(train, null, 1, 1e30));
            assertTrue(e.getMessage().matches("training diverged in epoch 2 by step \\d+ of 4 at learning rate 1.0E30.*"),
                    e.getMessage());
            float[][] after = t.classifier().parameters().tensors().toArray(float[][]::new);
            for (int i = 0; i < good.length; i++) {
                assertArrayEquals(good[i], after[i]);
            }
            assertEquals(1, t.history().size());
        }
    }

    @Test
    void badInputsGiveClearErrors() {
        DataSet small = DataSet.of("tiny", new byte[4 * 9], new byte[4], 3, 3);
        try (Trainer t = Trainer.builder(Network.of(784, 8, 10)).backend("cpu").build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.fit(small, null, 1, 0.1));
            assertTrue(e.getMessage().contains("tiny") && e.getMessage().contains("784"), e.getMessage());
            DataSet train = synthetic(10, 1);
            assertThrows(IllegalArgumentException.class, () -> t.fit(train, null, 1, Double.NaN));
            assertThrows(IllegalArgumentException.class, () -> t.fit(train, null, 1, -1));
            assertThrows(IllegalArgumentException.class, () -> t.fit(train, null, -1, 0.1));
        }
        DataSet manyLabels = DataSet.of("labels", new byte[2 * 784], new byte[] {0, 12}, 28, 28);
        try (Trainer t = Trainer.builder(Network.of(784, 8, 10)).backend("cpu").build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.evaluate(manyLabels));
            assertTrue(e.getMessage().contains("labels up to 12"), e.getMessage());
        }
        Trainer closed = Trainer.builder(Network.of(784, 8, 10)).backend("cpu").build();
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.evaluate(synthetic(1, 1)));
    }

    @Test
    void unknownOrUnavailableBackendIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder(Network.of(4, 2)).backend("tpu").build());
        assertTrue(e.getMessage().contains("unknown backend 'tpu'") && e.getMessage().contains("cpu"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder(Network.of(4, 2)).backend("cpu").threads(0).build());
    }

    @Test
    void networkValidation() {
        assertThrows(IllegalArgumentException.class, () -> Network.of(784));
        assertThrows(IllegalArgumentException.class, () -> Network.of(784, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> Network.parse("784-x-10"));
        assertEquals("784-512-512-10", Network.parse("784-512-512-10").toString());
        assertEquals(784 * 32 + 32 + 32 * 10 + 10, Network.of(784, 32, 10).parameterCount());
    }

    @Test
    void initialisationIsPyTorchDefaultUniformBound() {
        float[][] p = Network.of(784, 32, 10).initialParameters(5).weights();
        float bound1 = (float) (1 / Math.sqrt(784));
        float bound2 = (float) (1 / Math.sqrt(32));
        float max1 = 0, max2 = 0;
        for (float v : p[0]) {
            max1 = Math.max(max1, Math.abs(v));
        }
        for (float v : p[1]) {
            max2 = Math.max(max2, Math.abs(v));
        }
        assertTrue(max1 <= bound1 && max1 > 0.95 * bound1, "layer 1 max " + max1);
        assertTrue(max2 <= bound2 && max2 > 0.8 * bound2, "layer 2 max " + max2);
        assertArrayEquals(p[0], Network.of(784, 32, 10).initialParameters(5).weights()[0]);
    }
}
