package io.mlp4j.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Runs every {@link Backend} operation on seeded random inputs of one shape and compares it with a plain scalar
 * reference computed here in double precision (the self-check's per-operation part; no data set needed).
 *
 * <p>Each element must lie within the float rounding bound of its computation: {@code 2 (k + 2) u m}, where k is
 * the number of terms summed, u = 2^-24 (float's unit roundoff) and m the sum of the terms' magnitudes. Any
 * summation order meets it, so a correct kernel passes on every device, while a wrong index or missing term is
 * off by about m and fails. Exponentials and logarithms get 8 instead of 2.
 *
 * <p>This is the one reference and the one tolerance every backend is held to: {@code mlp4j selfcheck} runs it
 * on a backend, and the project's conformance test runs it on every installed provider. A provider of one's own
 * can run it in its tests: {@code new OperationCheck(backend, 42).run(shape, r -> ...)}.
 */
public final class OperationCheck {

    /**
     * A batch of {@code rows} through a layer of {@code in} inputs and {@code out} outputs.
     *
     * @param rows batch size
     * @param in   inputs per sample (features for gather)
     * @param out  outputs per sample (classes for softmax + cross-entropy)
     */
    public record Shape(int rows, int in, int out) {
        /**
         * As {@code rows x in x out}.
         *
         * @return e.g. {@code 128x784x32}
         */
        @Override
        public String toString() {
            return rows + "x" + in + "x" + out;
        }
    }

    /**
     * One compared operation.
     *
     * @param operation the operation, e.g. {@code linearBackward+relu+dx}
     * @param shape     the shape it ran at
     * @param maxAbs    the largest absolute error
     * @param maxRel    the largest error relative to the magnitude of the terms summed
     * @param seconds   how long the operation took (first run: includes any compilation)
     * @param passed    whether every element was within its bound
     * @param error     why the operation threw instead of computing, or null
     */
    public record Result(String operation, Shape shape, double maxAbs, double maxRel, double seconds, boolean passed,
                         String error) {
        /**
         * One line for a report: operation, shape, errors, time and verdict.
         *
         * @return the line
         */
        public String line() {
            String head = String.format(Locale.ROOT, "%-26s %-15s", operation, shape);
            if (error != null) {
                return head + " FAILED: " + error;
            }
            return head + String.format(Locale.ROOT, " max abs err %.2e  max rel err %.2e  %9.3f ms  %s", maxAbs,
                    maxRel, seconds * 1e3, passed ? "ok" : "FAILED (beyond float rounding)");
        }
    }

    private static final double U = 0x1p-24;

    private final Backend backend;
    private final Random random;

    /**
     * A check of one backend.
     *
     * @param backend the backend under test; the check allocates its buffers there
     * @param seed    seed of the random inputs
     */
    public OperationCheck(Backend backend, long seed) {
        this.backend = backend;
        this.random = new Random(seed);
    }

    /**
     * Checks every operation at {@code shape}.
     *
     * @param shape the shape
     * @param out   receives each result as soon as it is known
     * @return the results, one per operation (seven)
     */
    public List<Result> run(Shape shape, Consumer<Result> out) {
        List<Result> results = new ArrayList<>();
        Consumer<Result> both = r -> {
            results.add(r);
            out.accept(r);
        };
        both.accept(guard("gather", shape, () -> gather(shape)));
        both.accept(guard("linearForward", shape, () -> forward(shape, false)));
        both.accept(guard("linearForward+relu", shape, () -> forward(shape, true)));
        both.accept(guard("linearBackward", shape, () -> backward(shape, false)));
        both.accept(guard("linearBackward+relu+dx", shape, () -> backward(shape, true)));
        both.accept(guard("softmaxCrossEntropy", shape, () -> softmax(shape)));
        both.accept(guard("sgdUpdate", shape, () -> sgd(shape)));
        return results;
    }

    // ---------------------------------------------------------------- the operations

    private Result gather(Shape s) {
        int count = s.rows + 7;
        int offset = 3;
        byte[] pixels = new byte[count * s.in];
        random.nextBytes(pixels);
        int[] idx = permutation(count);
        DeviceDataset data = backend.upload(pixels, new byte[count], count, s.in);
        IndexBuffer indices = backend.allocateIndices(count);
        backend.upload(indices, idx);
        Tensor x = backend.allocate(s.rows * s.in);
        long t0 = System.nanoTime();
        backend.gather(data, indices, offset, s.rows, x);
        double seconds = seconds(t0);
        Compare c = new Compare();
        float[] got = download(x);
        for (int r = 0; r < s.rows; r++) {
            for (int f = 0; f < s.in; f++) {
                double v = (pixels[idx[offset + r] * s.in + f] & 0xFF) / 255.0;
                c.add(got[r * s.in + f], v, 1, v, 2);
            }
        }
        return c.result("gather", s, seconds);
    }

    private Result forward(Shape s, boolean relu) {
        float[] x = gaussian(s.rows * s.in, 1);
        float[] w = gaussian(s.out * s.in, 1 / Math.sqrt(s.in));
        float[] b = gaussian(s.out, 0.1);
        Tensor tx = put(x);
        Tensor tw = put(w);
        Tensor tb = put(b);
        Tensor ty = backend.allocate(s.rows * s.out);
        long t0 = System.nanoTime();
        backend.linearForward(tx, tw, tb, ty, s.rows, s.in, s.out, relu);
        double seconds = seconds(t0);
        float[] y = download(ty);
        Compare c = new Compare();
        for (int r = 0; r < s.rows; r++) {
            for (int o = 0; o < s.out; o++) {
                double sum = b[o];
                double mag = Math.abs(b[o]);
                for (int k = 0; k < s.in; k++) {
                    double term = (double) x[r * s.in + k] * w[o * s.in + k];
                    sum += term;
                    mag += Math.abs(term);
                }
                c.add(y[r * s.out + o], relu ? Math.max(0, sum) : sum, s.in + 1, mag, 2);
            }
        }
        return c.result(relu ? "linearForward+relu" : "linearForward", s, seconds);
    }

    /** With relu: masks dy by y and computes dx too; without: neither (an input layer's backward). */
    private Result backward(Shape s, boolean relu) {
        float[] x = gaussian(s.rows * s.in, 1);
        float[] w = gaussian(s.out * s.in, 1 / Math.sqrt(s.in));
        float[] y = gaussian(s.rows * s.out, 1);
        for (int i = 0; i < y.length; i++) {
            y[i] = Math.max(0, y[i]); // a ReLU output: about half zeros
        }
        float[] dy = gaussian(s.rows * s.out, 1.0 / s.rows);
        Tensor tx = put(x);
        Tensor tw = put(w);
        Tensor ty = put(y);
        Tensor tdy = put(dy);
        Tensor tdx = relu ? backend.allocate(s.rows * s.in) : null;
        Tensor tdw = backend.allocate(s.out * s.in);
        Tensor tdb = backend.allocate(s.out);
        long t0 = System.nanoTime();
        backend.linearBackward(tx, tw, ty, tdy, tdx, tdw, tdb, s.rows, s.in, s.out, relu);
        double seconds = seconds(t0);
        double[] g = new double[dy.length];
        for (int i = 0; i < dy.length; i++) {
            g[i] = relu && y[i] <= 0 ? 0 : dy[i];
        }
        Compare c = new Compare();
        float[] gotDy = download(tdy);
        for (int i = 0; i < g.length; i++) {
            c.add(gotDy[i], g[i], 0, Math.abs(g[i]), 0); // masking copies or zeroes: exact
        }
        float[] dw = download(tdw);
        float[] db = download(tdb);
        for (int o = 0; o < s.out; o++) {
            double bsum = 0;
            double bmag = 0;
            for (int r = 0; r < s.rows; r++) {
                bsum += g[r * s.out + o];
                bmag += Math.abs(g[r * s.out + o]);
            }
            c.add(db[o], bsum, s.rows, bmag, 2);
            for (int k = 0; k < s.in; k++) {
                double sum = 0;
                double mag = 0;
                for (int r = 0; r < s.rows; r++) {
                    double term = g[r * s.out + o] * x[r * s.in + k];
                    sum += term;
                    mag += Math.abs(term);
                }
                c.add(dw[o * s.in + k], sum, s.rows, mag, 2);
            }
        }
        if (relu) {
            float[] dx = download(tdx);
            for (int r = 0; r < s.rows; r++) {
                for (int k = 0; k < s.in; k++) {
                    double sum = 0;
                    double mag = 0;
                    for (int o = 0; o < s.out; o++) {
                        double term = g[r * s.out + o] * w[o * s.in + k];
                        sum += term;
                        mag += Math.abs(term);
                    }
                    c.add(dx[r * s.in + k], sum, s.out, mag, 2);
                }
            }
        }
        return c.result(relu ? "linearBackward+relu+dx" : "linearBackward", s, seconds);
    }

    /** Training call (gradient and metrics) then an evaluation call (metrics only) on the same logits. */
    private Result softmax(Shape s) {
        int classes = s.out;
        int count = s.rows + 5;
        int offset = 2;
        float[] z = gaussian(s.rows * classes, 3);
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) random.nextInt(Math.min(classes, 256));
        }
        int[] idx = permutation(count);
        DeviceDataset data = backend.upload(new byte[count], labels, count, 1);
        IndexBuffer indices = backend.allocateIndices(count);
        backend.upload(indices, idx);
        Tensor tz = put(z);
        Tensor dz = backend.allocate(s.rows * classes);
        Tensor metrics = put(new float[2]);
        Tensor evalMetrics = put(new float[2]);
        long t0 = System.nanoTime();
        backend.softmaxCrossEntropy(tz, data, indices, offset, s.rows, classes, dz, metrics);
        backend.softmaxCrossEntropy(tz, data, indices, offset, s.rows, classes, null, evalMetrics);
        double seconds = seconds(t0);
        Compare c = new Compare();
        float[] gotDz = download(dz);
        double lossSum = 0;
        double lossMag = 0;
        int correct = 0;
        for (int r = 0; r < s.rows; r++) {
            int o = r * classes;
            int label = labels[idx[offset + r]] & 0xFF;
            int best = 0;
            for (int k = 1; k < classes; k++) {
                if (z[o + k] > z[o + best]) {
                    best = k;
                }
            }
            double max = z[o + best];
            double sum = 0;
            for (int k = 0; k < classes; k++) {
                sum += Math.exp(z[o + k] - max);
            }
            double loss = Math.log(sum) - (z[o + label] - max);
            lossSum += loss;
            lossMag += 1 + Math.abs(Math.log(sum)) + Math.abs(z[o + label] - max);
            correct += best == label ? 1 : 0;
            for (int k = 0; k < classes; k++) {
                double p = Math.exp(z[o + k] - max) / sum;
                double onehot = k == label ? 1 : 0;
                double mag = (p * (2 + Math.abs(z[o + k] - max)) + onehot) / s.rows;
                c.add(gotDz[o + k], (p - onehot) / s.rows, classes + 8, mag, 8);
            }
        }
        for (float[] m : new float[][] {download(metrics), download(evalMetrics)}) {
            c.add(m[0], lossSum, s.rows + classes + 8, lossMag, 8);
            c.add(m[1], correct, 0, correct, 0);
        }
        return c.result("softmaxCrossEntropy", s, seconds);
    }

    private Result sgd(Shape s) {
        int n = s.in * s.out;
        float[] p = gaussian(n + 3, 1);
        float[] g = gaussian(n + 3, 1);
        float lr = 0.37f;
        Tensor tp = put(p);
        Tensor tg = put(g);
        long t0 = System.nanoTime();
        backend.sgdUpdate(tp, tg, n, lr);
        double seconds = seconds(t0);
        float[] got = download(tp);
        Compare c = new Compare();
        for (int i = 0; i < n + 3; i++) {
            double step = i < n ? (double) lr * g[i] : 0; // elements past n stay as they were
            c.add(got[i], p[i] - step, 2, Math.abs(p[i]) + Math.abs(step), 2);
        }
        return c.result("sgdUpdate", s, seconds);
    }

    // ---------------------------------------------------------------- helpers

    /** An operation that throws (a device fault, a kernel that does not compile) is a failed check, with why. */
    private static Result guard(String operation, Shape shape, java.util.function.Supplier<Result> check) {
        try {
            return check.get();
        } catch (RuntimeException e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getClass().getSimpleName() + ": " + e.getMessage();
            return new Result(operation, shape, Double.NaN, Double.NaN, 0, false, m.replace('\n', ' '));
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private float[] gaussian(int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (random.nextGaussian() * scale);
        }
        return a;
    }

    private int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private Tensor put(float[] v) {
        Tensor t = backend.allocate(v.length);
        backend.upload(t, v);
        return t;
    }

    private float[] download(Tensor t) {
        float[] v = new float[t.length()];
        backend.download(t, v);
        return v;
    }

    /** Accumulates the worst absolute and relative errors and whether every element is within its bound. */
    private static final class Compare {
        double maxAbs;
        double maxRel;
        boolean passed = true;

        /**
         * One element: its value was summed from {@code terms} terms whose magnitudes add up to {@code magnitude}.
         * The relative error is taken against the larger of the value and that magnitude: a sum that cancels to
         * nearly zero is only as exact as its terms are large.
         */
        void add(float actual, double expected, int terms, double magnitude, double factor) {
            double d = Math.abs(actual - expected);
            if (!(d <= factor * (terms + 2) * U * magnitude)) { // also NaN
                passed = false;
            }
            double scale = Math.max(Math.abs(expected), magnitude);
            double rel = d == 0 ? 0 : scale == 0 ? Double.POSITIVE_INFINITY : d / scale;
            maxAbs = Double.isNaN(d) || Double.isNaN(maxAbs) ? Double.NaN : Math.max(maxAbs, d);
            maxRel = Double.isNaN(rel) || Double.isNaN(maxRel) ? Double.NaN : Math.max(maxRel, rel);
        }

        Result result(String operation, Shape shape, double seconds) {
            return new Result(operation, shape, maxAbs, maxRel, seconds, passed, null);
        }
    }
}
