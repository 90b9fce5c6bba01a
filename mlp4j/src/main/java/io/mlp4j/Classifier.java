package io.mlp4j;

import io.mlp4j.data.DataSet;
import io.mlp4j.io.ModelData;
import io.mlp4j.io.ModelFile;

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
 * CPU (for single images that is faster than a round trip to a GPU).
 */
public final class Classifier {

    private final Network net;
    private final float[][] w;
    private final float[][] b;
    private final List<String> labels;

    Classifier(Network net, float[][] parameters, List<String> labels) {
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
    }

    static List<String> defaultLabels(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Integer.toString(i));
        }
        return out;
    }

    /** Loads a safetensors model file (ours, or a PyTorch state_dict of the tutorial's model saved as safetensors). */
    public static Classifier load(Path file) throws IOException {
        return loadWithMetadata(file).classifier();
    }

    /** A loaded model and its file's metadata. */
    record Loaded(Classifier classifier, Map<String, String> metadata) {
    }

    static Loaded loadWithMetadata(Path file) throws IOException {
        ModelData m = ModelFile.read(file);
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

    /** Saves as safetensors (atomically: a temporary file, then a rename). */
    public void save(Path file) throws IOException {
        save(file, Map.of());
    }

    void save(Path file, Map<String, String> extraMetadata) throws IOException {
        Map<String, String> meta = new HashMap<>(extraMetadata);
        meta.put("format", "mlp4j");
        meta.put("format_version", "1");
        meta.put("network", net.toString());
        meta.put("activation", "relu");
        meta.put("input", "uint8 pixels / 255, row-major " + net.inputs());
        meta.put("labels", String.join(",", labels));
        ModelFile.write(file, new ModelData(net.sizes(), w, b, meta));
    }

    public Network network() {
        return net;
    }

    /** The class labels, index by index (by default "0".."9"). */
    public List<String> labels() {
        return labels;
    }

    /** Logits for one input of {@code network().inputs()} floats. */
    public float[] logits(float[] input) {
        checkInput(input);
        float[] x = input;
        for (int l = 0; l < net.layers(); l++) {
            int in = net.in(l);
            int out = net.out(l);
            float[] y = new float[out];
            float[] wl = w[l];
            for (int o = 0; o < out; o++) {
                float s = 0f;
                int wo = o * in;
                for (int i = 0; i < in; i++) {
                    s += x[i] * wl[wo + i];
                }
                s += b[l][o];
                y[o] = l < net.layers() - 1 && s < 0f ? 0f : s;
            }
            x = y;
        }
        return x;
    }

    /** Softmax probabilities for one input of {@code network().inputs()} floats in [0, 1]. */
    public float[] probabilities(float[] input) {
        float[] z = logits(input);
        float max = Float.NEGATIVE_INFINITY;
        for (float v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : z) {
            sum += Math.exp(v - max);
        }
        float[] p = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = (float) (Math.exp(z[i] - max) / sum);
        }
        return p;
    }

    /** The most likely class index for an input of floats in [0, 1]. */
    public int predict(float[] input) {
        return argMax(logits(input));
    }

    /** The most likely class index for uint8 pixels (0 = background), e.g. a 28x28 MNIST image. */
    public int predict(byte[] pixels) {
        return predict(toFloats(pixels));
    }

    /** The {@code k} most likely classes, most likely first. */
    public List<Prediction> top(float[] input, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        float[] p = probabilities(input);
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

    /** The {@code k} most likely classes for uint8 pixels. */
    public List<Prediction> top(byte[] pixels, int k) {
        return top(toFloats(pixels), k);
    }

    /**
     * The most likely class for a picture of one digit of any size: grey or colour, dark ink on light paper or
     * light on dark, anywhere in the picture. It is preprocessed the way MNIST was made (grey, inverted if
     * the background is light, cropped to the ink, fitted into 20x20, centred by centre of mass in 28x28).
     * Needs the {@code java.desktop} module and a model with 28x28 = 784 inputs.
     */
    public int predict(java.awt.image.BufferedImage image) {
        return predict(ImagePreprocessor.toInput(image, net));
    }

    /** The {@code k} most likely classes for a picture of one digit, preprocessed as by {@code predict(image)}. */
    public List<Prediction> top(java.awt.image.BufferedImage image, int k) {
        return top(ImagePreprocessor.toInput(image, net), k);
    }

    /** Predictions for a batch of inputs. */
    public int[] predict(float[][] inputs) {
        int[] out = new int[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            out[i] = predict(inputs[i]);
        }
        return out;
    }

    /** Mean cross-entropy loss and accuracy on a labelled data set (on the CPU). */
    public Evaluation evaluate(DataSet data) {
        if (data.features() != net.inputs()) {
            throw new IllegalArgumentException(data.name() + " has " + data.features() + " pixels per image, but the"
                    + " model " + net + " takes " + net.inputs());
        }
        double loss = 0;
        int correct = 0;
        for (int i = 0; i < data.size(); i++) {
            float[] p = probabilities(data.imageAsFloats(i));
            int label = data.label(i);
            if (label >= p.length) {
                throw new IllegalArgumentException(data.name() + ": label " + label + " of sample " + i
                        + " is outside the model's " + p.length + " classes");
            }
            loss -= Math.log(Math.max(p[label], Float.MIN_NORMAL));
            correct += argMax(p) == label ? 1 : 0;
        }
        int n = Math.max(1, data.size());
        return new Evaluation(loss / n, (double) correct / n, data.size());
    }

    float[][] parameters() {
        float[][] p = new float[2 * net.layers()][];
        for (int l = 0; l < net.layers(); l++) {
            p[l] = w[l].clone();
            p[net.layers() + l] = b[l].clone();
        }
        return p;
    }

    private float[] toFloats(byte[] pixels) {
        Objects.requireNonNull(pixels, "pixels");
        if (pixels.length != net.inputs()) {
            throw new IllegalArgumentException("expected " + net.inputs() + " pixels, got " + pixels.length);
        }
        float[] x = new float[pixels.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (pixels[i] & 0xFF) * (1f / 255f);
        }
        return x;
    }

    private void checkInput(float[] input) {
        Objects.requireNonNull(input, "input");
        if (input.length != net.inputs()) {
            throw new IllegalArgumentException("expected " + net.inputs() + " inputs, got " + input.length);
        }
        for (float v : input) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("input contains " + v + "; expected finite values in [0, 1]");
            }
        }
    }

    private static int argMax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
