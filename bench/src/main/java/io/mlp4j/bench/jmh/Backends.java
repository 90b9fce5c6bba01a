package io.mlp4j.bench.jmh;

import io.mlp4j.backend.Backend;
import io.mlp4j.backend.BackendRegistry;
import io.mlp4j.backend.DeviceDataset;
import io.mlp4j.backend.IndexBuffer;
import io.mlp4j.backend.Settings;
import io.mlp4j.backend.Tensor;

import java.util.Map;
import java.util.Random;

/**
 * Opens backends by name through the registry (on the class path the backend packages are plain public classes)
 * and provides random device data. {@link #sync} waits for queued work: a 1-float download, which is
 * stream-ordered on the GPU backends and a no-op copy on the cpu backend.
 */
final class Backends {

    private Backends() {
    }

    static Backend open(String name, int threads) {
        return BackendRegistry.open(Settings.current(Map.of(Settings.BACKEND, name,
                Settings.THREADS, Integer.toString(threads)))).backend();
    }

    static Tensor random(Backend b, Random r, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        Tensor t = b.allocate(n);
        b.upload(t, v);
        return t;
    }

    /** A fake MNIST-shaped data set on the device (random pixels and labels) and a shuffled order. */
    record Data(DeviceDataset set, IndexBuffer order, int count) {
    }

    static Data data(Backend b, Random r, int count, int features, int classes) {
        byte[] pixels = new byte[count * features];
        r.nextBytes(pixels);
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) r.nextInt(classes);
        }
        int[] order = io.mlp4j.data.DataSet.permutation(count, r);
        IndexBuffer idx = b.allocateIndices(count);
        b.upload(idx, order);
        return new Data(b.upload(pixels, labels, count, features), idx, count);
    }

    private static final float[] ONE = new float[1];

    static float sync(Backend b, Tensor t) {
        b.download(t, ONE);
        return ONE[0];
    }

    /** "128x784x32" to {rows, in, out}. */
    static int[] shape(String s) {
        String[] p = s.split("x");
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])};
    }
}
