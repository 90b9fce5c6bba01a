package io.mlp4j.demo;

import io.mlp4j.data.DataSet;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/**
 * The demo's pictures, drawn with plain Java2D (no chart library: one less set of automatic modules to patch
 * for jlink, and a smaller image).
 */
final class Charts {

    static final int LINE_WIDTH = 640;
    static final int LINE_HEIGHT = 480;
    static final int CONFUSION_SIZE = 600;
    private static final Color LINE = new Color(31, 119, 180);
    private static final Color GRID = new Color(225, 225, 225);

    private Charts() {
    }

    /** A line chart with 'x' markers, like matplotlib's {@code plot(..., '-x')}. */
    static BufferedImage lineChart(String title, String xLabel, String yLabel, double[] xs, double[] ys) {
        BufferedImage img = new BufferedImage(LINE_WIDTH, LINE_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        int left = 80, right = LINE_WIDTH - 30, top = 50, bottom = LINE_HEIGHT - 60;
        double xMin = min(xs), xMax = max(xs), yMin = min(ys), yMax = max(ys);
        if (xMax == xMin) {
            xMax = xMin + 1;
        }
        double[] yTicks = niceTicks(yMin, yMax, 6);
        double[] xTicks = niceTicks(xMin, xMax, 10);
        yMin = Math.min(yMin, yTicks[0]);
        yMax = Math.max(yMax, yTicks[yTicks.length - 1]);
        if (yMax == yMin) {
            yMax = yMin + 1;
        }
        final double x0 = xMin, x1 = xMax, y0 = yMin, y1 = yMax;
        java.util.function.DoubleUnaryOperator px = v -> left + (v - x0) / (x1 - x0) * (right - left);
        java.util.function.DoubleUnaryOperator py = v -> bottom - (v - y0) / (y1 - y0) * (bottom - top);

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        for (double t : yTicks) {
            int y = (int) Math.round(py.applyAsDouble(t));
            g.setColor(GRID);
            g.drawLine(left, y, right, y);
            g.setColor(Color.DARK_GRAY);
            String s = format(t, yTicks);
            g.drawString(s, left - 8 - fm.stringWidth(s), y + fm.getAscent() / 2 - 1);
        }
        for (double t : xTicks) {
            if (t < xMin - 1e-9 || t > xMax + 1e-9) {
                continue;
            }
            int x = (int) Math.round(px.applyAsDouble(t));
            g.setColor(GRID);
            g.drawLine(x, top, x, bottom);
            g.setColor(Color.DARK_GRAY);
            String s = format(t, xTicks);
            g.drawString(s, x - fm.stringWidth(s) / 2, bottom + 18);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, right - left, bottom - top);

        g.setColor(LINE);
        g.setStroke(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        Path2D.Double path = new Path2D.Double();
        for (int i = 0; i < xs.length; i++) {
            double x = px.applyAsDouble(xs[i]);
            double y = py.applyAsDouble(ys[i]);
            if (i == 0) {
                path.moveTo(x, y);
            } else {
                path.lineTo(x, y);
            }
        }
        g.draw(path);
        g.setStroke(new BasicStroke(1.6f));
        for (int i = 0; i < xs.length; i++) {
            int x = (int) Math.round(px.applyAsDouble(xs[i]));
            int y = (int) Math.round(py.applyAsDouble(ys[i]));
            g.drawLine(x - 5, y - 5, x + 5, y + 5);
            g.drawLine(x - 5, y + 5, x + 5, y - 5);
        }

        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        centre(g, title, (left + right) / 2, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        centre(g, xLabel, (left + right) / 2, LINE_HEIGHT - 20);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        centre(g, yLabel, -(top + bottom) / 2, 22);
        g.setTransform(saved);
        g.dispose();
        return img;
    }

    /**
     * Images side by side, {@code perRow} to a row, with {@code padding} black pixels around each, like
     * torchvision's {@code make_grid(images, nrow=16)}; ink white on black, as the network sees it.
     */
    static BufferedImage grid(DataSet data, int[] indices, int perRow, int padding) {
        int rows = data.rows(), cols = data.cols();
        int gridRows = (indices.length + perRow - 1) / perRow;
        int width = perRow * (cols + padding) + padding;
        int height = gridRows * (rows + padding) + padding;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        var raster = img.getRaster();
        for (int k = 0; k < indices.length; k++) {
            byte[] px = data.image(indices[k]);
            int ox = padding + (k % perRow) * (cols + padding);
            int oy = padding + (k / perRow) * (rows + padding);
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < cols; x++) {
                    raster.setSample(ox + x, oy + y, 0, px[y * cols + x] & 0xFF);
                }
            }
        }
        return img;
    }

    static int gridWidth(int cols, int perRow, int padding) {
        return perRow * (cols + padding) + padding;
    }

    static int gridHeight(int rows, int count, int perRow, int padding) {
        return (count + perRow - 1) / perRow * (rows + padding) + padding;
    }

    /** A confusion matrix: rows the true class, columns the predicted one, counts in the cells. */
    static BufferedImage confusion(String title, int[][] counts, List<String> labels) {
        int n = counts.length;
        BufferedImage img = new BufferedImage(CONFUSION_SIZE, CONFUSION_SIZE, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        int left = 80, top = 70, size = CONFUSION_SIZE - left - 30;
        double cell = (double) size / n;
        int rowMax = 1;
        for (int[] row : counts) {
            for (int v : row) {
                rowMax = Math.max(rowMax, v);
            }
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, n <= 10 ? 13 : 9));
        for (int t = 0; t < n; t++) {
            for (int p = 0; p < n; p++) {
                int x = (int) Math.round(left + p * cell);
                int y = (int) Math.round(top + t * cell);
                int w = (int) Math.round(left + (p + 1) * cell) - x;
                int h = (int) Math.round(top + (t + 1) * cell) - y;
                double f = counts[t][p] == 0 ? 0 : Math.sqrt((double) counts[t][p] / rowMax);
                Color c = new Color((int) (255 - f * (255 - 8)), (int) (255 - f * (255 - 48)), (int) (255 - f * (255 - 107)));
                g.setColor(c);
                g.fillRect(x, y, w, h);
                g.setColor(f > 0.55 ? Color.WHITE : Color.BLACK);
                centre(g, Integer.toString(counts[t][p]), x + w / 2, y + h / 2 + g.getFontMetrics().getAscent() / 2 - 2);
            }
        }
        g.setColor(Color.GRAY);
        g.drawRect(left, top, size, size);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        for (int i = 0; i < n; i++) {
            int c = (int) Math.round(left + (i + 0.5) * cell);
            centre(g, labels.get(i), c, top - 8);
            int r = (int) Math.round(top + (i + 0.5) * cell);
            g.drawString(labels.get(i), left - 10 - g.getFontMetrics().stringWidth(labels.get(i)), r + 5);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        centre(g, title, CONFUSION_SIZE / 2, 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        centre(g, "predicted", left + size / 2, 46);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        centre(g, "true", -(top + size / 2), 30);
        g.setTransform(saved);
        g.dispose();
        return img;
    }

    static byte[] png(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, "png", out)) {
                throw new IllegalStateException("no PNG writer in this Java runtime");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static Graphics2D canvas(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        return g;
    }

    private static void centre(Graphics2D g, String s, int x, int baseline) {
        g.drawString(s, x - g.getFontMetrics().stringWidth(s) / 2, baseline);
    }

    /** Round tick values (1, 2 or 5 times a power of ten apart) covering [lo, hi]. */
    static double[] niceTicks(double lo, double hi, int target) {
        if (!(hi > lo)) {
            double d = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
            lo -= d;
            hi += d;
        }
        double raw = (hi - lo) / Math.max(1, target);
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = mag;
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * mag >= raw) {
                step = m * mag;
                break;
            }
        }
        double start = Math.floor(lo / step) * step;
        double end = Math.ceil(hi / step) * step;
        int count = (int) Math.round((end - start) / step) + 1;
        double[] ticks = new double[count];
        for (int i = 0; i < count; i++) {
            ticks[i] = start + i * step;
        }
        return ticks;
    }

    private static String format(double v, double[] ticks) {
        double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
        int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
        if (step * Math.pow(10, decimals) % 1 > 1e-6) {
            decimals++;
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static double min(double[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (double d : v) {
            if (Double.isFinite(d)) {
                m = Math.min(m, d);
            }
        }
        return m == Double.POSITIVE_INFINITY ? 0 : m;
    }

    private static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double d : v) {
            if (Double.isFinite(d)) {
                m = Math.max(m, d);
            }
        }
        return m == Double.NEGATIVE_INFINITY ? 1 : m;
    }
}
