package io.mlp4j.demo;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Iterator;

/**
 * Decodes pictures from outside (files for {@code predict}, request bodies for {@code serve}) with a bound on
 * their size that is checked from the header, before any pixel is decoded: a small file may claim a huge
 * picture (a PNG of 400 KB can hold 20000x20000 pixels), and decoding it would take gigabytes.
 */
public final class Pictures {

    /** The limit {@code predict} uses: 4096x4096 (a decoded picture then takes at most ~130 MB). */
    public static final long DEFAULT_MAX_PIXELS = 4096L * 4096L;
    /** Ink this close to the paper (as a fraction of full brightness) is no ink: the picture is blank. */
    private static final float MIN_CONTRAST = 0.05f;

    static {
        ImageIO.setUseCache(false); // decode in memory: no temporary file per picture
    }

    private Pictures() {
    }

    /** A picture that claims more pixels than allowed (refused from its header). */
    public static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(String message) {
            super(message);
        }
    }

    /**
     * Decodes the first image of {@code source} (a File or an InputStream), refusing from its header one of more
     * than {@code maxPixels} pixels.
     *
     * @param name names the input in messages
     * @throws TooLargeException if the header claims too many pixels
     * @throws IOException if it is not a picture ImageIO can read, or it does not decode
     */
    public static BufferedImage decode(Object source, String name, long maxPixels) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(source)) {
            if (in == null) {
                throw new IOException(name + ": cannot be read");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IOException(name + ": not a picture this program can read (PNG, JPEG, BMP or GIF)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w < 1 || h < 1) {
                    throw new IOException(name + ": the picture is empty");
                }
                if ((long) w * h > maxPixels) {
                    throw new TooLargeException(String.format(java.util.Locale.ROOT,
                            "%s: the picture is %dx%d = %,d pixels, over the limit of %,d; scale it down first",
                            name, w, h, (long) w * h, maxPixels));
                }
                return reader.read(0);
            } catch (TooLargeException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                if (e.getMessage() != null && e.getMessage().startsWith(name + ": ")) {
                    throw e;
                }
                throw new IOException(name + ": cannot decode the picture (" + e.getMessage() + ")", e);
            } finally {
                reader.dispose();
            }
        }
    }

    /** Whether the picture has no ink at all: its darkest and brightest pixels (on white paper) barely differ. */
    public static boolean blank(BufferedImage image) {
        int w = image.getWidth();
        int[] row = new int[w];
        float min = 1f;
        float max = 0f;
        java.awt.image.ColorModel cm = image.getColorModel();
        if (cm.getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY && cm.getNumComponents() == 1) {
            // Grey samples as stored, as the preprocessor reads them (getRGB would convert them to sRGB, slowly).
            float scale = 1f / ((1 << cm.getComponentSize(0)) - 1);
            for (int y = 0; y < image.getHeight(); y++) {
                image.getRaster().getSamples(0, y, w, 1, 0, row);
                for (int v : row) {
                    min = Math.min(min, v * scale);
                    max = Math.max(max, v * scale);
                }
            }
            return max - min < MIN_CONTRAST;
        }
        for (int y = 0; y < image.getHeight(); y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int argb : row) {
                float a = (argb >>> 24) / 255f;
                float lum = (0.299f * ((argb >> 16) & 0xFF) + 0.587f * ((argb >> 8) & 0xFF)
                        + 0.114f * (argb & 0xFF)) / 255f;
                float v = lum * a + (1f - a);
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        return max - min < MIN_CONTRAST;
    }

    /** Whether model inputs in [0, 1] (0 = background) have no ink at all. */
    public static boolean blank(float[] input) {
        float min = 1f;
        float max = 0f;
        for (float v : input) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return max - min < MIN_CONTRAST;
    }
}
