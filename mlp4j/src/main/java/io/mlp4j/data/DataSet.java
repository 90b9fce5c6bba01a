package io.mlp4j.data;

import java.util.Objects;
import java.util.Random;

/**
 * An immutable set of labelled grey images: {@code count} samples of {@code rows x cols} uint8 pixels
 * (row-major, 0 = background) and one uint8 label each.
 *
 * <p>{@link #split}, {@link #subset} and {@link #head} return views that share the pixels of the set they come
 * from (splitting MNIST copies nothing; a copy was 47 MB and a tenth of a second at start-up); a view keeps its
 * whole source in memory.
 */
public final class DataSet {

    /** Two disjoint parts of a data set, e.g. training and validation. */
    public record Split(DataSet first, DataSet second) {
    }

    static {
        io.mlp4j.internal.DataSetAccess.install(new io.mlp4j.internal.DataSetAccess() {
            @Override
            public byte[] pixels(DataSet data) {
                return data.pixels;
            }

            @Override
            public byte[] labels(DataSet data) {
                return data.labels;
            }

            @Override
            public int[] sampleRows(DataSet data) {
                return data.sampleRows;
            }
        });
    }

    private final String name;
    private final byte[] pixels;
    private final byte[] labels;
    /** For a view, the row of {@code pixels}/{@code labels} that holds each sample; null: sample i is row i. */
    private final int[] sampleRows;
    private final int count;
    private final int rows;
    private final int cols;

    private DataSet(String name, byte[] pixels, byte[] labels, int[] sampleRows, int rows, int cols) {
        this.name = name;
        this.pixels = pixels;
        this.labels = labels;
        this.sampleRows = sampleRows;
        this.count = sampleRows == null ? labels.length : sampleRows.length;
        this.rows = rows;
        this.cols = cols;
    }

    /**
     * A data set over copies of the given arrays.
     *
     * @throws IllegalArgumentException if the lengths do not agree
     */
    public static DataSet of(String name, byte[] pixels, byte[] labels, int rows, int cols) {
        Objects.requireNonNull(name, "name");
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException(name + ": image size must be positive, got " + rows + "x" + cols);
        }
        if ((long) labels.length * rows * cols != pixels.length) {
            throw new IllegalArgumentException(name + ": " + labels.length + " labels need "
                    + (long) labels.length * rows * cols + " pixels of " + rows + "x" + cols + ", got " + pixels.length);
        }
        return new DataSet(name, pixels.clone(), labels.clone(), null, rows, cols);
    }

    /** Wraps arrays this package created and will not change. */
    static DataSet wrap(String name, byte[] pixels, byte[] labels, int rows, int cols) {
        return new DataSet(name, pixels, labels, null, rows, cols);
    }

    /** Where sample i lives in the shared arrays. */
    private int row(int i) {
        return sampleRows == null ? i : sampleRows[i];
    }

    public String name() {
        return name;
    }

    public int size() {
        return count;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Pixels per image. */
    public int features() {
        return rows * cols;
    }

    public int label(int i) {
        Objects.checkIndex(i, count);
        return labels[row(i)] & 0xFF;
    }

    /** A copy of image i's pixels. */
    public byte[] image(int i) {
        Objects.checkIndex(i, count);
        byte[] out = new byte[features()];
        System.arraycopy(pixels, row(i) * features(), out, 0, out.length);
        return out;
    }

    /** Image i scaled to [0, 1], as the model sees it. */
    public float[] imageAsFloats(int i) {
        Objects.checkIndex(i, count);
        float[] out = new float[features()];
        int from = row(i) * features();
        for (int j = 0; j < out.length; j++) {
            out[j] = (pixels[from + j] & 0xFF) * (1f / 255f);
        }
        return out;
    }

    /** A copy of all pixels, {@code size() * features()} bytes. */
    public byte[] pixels() {
        if (sampleRows == null) {
            return pixels.clone();
        }
        int f = features();
        if ((long) count * f > Idx.MAX_BYTES) {
            throw new IllegalStateException(name + ": " + count + " images of " + f + " pixels do not fit in one"
                    + " array");
        }
        byte[] out = new byte[count * f];
        for (int i = 0; i < count; i++) {
            System.arraycopy(pixels, sampleRows[i] * f, out, i * f, f);
        }
        return out;
    }

    /** A copy of all labels. */
    public byte[] labels() {
        if (sampleRows == null) {
            return labels.clone();
        }
        byte[] out = new byte[count];
        for (int i = 0; i < count; i++) {
            out[i] = labels[sampleRows[i]];
        }
        return out;
    }

    /** The largest label plus one. */
    public int classCount() {
        int max = -1;
        for (int i = 0; i < count; i++) {
            max = Math.max(max, labels[row(i)] & 0xFF);
        }
        return max + 1;
    }

    /** The samples at the given indices, in that order (a view: see the class comment). */
    public DataSet subset(String name, int[] indices) {
        Objects.requireNonNull(name, "name");
        int[] at = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            at[i] = row(Objects.checkIndex(indices[i], count));
        }
        return new DataSet(name, pixels, labels, at, rows, cols);
    }

    /** The first n samples. */
    public DataSet head(int n) {
        if (n < 0 || n > count) {
            throw new IllegalArgumentException(name + " has " + count + " samples, cannot take " + n);
        }
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return subset(name, idx);
    }

    /**
     * A seeded random split like PyTorch's {@code random_split}: a random permutation, the first
     * {@code firstSize} samples in one part and the rest in the other.
     */
    public Split split(int firstSize, long seed) {
        if (firstSize < 0 || firstSize > count) {
            throw new IllegalArgumentException(name + " has " + count + " samples, cannot split off " + firstSize);
        }
        int[] perm = permutation(count, new Random(seed));
        return new Split(subset(name + "[train]", java.util.Arrays.copyOfRange(perm, 0, firstSize)),
                subset(name + "[val]", java.util.Arrays.copyOfRange(perm, firstSize, count)));
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
    public static int[] permutation(int n, Random random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        shuffle(p, random);
        return p;
    }

    /** Shuffles in place (Fisher-Yates). */
    public static void shuffle(int[] p, Random random) {
        for (int i = p.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
    }

    @Override
    public String toString() {
        return name + " (" + count + " images of " + rows + "x" + cols + ")";
    }
}
