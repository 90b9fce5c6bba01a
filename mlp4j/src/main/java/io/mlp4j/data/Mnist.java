package io.mlp4j.data;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The MNIST data set (or any data set in the same four IDX files: Fashion-MNIST, KMNIST, EMNIST digits).
 *
 * @param train the 60,000 training images
 * @param test  the 10,000 test images
 */
public record Mnist(DataSet train, DataSet test) {

    /** The four file names, as published (the loader also accepts them without {@code .gz}). */
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    /** File name of the training labels. */
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    /** File name of the test images. */
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    /** File name of the test labels. */
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";

    /** The four files, in download order. */
    public static final List<String> FILES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

    /** The public mirrors {@link #download(Path, DownloadProgress)} tries, in order. */
    public static final List<URI> MIRRORS = List.of(
            URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/"),
            URI.create("https://storage.googleapis.com/cvdf-datasets/mnist/"));

    /** The environment variable naming a directory that holds the four files. */
    public static final String DATA_ENV = "MLP4J_DATA";

    /** SHA-256 of the canonical gzipped files. */
    static final Map<String, String> SHA256 = Map.of(
            TRAIN_IMAGES, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            TRAIN_LABELS, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            TEST_IMAGES, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            TEST_LABELS, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6");

    /**
     * Loads the four IDX files (gzipped or not) from a directory.
     *
     * @param dir the directory holding the four files of {@link #FILES}
     * @return the training and test sets
     * @throws IOException naming the file that is missing or malformed
     */
    public static Mnist load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("MNIST directory " + dir + " does not exist; pass the directory that holds "
                    + TRAIN_IMAGES + " and the three other files, or set " + DATA_ENV);
        }
        Path testImages = find(dir, TEST_IMAGES);
        Path testLabels = find(dir, TEST_LABELS);
        // The test set decodes on a second thread while this one decodes the training set (gunzip is most of
        // the start-up before the first batch).
        FutureTask<DataSet> testTask = new FutureTask<>(() -> Idx.readDataSet("test", testImages, testLabels));
        Thread decoder = new Thread(testTask, "mlp4j-mnist-test-decoder");
        decoder.setDaemon(true);
        decoder.start();
        DataSet train = Idx.readDataSet("train", find(dir, TRAIN_IMAGES), find(dir, TRAIN_LABELS));
        DataSet test = result(testTask);
        if (train.rows() != test.rows() || train.cols() != test.cols()) {
            throw new IOException(dir + ": training images are " + train.rows() + "x" + train.cols()
                    + " but test images are " + test.rows() + "x" + test.cols());
        }
        return new Mnist(train, test);
    }

    /** The task's result once it has ended, with its own exception rethrown as it was. */
    private static DataSet result(FutureTask<DataSet> task) throws IOException {
        try {
            return task.get();
        } catch (InterruptedException e) { // the daemon decoder finishes on its own
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while loading MNIST", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause);
        }
    }

    /**
     * Downloads the four MNIST files into {@code dir} (created if needed) from {@link #MIRRORS}, trying them in
     * order. Each file is checked against its canonical SHA-256 and renamed into place only when it matches, so
     * {@code dir} never holds a partial or corrupt file; files already present with the right checksum are
     * skipped.
     *
     * @param dir the directory to download into
     * @param progress receives progress, e.g. {@link DownloadProgress#none()}
     * @throws IOException naming the file, every mirror tried and why it failed, if a file cannot be fetched
     */
    public static void download(Path dir, DownloadProgress progress) throws IOException {
        download(dir, MIRRORS, progress);
    }

    /**
     * {@link #download(Path, DownloadProgress)} from other mirrors: base URIs ({@code http}, {@code https} or
     * {@code file}) under which the four files lie. The canonical checksums are still enforced.
     *
     * @param dir the directory to download into
     * @param mirrors base URIs, tried in order
     * @param progress receives progress, e.g. {@link DownloadProgress#none()}
     * @throws IOException if a file could be fetched from no mirror, naming each mirror's failure
     */
    public static void download(Path dir, List<URI> mirrors, DownloadProgress progress) throws IOException {
        download(dir, mirrors, SHA256, progress);
    }

    /** The seam for tests: any mirrors, any checksums (file name to SHA-256 hex). */
    static void download(Path dir, List<URI> mirrors, Map<String, String> sha256, DownloadProgress progress)
            throws IOException {
        Downloader.fetchAll(dir, FILES, List.copyOf(mirrors), sha256, progress);
    }

    /**
     * Finds the MNIST directory: {@code dir} if given (not null or blank), else the directory named by the
     * environment variable {@code MLP4J_DATA}, else {@link #cacheDir()}, into which missing files are downloaded
     * first. A given directory is not downloaded into: it must already hold the four files.
     *
     * @param dir a directory, or null or blank to look further
     * @param progress receives progress if a download happens
     * @return a directory that {@link #load(Path)} can read
     * @throws IOException if a given directory lacks a file (saying which), or the download fails
     */
    public static Path locate(String dir, DownloadProgress progress) throws IOException {
        return locate(dir, System.getenv(), System.getProperty("user.home"), MIRRORS, SHA256, progress);
    }

    static Path locate(String dir, Map<String, String> env, String userHome, List<URI> mirrors,
                       Map<String, String> sha256, DownloadProgress progress) throws IOException {
        if (dir != null && !dir.isBlank()) {
            return checkComplete(Path.of(dir), "");
        }
        String fromEnv = env.get(DATA_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return checkComplete(Path.of(fromEnv), " (named by " + DATA_ENV + ")");
        }
        Path cache = cacheDir(env, userHome);
        download(cache, mirrors, sha256, progress);
        return cache;
    }

    private static Path checkComplete(Path dir, String source) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("MNIST directory " + dir + source + " does not exist; give a directory that holds "
                    + TRAIN_IMAGES + " and the three other files, or none to download MNIST into " + cacheDir());
        }
        for (String f : FILES) {
            find(dir, f);
        }
        return dir;
    }

    /**
     * Where MNIST is downloaded when no directory is given: {@code $XDG_CACHE_HOME/mlp4j/mnist} if that variable
     * holds an absolute path, else {@code ~/.cache/mlp4j/mnist}.
     *
     * @return the cache directory
     */
    public static Path cacheDir() {
        return cacheDir(System.getenv(), System.getProperty("user.home"));
    }

    static Path cacheDir(Map<String, String> env, String userHome) {
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "mlp4j", "mnist");
        }
        return Path.of(userHome, ".cache", "mlp4j", "mnist");
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
                + " into this directory (Mnist.download), or point " + DATA_ENV + " at a directory that has it");
    }
}
