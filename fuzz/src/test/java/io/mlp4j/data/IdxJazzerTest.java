package io.mlp4j.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mlp4j.io.AllocationBudget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Coverage-guided fuzzing of the IDX reader ({@link Idx#read}, {@link Idx#readDataSet}): every input gives a
 * consistent result (the dimensions multiply to the data's length, as many as asked for; image and label counts
 * agree) or an {@link IOException} of one line that names the file, and the reader allocates at most a bounded
 * multiple of the data the file really holds (decompressed, for gzip). Any other exception, or a broken bound, is
 * a finding. Stored inputs (seeds and past findings) are in
 * {@code src/test/resources/io/mlp4j/data/IdxJazzerTestInputs/<method>/}.
 */
class IdxJazzerTest {

    /**
     * The reader keeps the data once, in one array; a gzip file's first array is up to 8 times the file (it grows
     * with the data that arrives, see {@link #allowance}). The two 64 KiB stream buffers, the message and a first
     * use of a class fit in the fixed part. What the bound is for: allocation that follows the counts a header
     * claims (up to 2^31), such as the 502 KB that a 579-byte gzip file once took before it was found short (the
     * stored inputs {@code finding-gzip-claims-640-images} and {@code finding-claims-640-images}).
     */
    private static final AllocationBudget BUDGET = new AllocationBudget(2, 384 << 10);

    private static Path file;
    private static Path images;
    private static Path labels;

    @BeforeAll
    static void createFilesAndWarmUp() throws IOException {
        file = Files.createTempFile("mlp4j-jazzer-", ".idx");
        images = Files.createTempFile("mlp4j-jazzer-images-", ".idx");
        labels = Files.createTempFile("mlp4j-jazzer-labels-", ".idx");
        // Load and initialise the reader's classes first: that allocation is once per JVM, not per input.
        byte[] img = {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4};
        byte[] lab = {0, 0, 8, 1, 0, 0, 0, 1, 7};
        for (byte[] input : new byte[][] {new byte[0], img, lab, {0, 0, 8, 1, 0, 0, 0, 9}}) {
            for (byte[] bytes : new byte[][] {input, gzip(input)}) {
                Files.write(file, bytes);
                for (int dims : new int[] {3, 1}) {
                    try {
                        Idx.read(file, dims);
                    } catch (IOException expected) {
                        // warming up the refusals too
                    }
                }
            }
        }
        Files.write(images, img);
        Files.write(labels, lab);
        Idx.readDataSet("fuzz", images, labels);
    }

    @AfterAll
    static void deleteFiles() throws IOException {
        for (Path p : new Path[] {file, images, labels}) {
            Files.deleteIfExists(p);
        }
    }

    /** Raw bytes as the file (a gzip stream among them), read as images and as labels. */
    @FuzzTest(maxDuration = "30s")
    void raw(byte[] input) throws IOException {
        Files.write(file, input);
        for (int dims : new int[] {3, 1}) {
            read(dims, allowance(input));
        }
    }

    /**
     * The input as the content of a gzip file: the header fields, count mismatches and claimed sizes behind
     * compression (a small file that claims gigabytes must be refused without taking them).
     */
    @FuzzTest(maxDuration = "30s")
    void gzipped(byte[] input) throws IOException {
        byte[] gz = gzip(input);
        Files.write(file, gz);
        for (int dims : new int[] {3, 1}) {
            read(dims, allowance(gz));
        }
    }

    /** An image file and a label file in one input: a big-endian int giving the image file's length, then both. */
    @FuzzTest(maxDuration = "30s")
    void dataSet(byte[] input) throws IOException {
        int n = input.length < 4 ? 0 : Math.max(0, Math.min(ByteBuffer.wrap(input).getInt(), input.length - 4));
        int from = Math.min(4, input.length);
        byte[] img = Arrays.copyOfRange(input, from, from + n);
        byte[] lab = Arrays.copyOfRange(input, from + n, input.length);
        Files.write(images, img);
        Files.write(labels, lab);
        long allowed = allowance(img) + allowance(lab);
        BUDGET.start();
        DataSet d;
        try {
            d = Idx.readDataSet("fuzz", images, labels);
        } catch (IOException refused) {
            BUDGET.checkAllowed("refusing " + refused.getMessage(), allowed,
                    () -> Idx.readDataSet("fuzz", images, labels));
            checkMessage(refused, images, labels);
            return;
        }
        BUDGET.checkAllowed("reading", allowed, () -> Idx.readDataSet("fuzz", images, labels));
        if (d.size() <= 0 || d.rows() <= 0 || d.cols() <= 0) {
            throw new AssertionError("an empty data set was accepted: " + d);
        }
        if ((long) d.size() * d.features() != d.pixels().length || d.size() != d.labels().length) {
            throw new AssertionError("sizes disagree: " + d.size() + " images of " + d.features() + " pixels, "
                    + d.pixels().length + " pixels and " + d.labels().length + " labels");
        }
    }

    private static void read(int dims, long allowed) throws IOException {
        BUDGET.start();
        Idx.Content c;
        try {
            c = Idx.read(file, dims);
        } catch (IOException refused) {
            BUDGET.checkAllowed("refusing " + refused.getMessage(), allowed, () -> Idx.read(file, dims));
            checkMessage(refused, file);
            return;
        }
        BUDGET.checkAllowed("reading", allowed, () -> Idx.read(file, dims));
        if (c.dims().length != dims) {
            throw new AssertionError("asked for " + dims + " dimensions, got " + c.dims().length);
        }
        long product = 1;
        for (int d : c.dims()) {
            if (d < 0) {
                throw new AssertionError("negative dimension " + d);
            }
            product *= d;
        }
        if (product != c.data().length) {
            throw new AssertionError("dimensions multiply to " + product + " but the data has " + c.data().length);
        }
    }

    /** A refusal is one line that names the file at fault. */
    private static void checkMessage(IOException refused, Path... files) {
        String m = refused.getMessage();
        if (m == null || m.contains("\n") || Arrays.stream(files).noneMatch(f -> m.contains(f.toString()))) {
            throw new AssertionError("not one line naming the file: " + m, refused);
        }
    }

    /**
     * What reading {@code bytes} may allocate: twice the data the file really holds, plus, for gzip, a first
     * array of 8 times the file. Measured before the parse (inflating allocates too).
     */
    private static long allowance(byte[] bytes) {
        boolean gzip = bytes.length >= 2 && (bytes[0] & 0xFF) == 0x1f && (bytes[1] & 0xFF) == 0x8b;
        return gzip ? 8L * bytes.length + BUDGET.allowance(gunzippedLength(bytes)) : BUDGET.allowance(bytes.length);
    }

    /** The bytes a (possibly corrupt) gzip stream decompresses to, as far as it is valid. */
    private static long gunzippedLength(byte[] gz) {
        long n = 0;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            byte[] buf = new byte[8192];
            int r;
            while ((r = in.read(buf)) > 0 && n <= Idx.MAX_BYTES) {
                n += r;
            }
        } catch (IOException | RuntimeException e) {
            // as far as it went
        }
        return n;
    }

    private static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(content);
        }
        return out.toByteArray();
    }
}
