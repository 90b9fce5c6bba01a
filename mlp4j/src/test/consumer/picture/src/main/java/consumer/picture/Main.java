package consumer.picture;

import io.mlp4j.Classifier;
import io.mlp4j.data.DataSet;
import io.mlp4j.data.Mnist;
import io.mlp4j.picture.Pictures;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;

/**
 * Classifies MNIST test digits redrawn as PNG pictures (dark on white, three times larger) with the bundled model,
 * through Pictures.decode and Pictures.input; a white page must be blank. Exits 1 below 95% on the first 200.
 */
public final class Main {
    public static void main(String[] args) throws Exception {
        DataSet test = Mnist.load(Path.of(args[0])).test().head(200);
        Classifier classifier = Classifier.pretrained();
        int correct = 0;
        for (int i = 0; i < test.size(); i++) {
            float[] input = Pictures.input(Pictures.decode(new ByteArrayInputStream(png(test.image(i))), "digit " + i,
                    Pictures.DEFAULT_MAX_PIXELS));
            if (classifier.predict(input) == test.label(i)) correct++;
        }
        boolean blank = Pictures.blank(Pictures.input(ImageIO.read(new ByteArrayInputStream(png(new byte[784])))));
        double accuracy = correct / (double) test.size();
        System.out.printf("pictures: accuracy on %d: %.3f; white page blank: %s; %s%n", test.size(), accuracy, blank,
                Main.class.getModule().isNamed() ? "module path" : "class path");
        if (accuracy < 0.95 || !blank) System.exit(1);
    }

    /** 28x28 MNIST pixels as a 84x84 PNG, dark ink on white paper. */
    private static byte[] png(byte[] pixels) throws Exception {
        BufferedImage img = new BufferedImage(84, 84, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 84; y++) {
            for (int x = 0; x < 84; x++) {
                int g = 255 - (pixels[(y / 3) * 28 + x / 3] & 0xFF);
                img.setRGB(x, y, g << 16 | g << 8 | g);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
