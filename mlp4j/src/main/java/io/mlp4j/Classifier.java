package io.mlp4j;

import io.mlp4j.spi.Settings;
import io.mlp4j.backend.cpu.CpuInference;
import io.mlp4j.backend.cpu.CpuProvider;
import io.mlp4j.data.DataSet;
import io.mlp4j.io.ModelFormats;
import io.mlp4j.training.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

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
    private final Parameters params;
    private final List<String> labels;
    private final CpuInference inference;

    Classifier(Network net, Parameters parameters, List<String> labels) {
        this(net, parameters, labels, Settings.current(Map.of()));
    }

    /** With the threads and kernels that {@code settings} configure ({@code mlp4j.threads}, {@code mlp4j.cpu.vector}). */
    Classifier(Network net, Parameters parameters, List<String> labels, Settings settings) {
        this.net = net;
        this.params = parameters.checkShape(net.sizes()).copy();
        if (labels.size() != net.outputs()) {
            throw new IllegalArgumentException(labels.size() + " labels for " + net.outputs() + " outputs");
        }
        this.labels = List.copyOf(labels);
        this.inference = CpuInference.create(net.sizes(), params.weights(), params.biases(),
                CpuProvider.useVector(settings), CpuProvider.threads(settings));
    }

    private Classifier(Classifier c, CpuInference inference) {
        this.net = c.net;
        this.params = c.params;
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
        return ModelLoader.load(file).classifier();
    }

    /**
     * The default digit model bundled with the library (resource {@code /io/mlp4j/default-model.safetensors}): a
     * 784-256-10 network trained on MNIST by our own {@code mlp4j train} (README gives the command and its test
     * accuracy). Read from the module in memory once, then shared.
     *
     * @return the bundled classifier
     * @throws IOException if this build has no bundled model, or it cannot be read
     */
    public static Classifier pretrained() throws IOException {
        return ModelLoader.pretrained();
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
        return ModelLoader.load(file).metadata();
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
        ModelFormats.write(file, ModelLoader.toModelData(net, params, labels, extraMetadata));
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
        InputChecks.input(net, inference, input);
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
        Softmax.softmax(z, 0, z, 0, z.length);
        return z;
    }

    /**
     * Softmax probabilities for uint8 pixels (0 = background).
     *
     * @param pixels {@code network().inputs()} bytes, read as unsigned
     * @return one probability per class, summing to 1
     */
    public float[] probabilities(byte[] pixels) {
        InputChecks.pixels(net, pixels);
        float[] z = new float[net.outputs()];
        inference.logits(pixels, z);
        Softmax.softmax(z, 0, z, 0, z.length);
        return z;
    }

    /**
     * The most likely class index for an input of floats in [0, 1].
     *
     * @param input {@code network().inputs()} floats in [0, 1]
     * @return the index of the most likely class
     */
    public int predict(float[] input) {
        InputChecks.input(net, inference, input);
        return inference.predict(input);
    }

    /**
     * The most likely class index for uint8 pixels (0 = background), e.g. a 28x28 MNIST image.
     *
     * @param pixels {@code network().inputs()} bytes, read as unsigned
     * @return the index of the most likely class
     */
    public int predict(byte[] pixels) {
        InputChecks.pixels(net, pixels);
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
        InputChecks.batch(net, inputs);
        int[] out = new int[inputs.length];
        inference.run((row, x, at) -> InputChecks.stage(inference, inputs[row], row, x, at), inputs.length,
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
        InputChecks.batch(net, pixels);
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
        InputChecks.dataSet(net, data);
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
        InputChecks.batch(net, inputs);
        float[][] out = new float[inputs.length][net.outputs()];
        inference.run((row, x, at) -> InputChecks.stage(inference, inputs[row], row, x, at), inputs.length,
                (row, z, at) -> Softmax.softmax(z, at, out[row], 0, net.outputs()));
        return out;
    }

    /**
     * Mean cross-entropy loss and accuracy on a labelled data set, on the CPU over the configured threads.
     *
     * @param data labelled images of {@code network().inputs()} pixels
     * @return the mean loss and the accuracy
     */
    public Evaluation evaluate(DataSet data) {
        InputChecks.dataSet(net, data);
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
            loss[row] = Softmax.crossEntropy(z, at, net.outputs(), label);
            hit[row] = CpuInference.argMax(z, at, net.outputs()) == label;
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

    private static CpuInference.RowSource source(DataSet data) {
        return (row, x, at) -> data.imageAsFloats(row, x, at); // no copy of the set
    }

    /** A copy of the parameters. */
    Parameters parameters() {
        return params.copy();
    }

}
