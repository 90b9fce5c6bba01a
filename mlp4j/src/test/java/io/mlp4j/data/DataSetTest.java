package io.mlp4j.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataSetTest {

    /** {@code n} 2x2 images; image i's pixels encode i (little-endian in the first two), its label is i % 10. */
    static DataSet numbered(int n) {
        byte[] px = new byte[n * 4];
        byte[] lb = new byte[n];
        for (int i = 0; i < n; i++) {
            px[4 * i] = (byte) i;
            px[4 * i + 1] = (byte) (i >> 8);
            px[4 * i + 2] = (byte) 200;
            px[4 * i + 3] = (byte) 255;
            lb[i] = (byte) (i % 10);
        }
        return DataSet.of("numbered", px, lb, 2, 2);
    }

    static int id(DataSet d, int i) {
        byte[] img = d.image(i);
        return (img[0] & 0xFF) | (img[1] & 0xFF) << 8;
    }

    static int[] ids(DataSet d) {
        int[] out = new int[d.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = id(d, i);
            assertEquals(out[i] % 10, d.label(i), "labels travel with their images");
        }
        return out;
    }

    @Test
    void splitIsSeededDisjointAndComplete() {
        DataSet d = numbered(600); // 50,000 / 10,000 in small: 500 / 100
        DataSet.Split s = d.split(500, 42);
        assertEquals(500, s.first().size());
        assertEquals(100, s.second().size());
        Set<Integer> seen = new HashSet<>();
        for (int id : ids(s.first())) {
            assertTrue(seen.add(id));
        }
        for (int id : ids(s.second())) {
            assertTrue(seen.add(id), "sample " + id + " is in both parts");
        }
        assertEquals(600, seen.size());
        // Shuffled, not a plain cut.
        assertFalse(Arrays.equals(ids(d.head(500)), ids(s.first())));

        DataSet.Split again = d.split(500, 42);
        assertArrayEquals(ids(s.first()), ids(again.first()));
        assertArrayEquals(ids(s.second()), ids(again.second()));
        assertFalse(Arrays.equals(ids(s.second()), ids(d.split(500, 43).second())), "another seed, another split");
        assertEquals(2, s.first().rows());
        assertEquals(2, s.first().cols());
    }

    @Test
    void splitEdgeCases() {
        DataSet d = numbered(10);
        assertEquals(0, d.split(0, 1).first().size());
        assertEquals(10, d.split(10, 1).first().size());
        assertThrows(IllegalArgumentException.class, () -> d.split(11, 1));
        assertThrows(IllegalArgumentException.class, () -> d.split(-1, 1));
    }

    @Test
    void subsetKeepsTheGivenOrderAndHeadTakesTheFirst() {
        DataSet d = numbered(20);
        DataSet sub = d.subset("sub", new int[] {7, 3, 19, 3});
        assertEquals("sub", sub.name());
        assertArrayEquals(new int[] {7, 3, 19, 3}, ids(sub));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, ids(d.head(5)));
        assertEquals(0, d.head(0).size());
        assertEquals(20, d.head(20).size());
        assertThrows(IllegalArgumentException.class, () -> d.head(21));
        assertThrows(IndexOutOfBoundsException.class, () -> d.subset("bad", new int[] {20}));
        assertThrows(IndexOutOfBoundsException.class, () -> d.subset("bad", new int[] {-1}));
    }

    @Test
    void ofChecksSizesAndCopies() {
        byte[] px = new byte[8];
        byte[] lb = {1, 2};
        DataSet d = DataSet.of("x", px, lb, 2, 2);
        px[0] = 9;
        lb[0] = 9;
        assertEquals(0, d.image(0)[0], "of() copies the pixels");
        assertEquals(1, d.label(0), "of() copies the labels");
        assertEquals(3, d.classCount());
        assertThrows(IllegalArgumentException.class, () -> DataSet.of("x", new byte[7], lb, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> DataSet.of("x", new byte[0], new byte[0], 0, 2));
        float[] f = DataSet.of("y", new byte[] {0, (byte) 255, (byte) 128, 1}, new byte[] {0}, 2, 2).imageAsFloats(0);
        assertEquals(0f, f[0]);
        assertEquals(1f, f[1]);
    }

    @Test
    void permutationIsAPermutation() {
        int[] p = DataSet.permutation(1000, new Random(5));
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(i, sorted[i]);
        }
        assertArrayEquals(p, DataSet.permutation(1000, new Random(5)));
    }

    /** Split, subset and head are views over the same arrays; copying them out gives the samples in order. */
    @Test
    void viewsOfViewsSeeTheRightSamples() {
        DataSet d = numbered(300);
        DataSet.Split s = d.split(200, 7);
        DataSet picked = s.second().subset("picked", new int[] {5, 0, 5, 99});
        int[] secondIds = ids(s.second());
        assertArrayEquals(new int[] {secondIds[5], secondIds[0], secondIds[5], secondIds[99]}, ids(picked));
        DataSet copy = DataSet.of("copy", picked.pixels(), picked.labels(), 2, 2);
        assertArrayEquals(ids(picked), ids(copy));
        assertArrayEquals(picked.labels(), copy.labels());
        assertEquals(d.head(3).classCount(), 3);
        assertArrayEquals(new int[] {0, 1, 2}, ids(d.head(3)));
        assertThrows(IndexOutOfBoundsException.class, () -> s.second().subset("bad", new int[] {100}));
    }

    /** A trainer given a view trains and evaluates exactly as on a copy of it (same batches, same numbers). */
    @Test
    void trainingOnAViewEqualsTrainingOnACopy() {
        byte[] px = new byte[400 * 784];
        byte[] lb = new byte[400];
        Random r = new Random(3);
        r.nextBytes(px);
        for (int i = 0; i < lb.length; i++) {
            lb[i] = (byte) r.nextInt(10);
        }
        DataSet.Split s = DataSet.of("random", px, lb, 28, 28).split(300, 11);
        DataSet trainCopy = DataSet.of("train", s.first().pixels(), s.first().labels(), 28, 28);
        DataSet valCopy = DataSet.of("val", s.second().pixels(), s.second().labels(), 28, 28);
        float[] viaViews = trainAndPredict(s.first(), s.second());
        float[] viaCopies = trainAndPredict(trainCopy, valCopy);
        assertArrayEquals(viaCopies, viaViews);
    }

    private static float[] trainAndPredict(DataSet train, DataSet val) {
        try (io.mlp4j.Trainer t = io.mlp4j.Trainer.builder(io.mlp4j.Network.of(784, 16, 10)).backend("cpu")
                .threads(1).seed(5).batchSize(32).build()) {
            t.fit(train, val, 2, 0.1);
            io.mlp4j.Evaluation e = t.evaluate(val);
            float[] out = t.classifier().probabilities(val.imageAsFloats(0));
            float[] all = Arrays.copyOf(out, out.length + 2);
            all[out.length] = (float) e.loss();
            all[out.length + 1] = (float) t.history().epochs().get(1).trainLoss();
            return all;
        }
    }

    @Test
    void aViewPutsItsSharedStorageOnABackendAndMapsItsSamplesToRows() {
        DataSet d = numbered(20);
        DataSet sub = d.subset("sub", new int[] {7, 3, 19, 3});
        DataSet.Split split = d.split(15, 1);
        assertTrue(sub.sharesStorageWith(d) && split.first().sharesStorageWith(split.second()));
        assertFalse(numbered(20).sharesStorageWith(d), "an equal copy is another storage");
        int[] samples = {0, 1, 2, 3};
        sub.toStorageRows(samples);
        assertArrayEquals(new int[] {7, 3, 19, 3}, samples);
        int[] head = {1, 0};
        sub.head(2).toStorageRows(head);
        assertArrayEquals(new int[] {3, 7}, head);
        int[] same = {5, 2};
        d.toStorageRows(same);
        assertArrayEquals(new int[] {5, 2}, same, "a set that is not a view: sample i is row i");
        assertThrows(IndexOutOfBoundsException.class, () -> sub.toStorageRows(new int[] {4}));

        try (io.mlp4j.spi.Backend be = new io.mlp4j.backend.cpu.CpuBackend(1, false)) {
            io.mlp4j.spi.DeviceDataset storage = sub.upload(be);
            io.mlp4j.spi.IndexBuffer order = be.allocateIndices(4);
            int[] rows = {0, 1, 2, 3};
            sub.toStorageRows(rows);
            be.upload(order, rows);
            io.mlp4j.spi.Tensor x = be.allocate(4 * sub.features());
            be.gather(storage, order, 0, 4, x);
            float[] gathered = new float[4 * sub.features()];
            be.download(x, gathered);
            float[] expected = new float[4 * sub.features() + 3];
            for (int i = 0; i < 4; i++) {
                sub.imageAsFloats(i, expected, 3 + i * sub.features());
            }
            assertArrayEquals(Arrays.copyOfRange(expected, 3, expected.length), gathered);
        }
        assertArrayEquals(sub.imageAsFloats(2), Arrays.copyOfRange(floatsAt(sub, 2, 5), 5, 9));
        assertThrows(IndexOutOfBoundsException.class, () -> sub.imageAsFloats(0, new float[5], 2));
    }

    private static float[] floatsAt(DataSet set, int i, int at) {
        float[] out = new float[at + set.features()];
        set.imageAsFloats(i, out, at);
        return out;
    }
}
