package io.mlp4j.demo;

import io.mlp4j.data.DataSet;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pictures decode and have the promised sizes; they are also left in target/charts for a look. */
class ChartsTest {

    @Test
    void lineChartsGridAndConfusion() throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "charts"));
        double[] x = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        double[] acc = {0.1, 0.90, 0.92, 0.94, 0.95, 0.955, 0.965, 0.966, 0.967, 0.9675, 0.968};
        BufferedImage line = Charts.lineChart("Accuracy vs. No. of epochs", "epoch", "val_acc", x, acc);
        check(dir.resolve("accuracy.png"), line, Charts.LINE_WIDTH, Charts.LINE_HEIGHT);

        byte[] px = new byte[130 * 28 * 28];
        byte[] labels = new byte[130];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) ((i * 31) % 251);
        }
        DataSet data = DataSet.of("toy", px, labels, 28, 28);
        int[] idx = new int[128];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        BufferedImage grid = Charts.grid(data, idx, 16, 2);
        check(dir.resolve("batch.png"), grid, 482, 242);
        assertEquals(0, grid.getRaster().getSample(1, 1, 0), "padding is black");
        assertEquals(px[0] & 0xFF, grid.getRaster().getSample(2, 2, 0));

        int[][] counts = new int[10][10];
        for (int t = 0; t < 10; t++) {
            counts[t][t] = 950 + t;
            counts[t][(t + 3) % 10] = 7 * t;
        }
        List<String> names = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        check(dir.resolve("confusion.png"), Charts.confusion("Confusion", counts, names), Charts.CONFUSION_SIZE,
                Charts.CONFUSION_SIZE);
    }

    @Test
    void niceTicks() {
        assertArrayEquals(new double[] {0, 0.2, 0.4, 0.6, 0.8, 1.0}, Charts.niceTicks(0.1, 0.97, 6), 1e-9);
        assertArrayEquals(new double[] {0, 2, 4, 6, 8, 10}, Charts.niceTicks(0, 10, 6), 1e-9);
        double[] flat = Charts.niceTicks(0.5, 0.5, 6);
        assertTrue(flat.length >= 2 && flat[0] < 0.5 && flat[flat.length - 1] > 0.5);
    }

    private static void check(Path file, BufferedImage img, int w, int h) throws IOException {
        byte[] png = Charts.png(img);
        Files.write(file, png);
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(png));
        assertNotNull(back);
        assertEquals(w, back.getWidth());
        assertEquals(h, back.getHeight());
    }
}
