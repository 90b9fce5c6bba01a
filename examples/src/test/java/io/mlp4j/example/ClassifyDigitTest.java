package io.mlp4j.example;

import io.mlp4j.Network;
import io.mlp4j.Trainer;
import io.mlp4j.data.DataSet;
import io.mlp4j.data.Mnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The example app, on a picture of MNIST test digit 0 (a 7) drawn dark on white, three times larger. */
class ClassifyDigitTest {

    @TempDir
    Path tmp;

    /** The bundled default model (resource io/mlp4j/default-model.safetensors): missing it is a failure. */
    @Test
    void withTheBundledModel() throws IOException {
        Path png = seven();
        String answer = ClassifyDigit.classify(png, null);
        assertTrue(answer.startsWith("7 ("), answer);
    }

    /** Needs safetensors saving and loading in the library. */
    @Test
    void withAModelFile() throws IOException {
        Mnist mnist = mnist();
        Path model = tmp.resolve("model.safetensors");
        try (Trainer t = Trainer.builder(Network.of(784, 32, 10)).backend("cpu").seed(3).build()) {
            t.fit(mnist.train().head(20_000), null, 2, 0.5);
            t.classifier().save(model);
        }
        String answer = ClassifyDigit.classify(seven(), model);
        assertTrue(answer.matches("7 \\(\\d\\.\\d{3}\\)"), answer);
    }

    private Path seven() throws IOException {
        DataSet test = mnist().test();
        byte[] px = test.image(0);
        BufferedImage img = new BufferedImage(120, 100, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 100; y++) {
            for (int x = 0; x < 120; x++) {
                int sx = (x - 30) / 3;
                int sy = (y - 6) / 3;
                int v = sx >= 0 && sy >= 0 && sx < 28 && sy < 28 && x >= 30 && y >= 6 ? px[sy * 28 + sx] & 0xFF : 0;
                int g = 255 - v;
                img.setRGB(x, y, (g << 16) | (g << 8) | g);
            }
        }
        Path png = tmp.resolve("seven.png");
        ImageIO.write(img, "png", png.toFile());
        return png;
    }

    private static Mnist mnist() throws IOException {
        String d = System.getProperty("mlp4j.data");
        if (d == null || d.isBlank() || d.contains("${")) {
            d = System.getenv("MLP4J_DATA");
        }
        Path dir = Path.of(d == null || d.isBlank() ? "../shared/mnist" : d);
        if (!Files.isDirectory(dir) && !"true".equals(System.getenv("CI"))) {
            assumeTrue(false, "MNIST not found at " + dir + "; set MLP4J_DATA");
        }
        return Mnist.load(dir);
    }
}
