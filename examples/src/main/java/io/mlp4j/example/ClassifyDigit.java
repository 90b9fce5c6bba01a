package io.mlp4j.example;

import io.mlp4j.Classifier;
import io.mlp4j.Prediction;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code java -p mods -m io.mlp4j.example/io.mlp4j.example.ClassifyDigit IMAGE [MODEL]}: prints the most likely
 * digit in the picture and its probability, with mlp4j's bundled model or a model file.
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
        BufferedImage picture = ImageIO.read(image.toFile());
        if (picture == null) {
            throw new IOException(image + ": not a picture ImageIO can read");
        }
        List<Prediction> best = classifier.top(picture, 1);
        return best.get(0).toString();
    }
}
