package io.mlp4j.spark;

import io.mlp4j.Classifier;
import io.mlp4j.data.Mnist;
import io.mlp4j.testsupport.TestMnist;
import org.apache.spark.sql.SparkSession;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the tests share, once per JVM: the local[2] session, the bundled model as a file, MNIST. */
final class SparkTests {

    private static SparkSession spark;
    private static Path model;

    private SparkTests() {
    }

    static synchronized SparkSession spark() {
        if (spark == null) {
            spark = SparkSession.builder().master("local[2]").appName("mlp4j-spark tests")
                    .config("spark.ui.enabled", false)
                    .config("spark.ui.showConsoleProgress", false) // its carriage returns clutter the test log
                    .config("spark.sql.shuffle.partitions", 4)
                    .getOrCreate();
        }
        return spark;
    }

    static synchronized Classifier classifier() {
        try {
            return Classifier.pretrained();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bundled model saved as a file, as a user's job would name it. */
    static synchronized String model() {
        if (model == null) {
            try {
                Path dir = Files.createTempDirectory("mlp4j-spark-model");
                model = dir.resolve("model.safetensors");
                classifier().save(model);
                dir.toFile().deleteOnExit();
                model.toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return model.toString();
    }

    static Path dataDir() {
        return TestMnist.dataDir();
    }

    /** The real MNIST (see {@link TestMnist}). */
    static Mnist mnist() {
        return TestMnist.mnist();
    }

    /** A 28x28 grey picture of MNIST pixels (0 = black background, as MNIST stores them). */
    static BufferedImage picture(byte[] pixels) {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, 28, 28, pixels);
        return img;
    }

    static byte[] png(BufferedImage img) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
