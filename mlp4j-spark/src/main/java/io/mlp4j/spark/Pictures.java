package io.mlp4j.spark;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;

/** Decodes a picture file's bytes, refusing pictures whose header claims more pixels than a task should hold. */
final class Pictures {

    /** 64 megapixels: a 256 MB decoded picture at most; a scanned form at 600 dpi is about 35. */
    static final long MAX_PIXELS = 64L << 20;

    private Pictures() {
    }

    /** The decoded picture; a {@link BadRow} saying why not. */
    static BufferedImage decode(byte[] bytes) {
        if (bytes.length == 0) {
            throw new BadRow("empty file, not a picture");
        }
        // In memory: ImageIO's default stream would cache to a temporary file.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new BadRow("not a picture in a format ImageIO reads (PNG, JPEG, GIF, BMP,"
                        + " TIFF, WBMP); " + bytes.length + " bytes starting " + head(bytes));
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > MAX_PIXELS) {
                    throw new BadRow("picture claims " + reader.getWidth(0) + "x"
                            + reader.getHeight(0) + " pixels, more than the " + MAX_PIXELS + " accepted; scale it down");
                }
                if (pixels == 0) {
                    throw new BadRow("picture has no pixels");
                }
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (BadRow e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new BadRow("undecodable picture (" + bytes.length + " bytes): " + e);
        }
    }

    private static String head(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(8, bytes.length); i++) {
            s.append(String.format("%02x", bytes[i]));
        }
        return s.toString();
    }
}
