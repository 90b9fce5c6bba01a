package io.mlp4j.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.mlp4j.Classifier;
import io.mlp4j.data.DataSet;
import io.mlp4j.data.Mnist;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * mlp4j's {@link Classifier} against ONNX Runtime (CPU execution provider) on the same weights, in one process,
 * interleaved: single-image latency over every image, and throughput in batches. Prints one tab-separated line per
 * figure ({@code system threads metric value}) for bench/inference.sh to summarise; exits 1 if the two disagree on
 * any image's prediction.
 *
 * <pre>
 * InferenceMain MODEL.safetensors MODEL.onnx MNIST_DIR [--batches 64,1000] [--threads 1,2] [--latency] [--seconds 1]
 * </pre>
 * With {@code -Dmlp4j.cpu.vector=false} mlp4j runs its plain-loop kernels and reports as {@code mlp4j-plain}.
 */
public final class InferenceMain {

    private interface Batch {
        int[] predict(int from, int rows) throws OrtException;
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        Path onnx = Path.of(args[1]);
        Path data = Path.of(args[2]);
        int[] batches = {64, 1000};
        int[] threadCounts = {1, 2};
        boolean latency = false;
        double seconds = 1.0;
        for (int i = 3; i < args.length; i++) {
            switch (args[i]) {
                case "--batches" -> batches = ints(args[++i]);
                case "--threads" -> threadCounts = ints(args[++i]);
                case "--latency" -> latency = true;
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        DataSet test = Mnist.load(data).test();
        int n = test.size();
        float[][] images = new float[n][];
        for (int i = 0; i < n; i++) {
            images[i] = test.imageAsFloats(i);
        }
        Classifier classifier = Classifier.load(model);
        String name = classifier.engine().startsWith("plain loops") ? "mlp4j-plain" : "mlp4j";
        int classes = classifier.network().outputs();
        OrtEnvironment env = OrtEnvironment.getEnvironment();

        for (int threads : threadCounts) {
            Classifier mlp = classifier.withThreads(threads);
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(threads);
                options.setInterOpNumThreads(1);
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                try (OrtSession ort = env.createSession(onnx.toString(), options)) {
                    String input = ort.getInputNames().iterator().next();
                    int[] mlpAll = mlp.predict(images);
                    int[] ortAll = ortPredict(env, ort, input, pack(images, 0, n), n, classes);
                    int differ = 0;
                    for (int i = 0; i < n; i++) {
                        differ += mlpAll[i] != ortAll[i] ? 1 : 0;
                    }
                    emit("both", threads, "differing_predictions", differ);
                    if (differ != 0) {
                        System.err.println(differ + " of " + n + " predictions differ between mlp4j and ONNX Runtime");
                        System.exit(1);
                    }
                    if (latency && threads == threadCounts[0]) {
                        // Single images, one at a time, on the caller's thread; alternating rounds of each.
                        FloatBuffer[] single = new FloatBuffer[n];
                        for (int i = 0; i < n; i++) {
                            single[i] = pack(images, i, 1);
                        }
                        for (int round = 0; round < 3; round++) {
                            boolean record = round == 2; // rounds 0-1 warm up
                            long[] a = new long[n];
                            long[] b = new long[n];
                            for (int i = 0; i < n; i++) {
                                long t0 = System.nanoTime();
                                int p = mlp.predict(images[i]);
                                long t1 = System.nanoTime();
                                int q = ortPredict(env, ort, input, single[i], 1, classes)[0];
                                long t2 = System.nanoTime();
                                a[i] = t1 - t0;
                                b[i] = t2 - t1;
                                if (p != q) {
                                    throw new AssertionError("image " + i + ": mlp4j " + p + ", ONNX Runtime " + q);
                                }
                            }
                            if (record) {
                                emitLatency(name, a);
                                emitLatency("onnxruntime", b);
                            }
                        }
                    }
                    for (int batch : batches) {
                        int b = batch;
                        // Inputs prepared outside the timing for both: row arrays for mlp4j, direct buffers for ORT.
                        float[][][] slices = new float[(n + b - 1) / b][][];
                        FloatBuffer[] buffers = new FloatBuffer[slices.length];
                        for (int s = 0; s < slices.length; s++) {
                            slices[s] = Arrays.copyOfRange(images, s * b, Math.min(n, (s + 1) * b));
                            buffers[s] = pack(images, s * b, slices[s].length);
                        }
                        Batch mlpSliced = (from, rows) -> mlp.predict(slices[from / b]);
                        Batch ortBatch = (from, rows) -> ortPredict(env, ort, input, buffers[from / b], rows, classes);
                        double[] mlpRates = new double[5];
                        double[] ortRates = new double[5];
                        for (int round = 0; round < 7; round++) { // rounds 0-1 warm up; then alternate who goes first
                            boolean mlpFirst = round % 2 == 0;
                            double x = mlpFirst ? rate(mlpSliced, n, b, seconds) : 0;
                            double y = rate(ortBatch, n, b, seconds);
                            if (!mlpFirst) {
                                x = rate(mlpSliced, n, b, seconds);
                            }
                            if (round >= 2) {
                                mlpRates[round - 2] = x;
                                ortRates[round - 2] = y;
                            }
                        }
                        emit(name, threads, "img_per_s_batch_" + b, median(mlpRates));
                        emit("onnxruntime", threads, "img_per_s_batch_" + b, median(ortRates));
                    }
                }
            }
        }
    }

