package io.mlp4j.bench.jmh;

import io.mlp4j.spi.Backend;
import io.mlp4j.spi.BackendProvider;
import io.mlp4j.spi.DeviceDataset;
import io.mlp4j.spi.IndexBuffer;
import io.mlp4j.spi.Settings;
import io.mlp4j.spi.Tensor;

import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;

/**
 * Opens backends by name through the exported SPI (each provider found as a service, as the core finds it) and
 * provides random device data. {@link #sync} waits for queued work: a 1-float download, which is
 * stream-ordered on the GPU backends and a no-op copy on the cpu backend.
 */
final class Backends {

    private Backends() {
    }

    static Backend open(String name, int threads) {
        Settings settings = Settings.current(Map.of(Settings.THREADS, Integer.toString(threads)));
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.name().equals(name)) {
                BackendProvider.Probe probe = p.probe(settings);
                if (!probe.available()) {
                    throw new IllegalStateException("backend " + name + " is not available: " + probe.reason());
                }
                return probe.opener().get();
            }
        }
        throw new IllegalArgumentException("no backend provider named " + name + " on the module path");
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
