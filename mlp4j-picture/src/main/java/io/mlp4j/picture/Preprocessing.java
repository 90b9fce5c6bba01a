package io.mlp4j.picture;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.util.Arrays;
import java.util.Objects;

/**
 * Turns a picture of one digit (any size, grey or colour, dark ink on light paper or light on dark, off-centre)
 * into the 28x28 input MNIST was made of: grey; inverted if the background is light (decided by the median
 * brightness of the border); background level removed and contrast stretched; cropped to the ink's bounding box;
 * scaled to fit 20x20 keeping the aspect ratio (area averaging when shrinking, bilinear when enlarging); pasted
 * into 28x28 so that the centre of mass lies at the centre.
 *
 * <p>Stateless and thread-safe.
 */
final class Preprocessing {

    static final int SIDE = 28;
    static final int BOX = 20;
    /** Ink darker than this (after the background is removed and the contrast stretched) is ignored when cropping. */
    private static final float CROP_THRESHOLD = 0.05f;
    /** Ink this close to its background (as a fraction of full brightness) is no ink: the picture is blank. */
    static final float MIN_CONTRAST = 0.05f;

    private Preprocessing() {
    }

    /** 784 floats in [0, 1], row-major, 0 = background, like {@code DataSet.imageAsFloats}; all 0 if blank. */
    static float[] toInput(BufferedImage image) {
        Objects.requireNonNull(image, "image");
        int w = image.getWidth();
        int h = image.getHeight();
        float[] ink = grey(image);
        if (median(border(ink, w, h)) > 0.5f) {
            for (int i = 0; i < ink.length; i++) {
                ink[i] = 1f - ink[i];
            }
        }
        float background = median(border(ink, w, h));
        float max = 0f;
        for (float v : ink) {
            max = Math.max(max, v);
        }
        float[] out = new float[SIDE * SIDE];
        if (max - background < MIN_CONTRAST) {
            return out; // blank: nothing to centre
        }
        float scale = 1f / (max - background);
        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float v = Math.min(1f, Math.max(0f, (ink[y * w + x] - background) * scale));
                ink[y * w + x] = v;
                if (v > CROP_THRESHOLD) {
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                }
            }
        }
        if (x1 < 0) {
            return out;
        }
        int cw = x1 - x0 + 1;
        int ch = y1 - y0 + 1;
        float[] crop = new float[cw * ch];
        for (int y = 0; y < ch; y++) {
            System.arraycopy(ink, (y0 + y) * w + x0, crop, y * cw, cw);
        }
        double fit = (double) BOX / Math.max(cw, ch);
        int tw = Math.max(1, Math.min(BOX, (int) Math.round(cw * fit)));
        int th = Math.max(1, Math.min(BOX, (int) Math.round(ch * fit)));
        float[] small = resize(crop, cw, ch, tw, th);

        // Thin strokes fade when a large picture shrinks: stretch again so the darkest ink is 1, like MNIST.
        float smallMax = 0f;
        for (float v : small) {
            smallMax = Math.max(smallMax, v);
        }
        double mass = 0, mx = 0, my = 0;
        for (int y = 0; y < th; y++) {
            for (int x = 0; x < tw; x++) {
                float v = small[y * tw + x] / smallMax;
                small[y * tw + x] = v;
                mass += v;
                mx += v * x;
                my += v * y;
            }
        }
        // MNIST's centres of mass lie at pixel (14, 14), counting from 0 (measured: 14.00, 13.99 on average).
        int ox = clamp((int) Math.round(SIDE / 2.0 - mx / mass), 0, SIDE - tw);
        int oy = clamp((int) Math.round(SIDE / 2.0 - my / mass), 0, SIDE - th);
        for (int y = 0; y < th; y++) {
            System.arraycopy(small, y * tw, out, (oy + y) * SIDE + ox, tw);
        }
        return out;
    }

    /** Brightness in [0, 1] (1 = white); transparent pixels count as white paper. */
    private static float[] grey(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        float[] out = new float[w * h];
        Raster r = image.getRaster();
        boolean greyModel = image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && image.getColorModel().getNumColorComponents() == 1;
        if (greyModel) {
            // Read grey samples as stored: getRGB would push them through a linear-to-sRGB conversion.
            boolean alpha = image.getColorModel().hasAlpha() && r.getNumBands() > 1;
            float greyMax = (1 << image.getColorModel().getComponentSize(0)) - 1;
            float alphaMax = alpha ? (1 << image.getColorModel().getComponentSize(1)) - 1 : 1f;
            // a row at a time: per-pixel getSample costs more than the rest of the preprocessing for small pictures
            int[] g = new int[w];
            int[] al = new int[w];
            for (int y = 0; y < h; y++) {
                r.getSamples(0, y, w, 1, 0, g);
                if (alpha) {
                    r.getSamples(0, y, w, 1, 1, al);
                }
                for (int x = 0; x < w; x++) {
                    float a = alpha ? al[x] / alphaMax : 1f;
                    out[y * w + x] = g[x] / greyMax * a + (1f - a);
                }
            }
            return out;
        }
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int argb = row[x];
                float a = (argb >>> 24) / 255f;
                float lum = (0.299f * ((argb >> 16) & 0xFF) + 0.587f * ((argb >> 8) & 0xFF)
                        + 0.114f * (argb & 0xFF)) / 255f;
                out[y * w + x] = lum * a + (1f - a);
            }
        }
        return out;
    }

    private static float[] border(float[] v, int w, int h) {
        if (w <= 2 || h <= 2) {
            return v.clone();
        }
        float[] out = new float[2 * w + 2 * (h - 2)];
        int n = 0;
        for (int x = 0; x < w; x++) {
            out[n++] = v[x];
            out[n++] = v[(h - 1) * w + x];
        }
        for (int y = 1; y < h - 1; y++) {
            out[n++] = v[y * w];
            out[n++] = v[y * w + w - 1];
        }
        return out;
    }

    private static float median(float[] v) {
        float[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** Separable resize: rows first, then columns. */
    private static float[] resize(float[] src, int sw, int sh, int dw, int dh) {
        float[] rows = new float[dw * sh];
        float[] line = new float[Math.max(sw, sh)];
        float[] res = new float[Math.max(dw, dh)];
        for (int y = 0; y < sh; y++) {
            System.arraycopy(src, y * sw, line, 0, sw);
            resample(line, sw, res, dw);
            System.arraycopy(res, 0, rows, y * dw, dw);
        }
        float[] out = new float[dw * dh];
        for (int x = 0; x < dw; x++) {
            for (int y = 0; y < sh; y++) {
                line[y] = rows[y * dw + x];
            }
            resample(line, sh, res, dh);
            for (int y = 0; y < dh; y++) {
                out[y * dw + x] = res[y];
            }
        }
        return out;
    }

    /** One axis: the average over each output pixel's footprint when shrinking, linear interpolation otherwise. */
    private static void resample(float[] src, int n, float[] dst, int m) {
        double step = (double) n / m;
        if (m <= n) {
            for (int i = 0; i < m; i++) {
                double a = i * step;
                double b = a + step;
                double sum = 0;
                for (int j = (int) a; j < Math.min(n, (int) Math.ceil(b)); j++) {
                    double cover = Math.min(b, j + 1) - Math.max(a, j);
                    sum += cover * src[j];
                }
                dst[i] = (float) (sum / step);
            }
        } else {
            for (int i = 0; i < m; i++) {
                double p = Math.max(0, Math.min(n - 1, (i + 0.5) * step - 0.5));
                int j = Math.min(n - 2, (int) p);
                if (j < 0) {
                    dst[i] = src[0];
                    continue;
                }
                double f = p - j;
                dst[i] = (float) (src[j] * (1 - f) + src[j + 1] * f);
            }
        }
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
