package io.mlp4j.example;

import io.mlp4j.Classifier;
import io.mlp4j.Prediction;
import io.mlp4j.picture.Pictures;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code java -p mods -m io.mlp4j.example/io.mlp4j.example.ClassifyDigit IMAGE [MODEL]}: prints the most likely
 * digit in the picture and its probability (or {@code blank}), with mlp4j's bundled model or a model file.
 */
public final class ClassifyDigit {

    private ClassifyDigit() {
    }

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: ClassifyDigit IMAGE [MODEL.safetensors]");
            System.exit(2);
        }
        try {
            System.out.println(classify(Path.of(args[0]), args.length == 2 && !args[1].isBlank()
                    ? Path.of(args[1]) : null));
        } catch (IOException | RuntimeException e) {
            System.err.println("ClassifyDigit: " + e.getMessage());
            System.exit(1);
        }
    }

    /** {@code 7 (0.981)}: the best guess for the picture, with the given model or (null) the bundled one. */
    public static String classify(Path image, Path model) throws IOException {
        Classifier classifier = model == null ? Classifier.pretrained() : Classifier.load(model);
        float[] input;
        try (InputStream in = Files.newInputStream(image)) {
            input = Pictures.input(Pictures.decode(in, image.toString(), Pictures.DEFAULT_MAX_PIXELS));
        }
        if (Pictures.blank(input)) {
            return "blank";
        }
        List<Prediction> best = classifier.top(input, 1);
        return best.get(0).toString();
    }
}
