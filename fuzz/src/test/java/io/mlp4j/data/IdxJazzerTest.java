package io.mlp4j.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mlp4j.io.AllocationBudget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Coverage-guided fuzzing of the IDX reader ({@link Idx#read}): every input gives a consistent result (the
 * dimensions multiply to the data's length, as many as asked for) or an {@link IOException} that names the file,
 * and the reader allocates at most a bounded multiple of the file's size (the decompressed size, for gzip). Any
 * other exception, or a broken bound, is a finding. Stored inputs (seeds and past findings) are in
 * {@code src/test/resources/io/mlp4j/data/IdxJazzerTestInputs/<method>/}.
 */
class IdxJazzerTest {

    /**
     * The reader keeps the data once, in one array; headers, buffers, the message and a first use of a class fit
     * in the fixed MiB. What the bound is for: allocation that follows the counts a header claims (up to 2^31).
     */
    private static final AllocationBudget BUDGET = new AllocationBudget(2, 1 << 20);

    private static Path file;

    @BeforeAll
    static void createFileAndWarmUp() throws IOException {
        file = Files.createTempFile("mlp4j-jazzer-", ".idx");
        // Load and initialise the reader's classes first: that allocation is once per JVM, not per input.
        byte[] images = {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4};
        for (byte[] input : new byte[][] {new byte[0], images, {0, 0, 8, 1, 0, 0, 0, 9}}) {
            for (int dims = 1; dims <= 3; dims++) {
                try {
                    Files.write(file, input);
                    Idx.read(file, dims);
                } catch (IOException expected) {
                    // warming up the refusals too
                }
                try {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                        gz.write(input);
                    }
                    Files.write(file, out.toByteArray());
                    Idx.read(file, dims);
                } catch (IOException expected) {
                    // as above
                }
            }
        }
    }

    @AfterAll
    static void deleteFile() throws IOException {
        Files.deleteIfExists(file);
    }

    /** Raw IDX bytes; the input's length picks the dimensions the caller expects (1, 2 or 3). */
    @FuzzTest(maxDuration = "30s")
    void raw(byte[] input) throws IOException {
        parse(input, input.length, input.length % 3 + 1);
    }

    /**
     * The input as the content of a gzip file: the header fields, count mismatches and claimed sizes behind
     * compression (a small file that claims gigabytes must be refused without taking them).
     */
    @FuzzTest(maxDuration = "30s")
    void gzipped(byte[] input) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(input);
        }
        parse(out.toByteArray(), input.length, input.length % 3 + 1);
    }

    private static void parse(byte[] bytes, int contentLength, int dims) throws IOException {
        Files.write(file, bytes);
        BUDGET.start();
        Idx.Content c;
        try {
            c = Idx.read(file, dims);
        } catch (IOException refused) {
            BUDGET.check("refusing " + refused.getMessage(), contentLength);
            if (refused.getMessage() == null || !refused.getMessage().contains(file.toString())) {
                throw new AssertionError("the message does not name the file: " + refused.getMessage(), refused);
            }
            return;
        }
        BUDGET.check("reading", contentLength);
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
}