    /** Images per second over whole passes through the data in batches of {@code b}, for about {@code seconds}. */
    private static double rate(Batch batch, int n, int b, double seconds) throws OrtException {
        long start = System.nanoTime();
        long images = 0;
        do {
            for (int from = 0; from < n; from += b) {
                int rows = Math.min(b, n - from);
                batch.predict(from, rows);
                images += rows;
            }
        } while (System.nanoTime() - start < seconds * 1e9);
        return images / ((System.nanoTime() - start) / 1e9);
    }

    /** Rows [from, from + rows) in a direct buffer, which ONNX Runtime wraps as a tensor without a copy. */
    private static FloatBuffer pack(float[][] images, int from, int rows) {
        FloatBuffer buffer = ByteBuffer.allocateDirect(rows * images[from].length * 4).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        for (int r = 0; r < rows; r++) {
            buffer.put(images[from + r]);
        }
        return buffer.rewind();
    }

    /** ONNX Runtime at its fastest from Java: a prepared direct buffer as the tensor, run, argmax of the logits. */
    private static int[] ortPredict(OrtEnvironment env, OrtSession ort, String input, FloatBuffer rowsBuffer, int rows,
                                    int classes) throws OrtException {
        int features = rowsBuffer.capacity() / rows;
        try (OnnxTensor x = OnnxTensor.createTensor(env, rowsBuffer, new long[] {rows, features});
             OrtSession.Result result = ort.run(Map.of(input, x))) {
            FloatBuffer logits = ((OnnxTensor) result.get(0)).getFloatBuffer();
            int[] out = new int[rows];
            for (int r = 0; r < rows; r++) {
                int best = 0;
                for (int c = 1; c < classes; c++) {
                    if (logits.get(r * classes + c) > logits.get(r * classes + best)) {
                        best = c;
                    }
                }
                out[r] = best;
            }
            return out;
        }
    }

    private static void emitLatency(String system, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        emit(system, 1, "latency_median_us", s[s.length / 2] / 1e3);
        emit(system, 1, "latency_p99_us", s[(int) Math.floor(s.length * 0.99)] / 1e3);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static void emit(String system, int threads, String metric, double value) {
        System.out.printf(java.util.Locale.ROOT, "%s\t%d\t%s\t%.3f%n", system, threads, metric, value);
        System.out.flush();
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }
}
