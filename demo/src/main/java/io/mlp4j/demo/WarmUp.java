package io.mlp4j.demo;

import io.mlp4j.Network;
import io.mlp4j.Trainer;
import io.mlp4j.TrainingListener;
import io.mlp4j.data.DataSet;
import io.mlp4j.spi.Settings;

import java.util.Map;

/**
 * The cpu backend's training step and evaluation, run on a helper thread over a small synthetic set of the job's
 * shapes while the data set decodes (one core idles then: the training set is one gzip stream). Their classes
 * load and link, and the Vector API kernels make their first, slowest runs there instead of in the validation
 * before training and the first epoch. It stops after the step it is in when {@link #stop()} is called, before
 * the job's own passes; it shares no parameters, data or random numbers with the job, so results are unchanged.
 * Not started when the configured backend is another one, nor for big networks, whose first, boxed step would
 * outlast the decoding.
 */
final class WarmUp {

    /** The helper thread's name. */
    static final String THREAD = "mlp4j-warm-up";

    /** The most multiply-adds per sample times the batch size (the tutorial's: 25,450 x 128). */
    private static final long MAX_WORK = 1L << 24;

    /** Images in the synthetic set: two batches of 128. */
    private static final int IMAGES = 256;
    private static final int SIDE = 28;

    private volatile boolean stopped;
    private Thread thread;

    private WarmUp() {
    }

    /**
     * Starts a warm-up for a network of MNIST's 784 inputs, {@code hidden} and 10 outputs, or none (a no-op
     * {@link #stop()}) when the configuration names a backend other than cpu or the network is big.
     */
    static WarmUp start(int[] hidden, int batch, Map<String, String> options) {
        WarmUp w = new WarmUp();
        String configured = Settings.current(options).get(Settings.BACKEND, "auto").value();
        if (!configured.equals("auto") && !configured.equals("cpu")) {
            return w;
        }
        int[] sizes = new int[hidden.length + 2];
        sizes[0] = SIDE * SIDE;
        System.arraycopy(hidden, 0, sizes, 1, hidden.length);
        sizes[sizes.length - 1] = 10;
        Network net = Network.of(sizes);
        if ((long) net.parameterCount() * batch > MAX_WORK) {
            return w;
        }
        w.thread = new Thread(() -> w.run(net, batch, options), THREAD);
        w.thread.setDaemon(true);
        w.thread.start();
        return w;
    }

    /** Ends the warm-up after its current step; returns at once. */
    void stop() {
        stopped = true;
    }

    /** The helper thread, or null where none was started. */
    Thread thread() {
        return thread;
    }

    private void run(Network net, int batch, Map<String, String> options) {
        DataSet set = syntheticDigits();
        Trainer.Builder b = Trainer.builder(net).seed(1).batchSize(batch).listener(new TrainingListener() {
            @Override
            public void onBatch(int epoch, int step, int steps, int samples, double seconds, double loss) {
                if (stopped) {
                    throw new Stopped();
                }
            }
        });
        options.forEach(b::option);
        // One thread: a second pool of workers would take the second core from the decoding.
        try (Trainer t = b.option(Settings.BACKEND, "cpu").option(Settings.THREADS, "1").build()) {
            while (!stopped) {
                t.fit(set, null, 1, 0.1);
                t.evaluate(set);
            }
        } catch (RuntimeException | LinkageError e) {
            // Stopped, or failed: a warm-up has nothing to report (the job opens the backend itself and says
            // what is wrong).
        }
    }

    /** Seeded noise in a 16x12 box at the centre of black 28x28 images: one pixel in six is ink (MNIST: 1 in 5). */
    private static DataSet syntheticDigits() {
        byte[] pixels = new byte[IMAGES * SIDE * SIDE];
        byte[] labels = new byte[IMAGES];
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < IMAGES; i++) {
            labels[i] = (byte) (i % 10);
            for (int y = 6; y < 22; y++) {
                for (int x = 8; x < 20; x++) {
                    if (r.nextInt(3) > 0) {
                        pixels[i * SIDE * SIDE + y * SIDE + x] = (byte) (1 + r.nextInt(255));
                    }
                }
            }
        }
        return DataSet.of("warm-up", pixels, labels, SIDE, SIDE);
    }

    private static final class Stopped extends RuntimeException {
        Stopped() {
            super(null, null, false, false);
        }
    }
}
