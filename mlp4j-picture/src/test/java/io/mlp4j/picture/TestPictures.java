package io.mlp4j.picture;

import io.mlp4j.data.DataSet;
import io.mlp4j.data.Mnist;
import io.mlp4j.testsupport.TestMnist;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** MNIST for the tests, and pictures of its digits as a person might make them. */
final class TestPictures {

    private TestPictures() {
    }

    /** The real MNIST (see {@link TestMnist}). */
    static Mnist mnist() {
        return TestMnist.mnist();
    }

    /**
     * Sample {@code i} drawn {@code scale} times larger (bilinear) as dark ink on a light grey-blue RGB page of
     * {@code width x height}, its top-left corner at {@code (x, y)}.
     */
    static BufferedImage onPaper(DataSet data, int i, int scale, int width, int height, int x, int y) {
        byte[] px = data.image(i);
        int side = data.rows();
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int yy = 0; yy < height; yy++) {
            for (int xx = 0; xx < width; xx++) {
                double sx = (xx - x + 0.5) / scale - 0.5;
                double sy = (yy - y + 0.5) / scale - 0.5;
                double v = bilinear(px, side, sx, sy) / 255.0;
                int r = (int) Math.round(235 - v * 215);
                int g = (int) Math.round(238 - v * 218);
                int b = (int) Math.round(245 - v * 200);
                img.setRGB(xx, yy, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    /** Sample {@code i} as it is: light ink on black, 8-bit grey, 28x28. */
    static BufferedImage asIs(DataSet data, int i) {
        BufferedImage img = new BufferedImage(data.cols(), data.rows(), BufferedImage.TYPE_BYTE_GRAY);
        byte[] px = data.image(i);
        for (int y = 0; y < data.rows(); y++) {
            for (int x = 0; x < data.cols(); x++) {
                img.getRaster().setSample(x, y, 0, px[y * data.cols() + x] & 0xFF);
            }
        }
        return img;
    }

    static byte[] encode(BufferedImage img, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static double bilinear(byte[] px, int side, double x, double y) {
        if (x < -1 || y < -1 || x > side || y > side) {
            return 0;
        }
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        double fx = x - x0;
        double fy = y - y0;
        return at(px, side, x0, y0) * (1 - fx) * (1 - fy) + at(px, side, x0 + 1, y0) * fx * (1 - fy)
                + at(px, side, x0, y0 + 1) * (1 - fx) * fy + at(px, side, x0 + 1, y0 + 1) * fx * fy;
    }

    private static double at(byte[] px, int side, int x, int y) {
        return x < 0 || y < 0 || x >= side || y >= side ? 0 : px[y * side + x] & 0xFF;
    }
}
