package io.mlp4j.reliability;

import io.mlp4j.Classifier;
import io.mlp4j.Network;
import io.mlp4j.Trainer;
import io.mlp4j.data.DataSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sixteen threads predict while another thread keeps swapping in a freshly loaded model (saved with
 * {@link Classifier#save}, loaded with {@link Classifier#load}, published through an AtomicReference). Every
 * answer must equal the single-threaded answer of the model instance that gave it, bit for bit; nothing may
 * throw. Runs {@code -Dmlp4j.stress.seconds} (default 3) seconds.
 */
@Tag("slow")
class ModelSwapStressTest {

    private static final int THREADS = 16;

    @TempDir
    Path dir;

    /** A model instance with its answers, computed on one thread before it is published. */
    private record Published(long generation, Classifier model, int[] predictions, float[][] probabilities) {
    }

    private static Published publish(long generation, Classifier c, DataSet images) {
        int[] p = new int[images.size()];
        float[][] q = new float[images.size()][];
        for (int i = 0; i < images.size(); i++) {
            p[i] = c.predict(images.image(i));
            q[i] = c.probabilities(images.imageAsFloats(i));
        }
        return new Published(generation, c, p, q);
    }

    @Test
    void sixteenPredictorsAndAModelSwapperAgreeWithOneThread() throws Exception {
        DataSet images = tiny(48);
        // Four different models (different seeds, one short epoch each so that they differ in their answers).
        List<Classifier> originals = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            try (Trainer t = Trainer.builder(Network.of(784, 32, 10)).backend("cpu").threads(1).seed(100 + s)
                    .batchSize(16).build()) {
                t.fit(images, null, 1, 0.1);
                originals.add(t.classifier());
            }
        }
        List<Published> reference = new ArrayList<>();
        for (Classifier c : originals) {
            reference.add(publish(-1, c, images));
        }

        AtomicReference<Published> current = new AtomicReference<>(publish(0, originals.get(0), images));
        Queue<String> problems = new ConcurrentLinkedQueue<>();
        AtomicLong predictions = new AtomicLong();
        AtomicLong swaps = new AtomicLong();
        long seconds = Long.getLong("mlp4j.stress.seconds", 3);
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();

        for (int t = 0; t < THREADS; t++) {
            int id = t;
            threads.add(new Thread(() -> {
                try {
                    start.await();
                    long n = 0;
                    for (int i = id; System.nanoTime() < deadline; i++) {
                        Published p = current.get();
                        int k = i % images.size();
                        int got = (i & 1) == 0 ? p.model().predict(images.image(k))
                                : p.model().predict(images.imageAsFloats(k));
                        if (got != p.predictions()[k]) {
                            problems.add("thread " + id + ", generation " + p.generation() + ", image " + k
                                    + ": predicted " + got + ", one thread says " + p.predictions()[k]);
                        }
                        if (i % 4 == 1) {
                            float[] q = p.model().probabilities(images.imageAsFloats(k));
                            if (!Arrays.equals(q, p.probabilities()[k])) {
                                problems.add("thread " + id + ", generation " + p.generation() + ", image " + k
                                        + ": probabilities differ from one thread's");
                            }
                        }
                        n++;
                    }
                    predictions.addAndGet(n);
                } catch (Throwable e) {
                    problems.add("thread " + id + " threw " + e);
                }
            }, "predictor-" + t));
        }
        threads.add(new Thread(() -> {
            try {
                start.await();
                Path file = dir.resolve("current.safetensors");
                for (long g = 1; System.nanoTime() < deadline; g++) {
                    int which = (int) (g % originals.size());
                    originals.get(which).save(file); // atomic replace of the same path, over and over
                    Classifier loaded = Classifier.load(file);
                    Published p = publish(g, loaded, images);
                    // A loaded model answers exactly like the one saved.
                    Published ref = reference.get(which);
                    if (!Arrays.equals(p.predictions(), ref.predictions())
                            || !Arrays.deepEquals(p.probabilities(), ref.probabilities())) {
                        problems.add("generation " + g + ": the loaded model answers differently from the saved one");
                    }
                    current.set(p);
                    swaps.incrementAndGet();
                }
            } catch (Throwable e) {
                problems.add("swapper threw " + e);
            }
        }, "swapper"));

        threads.forEach(Thread::start);
        start.countDown();
        for (Thread t : threads) {
            t.join(seconds * 1000 + 30_000);
            assertTrue(!t.isAlive(), t.getName() + " did not finish");
        }
        String line = String.format(Locale.ROOT, "%d threads, %d s: %,d predictions, %,d model swaps, %d problems",
                THREADS, seconds, predictions.get(), swaps.get(), problems.size());
        System.out.println("[stress] " + line);
        assertTrue(problems.isEmpty(), line + "\n" + String.join("\n", problems.stream().limit(20).toList()));
        assertTrue(swaps.get() >= 10 && predictions.get() >= 1000, "too little happened: " + line);
        // The reference itself is deterministic.
        assertArrayEquals(reference.get(0).predictions(), publish(0, originals.get(0), images).predictions());
    }

    /** n deterministic 28x28 images, labels 0..9 in turn. */
    private static DataSet tiny(int n) {
        byte[] px = new byte[n * 784];
        byte[] lb = new byte[n];
        for (int i = 0; i < n; i++) {
            lb[i] = (byte) (i % 10);
            for (int j = 0; j < 784; j++) {
                px[i * 784 + j] = (byte) ((i * 31 + j * 7) % 251);
            }
        }
        return DataSet.of("tiny", px, lb, 28, 28);
    }
}
