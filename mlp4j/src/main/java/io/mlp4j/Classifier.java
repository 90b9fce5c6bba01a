package io.mlp4j;

import io.mlp4j.backend.Settings;
import io.mlp4j.backend.cpu.CpuInference;
import io.mlp4j.backend.cpu.CpuProvider;
import io.mlp4j.data.DataSet;
import io.mlp4j.internal.DataSetAccess;
import io.mlp4j.io.ModelFormats;
import io.mlp4j.spi.ModelData;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A trained network that predicts. Immutable and thread-safe: share one instance between threads. Runs on the
 * CPU (for single images that is faster than a round trip to a GPU): a single image on the caller's thread,
 * batches spread over {@code mlp4j.threads} threads (configured like training: system property, environment,
 * {@code mlp4j.properties}, or {@link #withThreads}), on the Vector API kernels where {@code jdk.incubator.vector}
 * is resolved.
 * <pre>{@code
 * Classifier c = Classifier.pretrained();                 // or Classifier.load(Path.of("model.safetensors"))
 * int digit = c.predict(mnist.test().imageAsFloats(0)); // 784 floats in [0, 1]; pictures: io.mlp4j.picture
 * List<Prediction> top3 = c.top(mnist.test().image(0), 3); // 28x28 uint8 pixels
 * double accuracy = c.evaluate(mnist.test()).accuracy();
 * }</pre>
 */
public final class Classifier {

    private final Network net;
    private final float[][] w;
    private final float[][] b;
    private final List<String> labels;
    private final CpuInference inference;

    Classifier(Network net, float[][] parameters, List<String> labels) {
        this(net, parameters, labels, Settings.current(Map.of()));
    }

    /** With the threads and kernels that {@code settings} configure ({@code mlp4j.threads}, {@code mlp4j.cpu.vector}). */
    Classifier(Network net, float[][] parameters, List<String> labels, Settings settings) {
        this.net = net;
        int layers = net.layers();
        this.w = new float[layers][];
        this.b = new float[layers][];
        for (int l = 0; l < layers; l++) {
            w[l] = parameters[l].clone();
            b[l] = parameters[layers + l].clone();
            if (w[l].length != net.in(l) * net.out(l) || b[l].length != net.out(l)) {
                throw new IllegalArgumentException("layer " + (l + 1) + " parameters do not fit " + net);
            }
        }
        if (labels.size() != net.outputs()) {
            throw new IllegalArgumentException(labels.size() + " labels for " + net.outputs() + " outputs");
        }
        this.labels = List.copyOf(labels);
        this.inference = CpuInference.create(net.sizes(), w, b, CpuProvider.useVector(settings),
                CpuProvider.threads(settings));
    }

    private Classifier(Classifier c, CpuInference inference) {
        this.net = c.net;
        this.w = c.w;
        this.b = c.b;
        this.labels = c.labels;
        this.inference = inference;
    }

    /**
     * This classifier with batches spread over {@code threads} threads (single images always run on the caller's
     * thread). The weights are shared, not copied.
     *
     * @param threads threads for batches, at least 1
     * @return a classifier with the same weights
     */
    public Classifier withThreads(int threads) {
        CpuInference i = inference.withThreads(threads);
        return i == inference ? this : new Classifier(this, i);
    }

    /**
     * How predictions run, e.g. "Vector API, 2 threads".
     *
     * @return the kernels and threads in words
     */
    public String engine() {
        return inference.description();
    }

    static List<String> defaultLabels(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Integer.toString(i));
        }
        return out;
    }

    /**
     * Loads a model file: safetensors (ours, or a PyTorch state_dict of the tutorial's model saved as
     * safetensors), or, when the name ends in {@code .onnx} and the module {@code io.mlp4j.onnx} is present, an
     * ONNX MLP (ours, or one exported by {@code torch.onnx.export}). A final Softmax or LogSoftmax in an ONNX
     * graph is left out: {@link #logits} gives the values before it, {@link #probabilities} the softmax.
     *
     * @param file a {@code .safetensors} or {@code .onnx} file
     * @return the classifier it holds
     * @throws IOException naming the file if it cannot be read or is not a model of this kind
     */
    public static Classifier load(Path file) throws IOException {
        return loadWithMetadata(file).classifier();
    }

    /** A loaded model and its file's metadata. */
    record Loaded(Classifier classifier, Map<String, String> metadata) {
    }

    static Loaded loadWithMetadata(Path file) throws IOException {
        ModelData m = ModelFormats.read(file);
        Network net = Network.of(m.layerSizes());
        float[][] p = new float[2 * net.layers()][];
        for (int l = 0; l < net.layers(); l++) {
            p[l] = m.weights()[l];
            p[net.layers() + l] = m.biases()[l];
        }
        String labelText = m.metadata().get("labels");
        List<String> labels = labelText == null ? defaultLabels(net.outputs()) : Arrays.asList(labelText.split(",", -1));
        if (labels.size() != net.outputs()) {
            throw new IOException(file + ": metadata 'labels' names " + labels.size() + " classes but the model has "
                    + net.outputs() + " outputs");
        }
        return new Loaded(new Classifier(net, p, labels), m.metadata());
    }

    /**
     * The default digit model bundled with the library (resource {@code /io/mlp4j/default-model.safetensors}): a
     * 784-256-10 network trained on MNIST by our own {@code mlp4j train} (98.1% test accuracy; README shows the
     * command). Loaded once, then shared.
     *
     * @return the bundled classifier
     * @throws IOException if this build has no bundled model, or it cannot be read
     */
    public static Classifier pretrained() throws IOException {
        Classifier c = pretrained;
        if (c == null) {
            c = loadPretrained();
            pretrained = c; // immutable, so sharing one instance is safe; a racing second load is harmless
        }
        return c;
    }

    private static volatile Classifier pretrained;

    private static Classifier loadPretrained() throws IOException {
        String resource = "/io/mlp4j/default-model.safetensors";
        try (java.io.InputStream in = Classifier.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("this build of mlp4j has no bundled default model (resource " + resource
                        + " is missing); train one with 'mlp4j train --out DIR' and load DIR/model.safetensors");
            }
            Path tmp = java.nio.file.Files.createTempFile("mlp4j-default-model", ".safetensors");
            try {
                java.nio.file.Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                return load(tmp);
            } finally {
                java.nio.file.Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * The string metadata a model file holds (safetensors {@code __metadata__}, ONNX {@code metadata_props}), after
     * the same checks as {@link #load}.
     *
     * @param file a {@code .safetensors} or {@code .onnx} file
     * @return the metadata, empty if there is none
     * @throws IOException naming the file if it cannot be read or is not a model of this kind
     */
    public static Map<String, String> metadata(Path file) throws IOException {
        return loadWithMetadata(file).metadata();
    }

    /**
     * Saves atomically (a temporary file, then a rename): as ONNX when the name ends in {@code .onnx} (needs the
     * module {@code io.mlp4j.onnx}), else as safetensors.
     *
     * @param file where to write; replaced if it exists
     * @throws IOException if the file cannot be written (nothing is left at {@code file} then)
     */
    public void save(Path file) throws IOException {
        save(file, Map.of());
    }

    /**
     * Saves like {@link #save(Path)}, with extra string metadata stored in the file (e.g. how the model was
     * trained). The keys this class writes itself (format, network, activation, input, labels) win.
     *
     * @param file where to write; replaced if it exists
     * @param extraMetadata string keys and values to store
     * @throws IOException if the file cannot be written (nothing is left at {@code file} then)
     */
    public void save(Path file, Map<String, String> extraMetadata) throws IOException {
        Map<String, String> meta = new HashMap<>(extraMetadata);
        meta.put("format", "mlp4j");
        meta.put("format_version", "1");
        meta.put("network", net.toString());
        meta.put("activation", "relu");
        meta.put("input", "uint8 pixels / 255, row-major " + net.inputs());
        meta.put("labels", String.join(",", labels));
        ModelFormats.write(file, new ModelData(net.sizes(), w, b, meta));
    }

    /**
     * The shape of the network.
     *
     * @return the network
     */
    public Network network() {
        return net;
    }

    /**
     * The class labels, index by index (by default "0".."9").
     *
     * @return one label per class
     */
    public List<String> labels() {
        return labels;
    }

    /**
     * Logits for one input of {@code network().inputs()} floats.
     *
     * @param input {@code network().inputs()} floats
     * @return one raw score per class
     */
    public float[] logits(float[] input) {
        checkInput(input);
        float[] z = new float[net.outputs()];
        inference.logits(input, z);
        return z;
    }

    /**
     * Softmax probabilities for one input of {@code network().inputs()} floats in [0, 1].
     *
     * @param input {@code network().inputs()} floats in [0, 1]
     * @return one probability per class, summing to 1
     */
    public float[] probabilities(float[] input) {
        float[] z = logits(input);
        softmax(z, 0, z, 0, z.length);
        return z;
    }

    /**
     * Softmax probabilities for uint8 pixels (0 = background).
     *
     * @param pixels {@code network().inputs()} bytes, read as unsigned
     * @return one probability per class, summing to 1
     */
    public float[] probabilities(byte[] pixels) {
        checkPixels(pixels);
        float[] z = new float[net.outputs()];
        inference.logits(pixels, z);
        softmax(z, 0, z, 0, z.length);
        return z;
    }

    private static float max(float[] z, int at, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, z[at + i]);
        }
        return max;
    }

    /** The softmax's denominator, shifted by {@code max} so that no exponential overflows. */
    private static double expSum(float[] z, int at, int n, float max) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(z[at + i] - max);
        }
        return sum;
    }

    /** {@code p[pAt, pAt + n) = softmax(z[zAt, zAt + n))}; {@code p} may be {@code z}. */
    private static void softmax(float[] z, int zAt, float[] p, int pAt, int n) {
        float max = max(z, zAt, n);
        double sum = expSum(z, zAt, n, max);
        for (int i = 0; i < n; i++) {
            p[pAt + i] = (float) (Math.exp(z[zAt + i] - max) / sum);
        }
    }

    /**
     * The most likely class index for an input of floats in [0, 1].
     *
     * @param input {@code network().inputs()} floats in [0, 1]
     * @return the index of the most likely class
     */
    public int predict(float[] input) {
        checkInput(input);
        return inference.predict(input);
    }

    /**
     * The most likely class index for uint8 pixels (0 = background), e.g. a 28x28 MNIST image.
     *
     * @param pixels {@code network().inputs()} bytes, read as unsigned
     * @return the index of the most likely class
     */
    public int predict(byte[] pixels) {
        checkPixels(pixels);
        return inference.predict(pixels);
    }

    /**
     * The {@code k} most likely classes, most likely first.
     *
     * @param input {@code network().inputs()} floats in [0, 1]
     * @param k how many classes, at least 1 (more than there are gives all)
     * @return the predictions, most likely first
     */
    public List<Prediction> top(float[] input, int k) {
        return topOf(probabilities(input), k);
    }

    private List<Prediction> topOf(float[] p, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < p.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Float.compare(p[y], p[x]));
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < Math.min(k, p.length); i++) {
            out.add(new Prediction(order[i], labels.get(order[i]), p[order[i]]));
        }
        return out;
    }

    /**
     * The {@code k} most likely classes for uint8 pixels.
     *
     * @param pixels {@code network().inputs()} bytes, read as unsigned
     * @param k how many classes, at least 1 (more than there are gives all)
     * @return the predictions, most likely first
     */
    public List<Prediction> top(byte[] pixels, int k) {
        return topOf(probabilities(pixels), k);
    }

    /**
     * Predictions for a batch of inputs of floats in [0, 1], spread over the configured threads.
     *
     * @param inputs one row of {@code network().inputs()} floats per input
     * @return the most likely class of each input, in order
     */
    public int[] predict(float[][] inputs) {
        checkBatch(inputs);
        int[] out = new int[inputs.length];
        inference.run((row, x, at) -> stageFloats(inputs[row], row, x, at), inputs.length,
                (row, z, at) -> out[row] = CpuInference.argMax(z, at, net.outputs()));
        return out;
    }

    /**
     * Predictions for a batch of uint8 pixel rows (0 = background), spread over the configured threads.
     *
     * @param pixels one row of {@code network().inputs()} bytes per image, read as unsigned
     * @return the most likely class of each image, in order
     */
    public int[] predict(byte[][] pixels) {
        checkBatch(pixels);
        int[] out = new int[pixels.length];
        inference.run((row, x, at) -> CpuInference.scalePixels(pixels[row], 0, x, at, net.inputs()), pixels.length,
                (row, z, at) -> out[row] = CpuInference.argMax(z, at, net.outputs()));
        return out;
    }

    /**
     * Predictions for every image of a data set, in its order, spread over the configured threads.
     *
     * @param data images of {@code network().inputs()} pixels
     * @return the most likely class of each image, in order
     */
    public int[] predict(DataSet data) {
        checkData(data);
        int[] out = new int[data.size()];
        inference.run(source(data), data.size(), (row, z, at) -> out[row] = CpuInference.argMax(z, at, net.outputs()));
        return out;
    }

    /**
     * Softmax probabilities for a batch of inputs of floats in [0, 1], one row of classes per input.
     *
     * @param inputs one row of {@code network().inputs()} floats per input
     * @return one row of probabilities per input
     */
    public float[][] probabilities(float[][] inputs) {
        checkBatch(inputs);
        float[][] out = new float[inputs.length][net.outputs()];
        inference.run((row, x, at) -> stageFloats(inputs[row], row, x, at), inputs.length,
                (row, z, at) -> softmax(z, at, out[row], 0, net.outputs()));
        return out;
    }

    /**
     * Mean cross-entropy loss and accuracy on a labelled data set, on the CPU over the configured threads.
     *
     * @param data labelled images of {@code network().inputs()} pixels
     * @return the mean loss and the accuracy
     */
    public Evaluation evaluate(DataSet data) {
        checkData(data);
        int n = data.size();
        for (int i = 0; i < n; i++) {
            if (data.label(i) >= net.outputs()) {
                throw new IllegalArgumentException(data.name() + ": label " + data.label(i) + " of sample " + i
                        + " is outside the model's " + net.outputs() + " classes");
            }
        }
        double[] loss = new double[n];
        boolean[] hit = new boolean[n];
        inference.run(source(data), n, (row, z, at) -> {
            int label = data.label(row);
            int classes = net.outputs();
            float max = max(z, at, classes);
            double sum = expSum(z, at, classes, max);
            // -log(softmax) with the probability floored as a float would be: a confident wrong answer costs ~87
            double p = Math.exp(z[at + label] - max) / sum;
            loss[row] = -Math.log(Math.max(p, Float.MIN_NORMAL));
            hit[row] = CpuInference.argMax(z, at, classes) == label;
        });
        double total = 0; // summed in row order: the same result for any thread count
        int correct = 0;
        for (int i = 0; i < n; i++) {
            total += loss[i];
            correct += hit[i] ? 1 : 0;
        }
        int d = Math.max(1, n);
        return new Evaluation(total / d, (double) correct / d, n);
    }

    private CpuInference.RowSource source(DataSet data) {
        byte[] pixels = DataSetAccess.get().pixels(data);
        int[] rows = DataSetAccess.get().sampleRows(data);
        int f = data.features();
        return (row, x, at) -> CpuInference.scalePixels(pixels, (rows == null ? row : rows[row]) * f, x, at, f);
    }

    private void stageFloats(float[] input, int row, float[] x, int at) {
        System.arraycopy(input, 0, x, at, input.length);
        if (!inference.allFinite(input)) {
            throw new IllegalArgumentException("input " + row + " contains " + firstNonFinite(input)
                    + "; expected finite values in [0, 1]");
        }
    }

    private void checkBatch(Object[] rows) {
        Objects.requireNonNull(rows, "inputs");
        for (int i = 0; i < rows.length; i++) {
            Object r = rows[i];
            int length = r instanceof float[] f ? f.length : r instanceof byte[] p ? p.length : -1;
            if (r == null) {
                throw new NullPointerException("input " + i + " is null");
            }
            if (length != net.inputs()) {
                throw new IllegalArgumentException("input " + i + " has " + length + " values; the model " + net
                        + " takes " + net.inputs());
            }
        }
    }

    private void checkData(DataSet data) {
        Objects.requireNonNull(data, "data");
        if (data.features() != net.inputs()) {
            throw new IllegalArgumentException(data.name() + " has " + data.features() + " pixels per image, but the"
                    + " model " + net + " takes " + net.inputs());
        }
    }

    float[][] parameters() {
        float[][] p = new float[2 * net.layers()][];
        for (int l = 0; l < net.layers(); l++) {
            p[l] = w[l].clone();
            p[net.layers() + l] = b[l].clone();
        }
        return p;
    }

    private void checkPixels(byte[] pixels) {
        Objects.requireNonNull(pixels, "pixels");
        if (pixels.length != net.inputs()) {
            throw new IllegalArgumentException("expected " + net.inputs() + " pixels, got " + pixels.length);
        }
    }

    private void checkInput(float[] input) {
        Objects.requireNonNull(input, "input");
        if (input.length != net.inputs()) {
            throw new IllegalArgumentException("expected " + net.inputs() + " inputs, got " + input.length);
        }
        if (!inference.allFinite(input)) {
            throw new IllegalArgumentException("input contains " + firstNonFinite(input)
                    + "; expected finite values in [0, 1]");
        }
    }

    private static float firstNonFinite(float[] v) {
        for (float x : v) {
            if (!Float.isFinite(x)) {
                return x;
            }
        }
        return 0f;
    }
}
