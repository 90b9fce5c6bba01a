package io.mlp4j.spark;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.Raster;

/**
 * Whether an input holds no digit at all: every value (brightness for a picture, pixel value for an array) lies
 * within {@link #MIN_CONTRAST} of every other, on a 0..1 scale. The core library has no public blank test; its
 * picture preprocessing turns such a picture into an all-background input (its own rule compares the ink with
 * the border's median, so an input that is blank here is blank there too).
 */
final class Blank {

    /** Ink this close to the paper is no ink; the same margin the core's preprocessing uses. */
    static final float MIN_CONTRAST = 0.05f;

    private Blank() {
    }

    static boolean pixels(float[] v) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        return max - min < MIN_CONTRAST;
    }

    /** Brightness range of a picture; transparent pixels count as white paper, grey samples are read as stored. */
    static boolean picture(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        ColorModel cm = image.getColorModel();
        Raster r = image.getRaster();
        boolean grey = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && cm.getNumColorComponents() == 1;
        boolean alpha = grey && cm.hasAlpha() && r.getNumBands() > 1;
        float greyMax = grey ? (1 << cm.getComponentSize(0)) - 1 : 255f;
        float alphaMax = alpha ? (1 << cm.getComponentSize(1)) - 1 : 255f;
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float value;
                float a;
                if (grey) {
                    value = r.getSample(x, y, 0) / greyMax;
                    a = alpha ? r.getSample(x, y, 1) / alphaMax : 1f;
                } else {
                    int argb = image.getRGB(x, y);
                    value = (0.299f * ((argb >> 16) & 0xFF) + 0.587f * ((argb >> 8) & 0xFF) + 0.114f * (argb & 0xFF))
                            / 255f;
                    a = (argb >>> 24) / 255f;
                }
                float b = value * a + (1f - a);
                min = Math.min(min, b);
                max = Math.max(max, b);
            }
        }
        return max - min < MIN_CONTRAST;
    }
}
