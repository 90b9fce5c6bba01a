package io.mlp4j.data;

import io.mlp4j.spi.Backend;
import io.mlp4j.spi.DeviceDataset;

import java.util.Objects;
import java.util.Random;

/**
 * An immutable set of labelled grey images: {@code count} samples of {@code rows x cols} uint8 pixels
 * (row-major, 0 = background) and one uint8 label each.
 *
 * <p>{@link #split}, {@link #subset} and {@link #head} return views that share the pixels of the set they come
 * from (splitting MNIST copies nothing); a view keeps its whole source in memory.
 * <pre>{@code
 * Mnist mnist = Mnist.load(Path.of("mnist"));               // or DataSet.of(name, pixels, labels, 28, 28)
 * DataSet.Split split = mnist.train().split(50_000, 42);   // training and validation, seeded
 * DataSet small = split.first().head(1000);
 * byte[] first = small.image(0);                            // rows() * cols() pixels
 * int label = small.label(0);
 * }</pre>
 */
public final class DataSet {

    /** Two disjoint parts of a data set, e.g. training and validation. */
    public record Split(DataSet first, DataSet second) {
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
     * @param name a name for messages, e.g. {@code train}
     * @param pixels {@code count * rows * cols} pixels, row-major, image after image
     * @param labels one label per image
     * @param rows image height
     * @param cols image width
     * @return the data set
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

    /**
     * The name given when the set was made (used in messages).
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Number of samples.
     *
     * @return the number of images
     */
    public int size() {
        return count;
    }

    /**
     * Image height in pixels.
     *
     * @return the number of rows
     */
    public int rows() {
        return rows;
    }

    /**
     * Image width in pixels.
     *
     * @return the number of columns
     */
    public int cols() {
        return cols;
    }

    /**
     * Pixels per image.
     *
     * @return {@code rows() * cols()}
     */
    public int features() {
        return rows * cols;
    }

    /**
     * The label of sample {@code i}.
     *
     * @param i 0-based sample index
     * @return its label, 0 to 255
     */
    public int label(int i) {
        Objects.checkIndex(i, count);
        return labels[row(i)] & 0xFF;
    }

    /**
     * A copy of image i's pixels.
     *
     * @param i 0-based sample index
     * @return {@code features()} bytes
     */
    public byte[] image(int i) {
        Objects.checkIndex(i, count);
        byte[] out = new byte[features()];
        System.arraycopy(pixels, row(i) * features(), out, 0, out.length);
        return out;
    }

    /**
     * Image i scaled to [0, 1], as the model sees it.
     *
     * @param i 0-based sample index
     * @return {@code features()} floats
     */
    public float[] imageAsFloats(int i) {
        Objects.checkIndex(i, count);
        float[] out = new float[features()];
        imageAsFloats(i, out, 0);
        return out;
    }

    /**
     * Image i scaled to [0, 1] into {@code dst[at, at + features())}, without allocating.
     *
     * @param i 0-based sample index
     * @param dst where to write
     * @param at the first index written
     */
    public void imageAsFloats(int i, float[] dst, int at) {
        Objects.checkIndex(i, count);
        Objects.checkFromIndexSize(at, features(), dst.length);
        int from = row(i) * features();
        for (int j = 0, f = features(); j < f; j++) {
            dst[at + j] = (pixels[from + j] & 0xFF) * (1f / 255f);
        }
    }

    /**
     * Puts the storage behind this set on a backend's device, for training or evaluation there: the arrays it
     * shares with the sets it was split from ({@link #sharesStorageWith}), all of their rows, not copied on the
     * heap (a backend reads them and never writes them). {@link #toStorageRows} says which rows are this set's.
     *
     * @param backend an open backend
     * @return the storage on the device
     */
    public DeviceDataset upload(Backend backend) {
        return backend.upload(pixels, labels, labels.length, features());
    }

    /**
     * Replaces sample numbers of this set by their rows in the storage that {@link #upload} puts on a device.
     *
     * @param samples sample numbers in [0, size()); each is replaced by its row
     */
    public void toStorageRows(int[] samples) {
        if (sampleRows != null) {
            for (int i = 0; i < samples.length; i++) {
                samples[i] = sampleRows[Objects.checkIndex(samples[i], count)];
            }
        }
    }

    /**
     * Whether {@link #upload} puts the same storage on a device for both sets (the parts of one split do).
     *
     * @param other another set
     * @return true if both are views of one storage
     */
    public boolean sharesStorageWith(DataSet other) {
        return pixels == other.pixels && labels == other.labels;
    }

    /**
     * A copy of all pixels, {@code size() * features()} bytes.
     *
     * @return the pixels, image after image
     */
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

    /**
     * A copy of all labels.
     *
     * @return one label per image
     */
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

    /**
     * The largest label plus one.
     *
     * @return the number of classes the labels imply
     */
    public int classCount() {
        int max = -1;
        for (int i = 0; i < count; i++) {
            max = Math.max(max, labels[row(i)] & 0xFF);
        }
        return max + 1;
    }

    /**
     * The samples at the given indices, in that order (a view: see the class comment).
     *
     * @param name a name for messages
     * @param indices 0-based sample indices, each in range
     * @return the view
     */
    public DataSet subset(String name, int[] indices) {
        Objects.requireNonNull(name, "name");
        int[] at = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            at[i] = row(Objects.checkIndex(indices[i], count));
        }
        return new DataSet(name, pixels, labels, at, rows, cols);
    }

    /**
     * The first n samples.
     *
     * @param n how many, at most {@code size()}
     * @return the view
     */
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
     *
     * @param firstSize samples in the first part
     * @param seed the seed of the permutation
     * @return the two parts (views)
     */
    public Split split(int firstSize, long seed) {
        if (firstSize < 0 || firstSize > count) {
            throw new IllegalArgumentException(name + " has " + count + " samples, cannot split off " + firstSize);
        }
        int[] perm = permutation(count, new Random(seed));
        return new Split(subset(name + "[train]", java.util.Arrays.copyOfRange(perm, 0, firstSize)),
                subset(name + "[val]", java.util.Arrays.copyOfRange(perm, firstSize, count)));
    }

    /**
     * A uniformly random permutation of 0..n-1 (Fisher-Yates).
     *
     * @param n the length
     * @param random the source of randomness
     * @return the permutation
     */
    public static int[] permutation(int n, Random random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        shuffle(p, random);
        return p;
    }

    /**
     * Shuffles in place (Fisher-Yates).
     *
     * @param p the array to shuffle
     * @param random the source of randomness
     */
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
