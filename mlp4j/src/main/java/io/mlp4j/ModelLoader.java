package io.mlp4j;

import io.mlp4j.io.ModelFile;
import io.mlp4j.io.ModelFormats;
import io.mlp4j.spi.ModelData;
import io.mlp4j.training.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Model files to classifiers and back: the metadata a model file carries, the labels, the bundled model. */
final class ModelLoader {

    static final String PRETRAINED = "/io/mlp4j/default-model.safetensors";

    /** A loaded model and its file's metadata. */
    record Loaded(Classifier classifier, Map<String, String> metadata) {
    }

    private static volatile Classifier pretrained;

    private ModelLoader() {
    }

    static Loaded load(Path file) throws IOException {
        return of(ModelFormats.read(file), file.toString());
    }

    /** The bundled model, read from the module's resource in memory, once, then shared (it is immutable). */
    static Classifier pretrained() throws IOException {
        Classifier c = pretrained;
        if (c == null) {
            byte[] bytes;
            try (InputStream in = Classifier.class.getResourceAsStream(PRETRAINED)) {
                if (in == null) {
                    throw new IOException("this build of mlp4j has no bundled default model (resource " + PRETRAINED
                            + " is missing); train one with 'mlp4j train --out DIR' and load DIR/model.safetensors");
                }
                bytes = in.readAllBytes();
            }
            c = of(ModelFile.read("resource " + PRETRAINED, bytes), PRETRAINED).classifier();
            pretrained = c; // a racing second load is harmless
        }
        return c;
    }

    private static Loaded of(ModelData m, String source) throws IOException {
        Network net = Network.of(m.layerSizes());
        String labelText = m.metadata().get("labels");
        List<String> labels = labelText == null ? defaultLabels(net.outputs()) : Arrays.asList(labelText.split(",", -1));
        if (labels.size() != net.outputs()) {
            throw new IOException(source + ": metadata 'labels' names " + labels.size() + " classes but the model has "
                    + net.outputs() + " outputs");
        }
        return new Loaded(new Classifier(net, new Parameters(m.weights(), m.biases()), labels), m.metadata());
    }

    static List<String> defaultLabels(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Integer.toString(i));
        }
        return out;
    }

    /** The model as a file holds it: the classifier's own metadata keys win over {@code extra}. */
    static ModelData toModelData(Network net, Parameters p, List<String> labels, Map<String, String> extra) {
        Map<String, String> meta = new HashMap<>(extra);
        meta.put("format", "mlp4j");
        meta.put("format_version", "1");
        meta.put("network", net.toString());
        meta.put("activation", "relu");
        meta.put("input", "uint8 pixels / 255, row-major " + net.inputs());
        meta.put("labels", String.join(",", labels));
        return new ModelData(net.sizes(), p.weights(), p.biases(), meta);
    }
}
