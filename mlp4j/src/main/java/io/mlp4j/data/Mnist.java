package io.mlp4j.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The MNIST data set (or any data set in the same four IDX files: Fashion-MNIST, KMNIST, EMNIST digits).
 *
 * @param train the 60,000 training images
 * @param test  the 10,000 test images
 */
public record Mnist(DataSet train, DataSet test) {

    /** The four file names, as published (the loader also accepts them without {@code .gz}). */
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";

    /** Loads the four IDX files (gzipped or not) from a directory. */
    public static Mnist load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("MNIST directory " + dir + " does not exist; pass the directory that holds "
                    + TRAIN_IMAGES + " and the three other files, or set MLP4J_DATA");
        }
        DataSet train = Idx.readDataSet("train", find(dir, TRAIN_IMAGES), find(dir, TRAIN_LABELS));
        DataSet test = Idx.readDataSet("test", find(dir, TEST_IMAGES), find(dir, TEST_LABELS));
        if (train.rows() != test.rows() || train.cols() != test.cols()) {
            throw new IOException(dir + ": training images are " + train.rows() + "x" + train.cols()
                    + " but test images are " + test.rows() + "x" + test.cols());
        }
        return new Mnist(train, test);
    }

    private static Path find(Path dir, String gzName) throws IOException {
        Path gz = dir.resolve(gzName);
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path raw = dir.resolve(gzName.substring(0, gzName.length() - 3));
        if (Files.isRegularFile(raw)) {
            return raw;
        }
        throw new IOException(dir + ": missing " + gzName + " (or " + raw.getFileName() + "); download MNIST"
                + " into this directory, or point MLP4J_DATA at a directory that has it");
    }
}
