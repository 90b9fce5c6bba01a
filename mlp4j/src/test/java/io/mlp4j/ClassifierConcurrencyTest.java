package io.mlp4j;

import io.mlp4j.data.DataSet;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClassifierConcurrencyTest {

    @Test
    void sixteenThreadsGetTheSameAnswersAsOne() throws Exception {
        DataSet data = TrainerTest.synthetic(800, 9);
        Classifier c;
        try (Trainer t = Trainer.builder(Network.of(784, 16, 10)).backend("cpu").seed(2).build()) {
            t.fit(data, null, 1, 0.5);
            c = t.classifier();
        }
        float[][] expected = new float[data.size()][];
        for (int i = 0; i < data.size(); i++) {
            expected[i] = c.probabilities(data.imageAsFloats(i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<float[][]>> futures = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                futures.add(pool.submit(() -> {
                    float[][] got = new float[data.size()][];
                    for (int i = 0; i < data.size(); i++) {
                        got[i] = c.probabilities(data.imageAsFloats(i));
                    }
                    return got;
                }));
            }
            for (Future<float[][]> f : futures) {
                float[][] got = f.get();
                for (int i = 0; i < got.length; i++) {
                    assertArrayEquals(expected[i], got[i]);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void byteAndFloatInputsAgreeAndTopKIsSorted() {
        DataSet data = TrainerTest.synthetic(50, 3);
        Classifier c;
        try (Trainer t = Trainer.builder(Network.of(784, 16, 10)).backend("cpu").seed(2).build()) {
            c = t.classifier();
        }
        for (int i = 0; i < data.size(); i++) {
            assertEquals(c.predict(data.imageAsFloats(i)), c.predict(data.image(i)));
            List<Prediction> top = c.top(data.image(i), 3);
            assertEquals(3, top.size());
            assertEquals(c.predict(data.image(i)), top.get(0).index());
            assertEquals(true, top.get(0).probability() >= top.get(1).probability());
        }
        assertThrows(IllegalArgumentException.class, () -> c.predict(new float[10]));
        float[] nan = new float[784];
        nan[3] = Float.NaN;
        assertThrows(IllegalArgumentException.class, () -> c.predict(nan));
    }
}
