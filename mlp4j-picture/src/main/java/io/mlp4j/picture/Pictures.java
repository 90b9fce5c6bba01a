package io.mlp4j.picture;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Locale;
import java.util.Objects;

/**
 * Pictures of one digit as model inputs. A picture of any size (grey or colour, dark ink on light paper or light
 * on dark, anywhere in the frame) becomes the 28x28 input MNIST was made of, which any {@code Classifier} with
 * 784 inputs takes:
 * <pre>{@code
 * Classifier c = Classifier.pretrained();
 * float[] input = Pictures.input(Pictures.decode(in, "digit.png", Pictures.DEFAULT_MAX_PIXELS));
 * String answer = Pictures.blank(input) ? "no digit" : c.top(input, 1).get(0).toString();
 * }</pre>
 * Stateless and thread-safe.
 */
public final class Pictures {

    /** A bound that suits a command line: 4096x4096 pixels (a decoded picture then takes at most ~130 MB). */
    public static final long DEFAULT_MAX_PIXELS = 4096L * 4096L;
    /** How many first bytes a message about an unknown format shows. */
    private static final int HEAD_BYTES = 8;

    private Pictures() {
    }

    /**
     * The model input for a picture of one digit, preprocessed the way MNIST was made: grey; inverted if the
     * border is light; background removed and contrast stretched; cropped to the ink; fitted into 20x20 keeping
     * the aspect ratio; placed in 28x28 with its centre of mass at the centre.
     *
     * @param image a picture of one digit, any size
     * @return 784 floats in [0, 1], row by row, 0 = background (like {@code DataSet.imageAsFloats}); all 0 for a
     *     picture without ink (see {@link #blank})
     */
    public static float[] input(BufferedImage image) {
        return Preprocessing.toInput(image);
    }

    /**
     * Whether an input has no ink at all: its values (in [0, 1]) all lie within 0.05 of each other. A picture's
     * {@link #input} is blank exactly when the picture's ink is that close to its background. A model still
     * answers a blank input, with a confident guess; callers that can say "no digit" should check first.
     *
     * @param input model inputs in [0, 1], 0 = background
     * @return true if there is no ink
     */
    public static boolean blank(float[] input) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : input) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return max - min < Preprocessing.MIN_CONTRAST;
    }

    /**
     * Decodes the first picture in {@code in}, refusing from its header one that claims more than
     * {@code maxPixels} pixels, before any pixel is decoded: a small file may claim a huge picture (a PNG of
     * 400 KB can hold 20000x20000 pixels), and decoding it would take gigabytes. Reads the stream in memory (no
     * temporary file) and does not close it. Formats: those ImageIO reads (PNG, JPEG, GIF, BMP, TIFF, WBMP).
     *
     * @param in the picture's bytes
     * @param name names the input in messages, for example the file name
     * @param maxPixels the largest picture accepted, width times height
     * @return the picture
     * @throws TooLargeException if the header claims more than {@code maxPixels} pixels
     * @throws IOException if the bytes are not a picture ImageIO reads, or do not decode; the message starts
     *     with {@code name}
     */
    public static BufferedImage decode(InputStream in, String name, long maxPixels) throws IOException {
        Objects.requireNonNull(in, "in");
        try (ImageInputStream image = new MemoryCacheImageInputStream(in)) {
            String head = head(image);
            if (head.isEmpty()) {
                throw new IOException(name + ": empty, not a picture");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(image);
            if (!readers.hasNext()) {
                throw new IOException(name + ": not a picture in a format ImageIO reads (PNG, JPEG, GIF, BMP, TIFF,"
                        + " WBMP); it starts " + head);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(image, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w < 1 || h < 1) {
                    throw new IOException(name + ": the picture has no pixels");
                }
                if ((long) w * h > maxPixels) {
                    throw new TooLargeException(String.format(Locale.ROOT,
                            "%s: the picture is %dx%d = %,d pixels, over the limit of %,d; scale it down first",
                            name, w, h, (long) w * h, maxPixels));
                }
                return reader.read(0);
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

    /** The first bytes in hex, the stream left where it was; empty for an empty stream. */
    private static String head(ImageInputStream in) throws IOException {
        byte[] b = new byte[HEAD_BYTES];
        in.mark();
        int n = in.read(b);
        in.reset();
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(String.format(Locale.ROOT, "%02x", b[i]));
        }
        return s.toString();
    }

    /** A picture whose header claims more pixels than allowed; nothing of it was decoded. */
    public static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(String message) {
            super(message);
        }
    }
}
