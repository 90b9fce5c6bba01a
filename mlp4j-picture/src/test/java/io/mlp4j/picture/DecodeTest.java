package io.mlp4j.picture;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Pictures#decode} and {@link Pictures#blank}: bounds from the header, one-line reasons, the blank rule. */
class DecodeTest {

    private static final byte[] PNG = TestPictures.encode(stroke(40, 30), "png");

    @Test
    void decodesPngJpegGifAndBmp() throws IOException {
        for (String format : new String[]{"png", "jpeg", "gif", "bmp"}) {
            byte[] bytes = TestPictures.encode(stroke(40, 30), format);
            BufferedImage back = decode(bytes, 40 * 30);
            assertEquals(40, back.getWidth(), format);
            assertEquals(30, back.getHeight(), format);
            assertFalse(Pictures.blank(Pictures.input(back)), format);
        }
    }

    @Test
    void aHeaderClaimingTooManyPixelsIsRefusedBeforeDecoding() {
        byte[] huge = claimSize(PNG, 20_000, 20_000); // 400 megapixels in a file of a few hundred bytes
        long start = System.nanoTime();
        Pictures.TooLargeException e = assertThrows(Pictures.TooLargeException.class,
                () -> decode(huge, Pictures.DEFAULT_MAX_PIXELS));
        assertTrue(System.nanoTime() - start < 2_000_000_000L, "refused from the header, not after decoding");
        assertEquals("x.png: the picture is 20000x20000 = 400,000,000 pixels, over the limit of 16,777,216;"
                + " scale it down first", e.getMessage());
        assertThrows(Pictures.TooLargeException.class, () -> decode(PNG, 40 * 30 - 1));
    }

    @Test
    void badBytesGetOneLineNamingTheInput() {
        assertEquals("x.png: empty, not a picture",
                assertThrows(IOException.class, () -> decode(new byte[0], 100)).getMessage());
        assertEquals("x.png: not a picture in a format ImageIO reads (PNG, JPEG, GIF, BMP, TIFF, WBMP);"
                        + " it starts 6e6f742061207069",
                assertThrows(IOException.class, () -> decode("not a picture".getBytes(StandardCharsets.US_ASCII),
                        100)).getMessage());
        String truncated = assertThrows(IOException.class,
                () -> decode(Arrays.copyOf(PNG, 60), 10_000)).getMessage();
        assertTrue(truncated.startsWith("x.png: cannot decode the picture ("), truncated);
        String empty = assertThrows(IOException.class, () -> decode(claimSize(PNG, 0, 30), 10_000)).getMessage();
        assertTrue(empty.startsWith("x.png: "), empty);
    }

    @Test
    void blankMeansNoInkAboveTheBackground() {
        assertTrue(Pictures.blank(new float[784]));
        float[] faint = new float[784];
        faint[400] = 0.049f;
        assertTrue(Pictures.blank(faint));
        faint[400] = 0.06f;
        assertFalse(Pictures.blank(faint));

        BufferedImage grey = new BufferedImage(30, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 30; x++) {
                grey.setRGB(x, y, 0xF0F0F0 - (x == 15 && y == 15 ? 0x030303 : 0)); // ink 1% darker than paper
            }
        }
        float[] input = Pictures.input(grey);
        assertTrue(Pictures.blank(input));
        assertEquals(0f, max(input), "a blank picture's input is all background");
        assertFalse(Pictures.blank(Pictures.input(stroke(40, 30))));
    }

    private static BufferedImage decode(byte[] bytes, long maxPixels) throws IOException {
        return Pictures.decode(new ByteArrayInputStream(bytes), "x.png", maxPixels);
    }

    /** A dark vertical stroke on white paper: a "1". */
    private static BufferedImage stroke(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, Math.abs(x - w / 2) <= 1 && y > 3 && y < h - 3 ? 0x101010 : 0xFFFFFF);
            }
        }
        return img;
    }

    /** The PNG with its IHDR claiming another size (and a matching CRC, so the header reads as valid). */
    private static byte[] claimSize(byte[] png, int width, int height) {
        byte[] out = png.clone();
        ByteBuffer b = ByteBuffer.wrap(out);
        b.putInt(16, width).putInt(20, height); // IHDR data starts at 16: 8 signature + 4 length + 4 type
        CRC32 crc = new CRC32();
        crc.update(out, 12, 4 + 13);
        b.putInt(29, (int) crc.getValue());
        return out;
    }

    private static float max(float[] v) {
        float m = 0;
        for (float x : v) {
            m = Math.max(m, x);
        }
        return m;
    }
}
