package io.mlp4j.picture;

import io.mlp4j.Classifier;
import io.mlp4j.Network;
import io.mlp4j.Prediction;
import io.mlp4j.Trainer;
import io.mlp4j.data.DataSet;
import io.mlp4j.data.Mnist;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Pictures#input}: pictures of MNIST test digits redrawn bigger, off-centre and dark on light must get
 * (nearly always) the answer the model gives for the original 28x28 input. Needs no model file: the model is
 * trained here for two epochs.
 */
class InputTest {

    private static Classifier model;
    private static DataSet test;

    @BeforeAll
    static void train() {
        Mnist mnist = TestPictures.mnist();
        test = mnist.test();
        try (Trainer t = Trainer.builder(Network.of(784, 32, 10)).backend("cpu").seed(1).build()) {
            t.fit(mnist.train().head(20_000), null, 2, 0.5);
            model = t.classifier();
        }
    }

    @Test
    void mnistDigitsAsTheyAreGiveTheSameAnswer() {
        int same = 0;
        for (int i = 0; i < 200; i++) {
            same += predict(TestPictures.asIs(test, i)) == model.predict(test.imageAsFloats(i)) ? 1 : 0;
        }
        assertTrue(same >= 190, same + " of 200 agree");
    }

    @Test
    void darkOnLightBigAndOffCentreGiveTheSameAnswer() throws IOException {
        int same = 0;
        int right = 0;
        for (int i = 0; i < 100; i++) {
            BufferedImage img = TestPictures.onPaper(test, i, 2 + i % 5, 300, 220, 7 + (i * 37) % 120,
                    3 + (i * 11) % 60);
            if (i % 3 == 0) {
                img = jpeg(img);
            }
            int p = predict(img);
            same += p == model.predict(test.imageAsFloats(i)) ? 1 : 0;
            right += p == test.label(i) ? 1 : 0;
        }
        assertTrue(same >= 85, same + " of 100 agree with the 28x28 answer");
        assertTrue(right >= 80, right + " of 100 right");
    }

    @Test
    void topKIsSortedAndSumsToAtMostOne() {
        List<Prediction> top = model.top(Pictures.input(TestPictures.onPaper(test, 0, 5, 200, 200, 40, 30)), 3);
        assertEquals(3, top.size());
        assertTrue(top.get(0).probability() >= top.get(1).probability());
        assertTrue(top.get(1).probability() >= top.get(2).probability());
        assertTrue(top.stream().mapToDouble(Prediction::probability).sum() <= 1.0001);
    }

    @Test
    void blankTinyAndTransparentPicturesDoNotFail() {
        BufferedImage white = new BufferedImage(50, 40, BufferedImage.TYPE_INT_RGB);
        white.getGraphics().fillRect(0, 0, 50, 40);
        assertTrue(Pictures.blank(Pictures.input(white)));
        assertTrue(Pictures.blank(Pictures.input(new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY))));
        BufferedImage clear = new BufferedImage(64, 64, BufferedImage.TYPE_INT_ARGB);
        for (int y = 20; y < 50; y++) {
            clear.setRGB(30, y, 0xFF000000); // a black stroke on a transparent page: a "1"
            clear.setRGB(31, y, 0xFF000000);
        }
        assertFalse(Pictures.blank(Pictures.input(clear)));
        assertEquals(1, predict(clear));
    }

    /**
     * The inputs of 60 pictures (grey as MNIST stores them, RGB on paper at several scales and places), pinned
     * by a checksum of their float bits: the value the preprocessing gave when it was part of the core's
     * {@code Classifier}, so moving it changed no input by a single bit.
     */
    @Test
    void inputsAreBitForBitThoseOfTheCoresFormerPreprocessing() throws IOException {
        assertEquals(EXPECTED_CRC, crcOfInputs(test));
    }

    static final long EXPECTED_CRC = 708_774_646L;

    static long crcOfInputs(DataSet test) throws IOException {
        CRC32 crc = new CRC32();
        for (int i = 0; i < 20; i++) {
            for (BufferedImage img : List.of(TestPictures.asIs(test, i),
                    TestPictures.onPaper(test, i, 1 + i % 6, 90 + 7 * i, 80 + 5 * i, i, 2 * i),
                    TestPictures.onPaper(test, i, 3, 100, 100, 5, 7))) {
                for (float v : Pictures.input(img)) {
                    int bits = Float.floatToRawIntBits(v);
                    crc.update(new byte[]{(byte) bits, (byte) (bits >> 8), (byte) (bits >> 16), (byte) (bits >> 24)});
                }
            }
        }
        return crc.getValue();
    }

    private static int predict(BufferedImage picture) {
        return model.predict(Pictures.input(picture));
    }

    private static BufferedImage jpeg(BufferedImage img) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(TestPictures.encode(img, "jpeg")));
    }
}
