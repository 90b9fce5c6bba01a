package io.mlp4j.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static io.mlp4j.data.IdxFiles.gzip;
import static io.mlp4j.data.IdxFiles.idx;
import static io.mlp4j.data.IdxFiles.images;
import static io.mlp4j.data.IdxFiles.labels;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxTest {

    @TempDir
    Path dir;

    private Path file(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    /** Reading {@code f} fails with a message naming the file and containing every part. */
    private static void assertFault(Path f, int dims, String... parts) {
        IOException e = assertThrows(IOException.class, () -> Idx.read(f, dims));
        assertMessage(e, f, parts);
    }

    private static void assertMessage(IOException e, Path f, String... parts) {
        String m = e.getMessage();
        assertTrue(m.contains(f.toString()), "message should name " + f + ": " + m);
        for (String p : parts) {
            assertTrue(m.contains(p), "expected '" + p + "' in: " + m);
        }
    }

    @Test
    void readsRawAndGzippedFiles() throws IOException {
        byte[] raw = images(3, 2, 4);
        Idx.Content a = Idx.read(file("a", raw), 3);
        Idx.Content b = Idx.read(file("b.gz", gzip(raw)), 3);
        assertArrayEquals(new int[] {3, 2, 4}, a.dims());
        assertArrayEquals(a.dims(), b.dims());
        assertArrayEquals(Arrays.copyOfRange(raw, 16, raw.length), a.data());
        assertArrayEquals(a.data(), b.data());
    }

    @Test
    void refusesBadMagic() throws IOException {
        assertFault(file("png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0}), 3,
                "not an IDX file", "0x89504e47");
        assertFault(file("bad.gz", gzip(idx(0x12340803, new int[] {1, 1, 1}, new byte[1]))), 3, "not an IDX file");
    }

    @Test
    void refusesOtherElementTypes() throws IOException {
        assertFault(file("floats", idx(0x0D03, new int[] {1, 1, 1}, new byte[4])), 3, "element type 0x0d",
                "only unsigned bytes");
    }

    @Test
    void refusesTheWrongNumberOfDimensions() throws IOException {
        Path labels = file("labels", labels(4));
        assertFault(labels, 3, "expected 3 dimensions", "found 1", "right file");
        Path images = file("images", images(2, 2, 2));
        assertFault(images, 1, "expected 1 dimension ", "found 3");
    }

    @Test
    void refusesNegativeDimensions() throws IOException {
        assertFault(file("neg", idx(0x803, new int[] {2, -28, 28}, new byte[0])), 3, "dimension 1 is negative (-28)");
    }

    @Test
    void refusesHeadersClaimingMoreThan2GiBBeforeAllocating() throws IOException {
        assertFault(file("huge", idx(0x803, new int[] {60000, 28000, 28000}, new byte[16])), 3,
                "claims more than", "bytes of data");
        assertFault(file("huge.gz", gzip(idx(0x803, new int[] {60000, 28000, 28000}, new byte[16]))), 3,
                "claims more than");
    }

    @Test
    void refusesSizesTheFileCannotHoldBeforeAllocating() throws IOException {
        // 1.5 GB promised by a 40-byte raw file, or by a tiny gzip file: refused without allocating 1.5 GB.
        byte[] header = idx(0x803, new int[] {2000, 1000, 750}, new byte[24]);
        assertFault(file("liar", header), 3, "truncated", "promises 1500000000 bytes", "only 24 follow");
        assertFault(file("liar.gz", gzip(header)), 3, "claims 1500000000 bytes", "more than a gzip file");
    }

    @Test
    void refusesTruncatedFiles() throws IOException {
        byte[] raw = images(5, 3, 3);
        assertFault(file("cut", Arrays.copyOf(raw, raw.length - 1)), 3, "truncated", "promises 45", "only 44");
        assertFault(file("cut-header", Arrays.copyOf(raw, 10)), 3, "truncated");
        // A complete gzip stream of a truncated IDX file.
        assertFault(file("cut-inner.gz", gzip(Arrays.copyOf(raw, raw.length - 1))), 3, "truncated", "only 44");
        // A gzip file cut short.
        byte[] gz = gzip(raw);
        assertFault(file("cut.gz", Arrays.copyOf(gz, gz.length - 10)), 3, "truncated");
        assertFault(file("empty", new byte[0]), 3, "empty");
    }

    @Test
    void refusesTrailingData() throws IOException {
        byte[] raw = images(2, 2, 2);
        byte[] longer = Arrays.copyOf(raw, raw.length + 3);
        assertFault(file("long", longer), 3, "3 bytes of unexpected data after the 8 bytes");
        assertFault(file("long.gz", gzip(longer)), 3, "unexpected data after the 8 bytes");
    }

    @Test
    void refusesCorruptGzip() throws IOException {
        byte[] gz = gzip(images(20, 4, 4));
        byte[] badCrc = gz.clone();
        badCrc[gz.length - 8] ^= 0x55; // the CRC-32 in the trailer
        assertFault(file("crc.gz", badCrc), 3, "corrupt gzip data");
        byte[] badMethod = gz.clone();
        badMethod[2] = 7; // compression method: only 8 (deflate) exists
        assertFault(file("method.gz", badMethod), 3, "corrupt gzip data");
        byte[] badBlock = gz.clone();
        badBlock[10] = (byte) 0xff; // first deflate block header: reserved block type 3
        assertFault(file("block.gz", badBlock), 3, "corrupt gzip data");
    }

    @Test
    void refusesMissingFiles() {
        Path missing = dir.resolve("nothing-here");
        assertFault(missing, 3, "no such file");
    }

    @Test
    void refusesImageAndLabelCountsThatDisagree() throws IOException {
        Path images = file("img", images(5, 2, 2));
        Path labels = file("lab", labels(4));
        IOException e = assertThrows(IOException.class, () -> Idx.readDataSet("x", images, labels));
        assertMessage(e, images, labels.toString(), "5 images", "4 labels");
    }

    @Test
    void refusesEmptyImages() throws IOException {
        Path images = file("img", idx(0x803, new int[] {3, 0, 28}, new byte[0]));
        Path labels = file("lab", labels(3));
        IOException e = assertThrows(IOException.class, () -> Idx.readDataSet("x", images, labels));
        assertMessage(e, images, "0x28");
    }

    @Test
    void readsADataSet() throws IOException {
        DataSet d = Idx.readDataSet("x", file("img.gz", gzip(images(5, 2, 3))), file("lab", labels(5)));
        assertEquals(5, d.size());
        assertEquals(2, d.rows());
        assertEquals(3, d.cols());
        assertEquals(4, d.label(4));
        assertArrayEquals(new byte[] {28, 29, 30, 31, 32, 33}, d.image(4));
    }

    @Test
    void mnistLoadNamesTheMissingFile() throws IOException {
        Files.write(dir.resolve(Mnist.TRAIN_IMAGES), gzip(images(3, 2, 2)));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), labels(3)); // raw is accepted too
        Files.write(dir.resolve(Mnist.TEST_IMAGES), gzip(images(2, 2, 2)));
        IOException e = assertThrows(IOException.class, () -> Mnist.load(dir));
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains(Mnist.TEST_LABELS),
                e.getMessage());
        Files.write(dir.resolve(Mnist.TEST_LABELS), gzip(labels(2)));
        Mnist m = Mnist.load(dir);
        assertEquals(3, m.train().size());
        assertEquals(2, m.test().size());

        IOException none = assertThrows(IOException.class, () -> Mnist.load(dir.resolve("absent")));
        assertTrue(none.getMessage().contains("absent") && none.getMessage().contains("does not exist"),
                none.getMessage());
    }

    /** The test set decodes on another thread: its faults still come back as the IOException naming the file. */
    @Test
    void mnistLoadReportsACorruptTestFileAsItself() throws IOException {
        Files.write(dir.resolve(Mnist.TRAIN_IMAGES), gzip(images(3, 2, 2)));
        Files.write(dir.resolve(Mnist.TRAIN_LABELS), gzip(labels(3)));
        byte[] bad = images(2, 2, 2);
        bad[3] = 9; // magic 0x00000809: not an IDX of unsigned bytes in 3 dimensions
        Files.write(dir.resolve(Mnist.TEST_IMAGES), gzip(bad));
        Files.write(dir.resolve(Mnist.TEST_LABELS), gzip(labels(2)));
        IOException e = assertThrows(IOException.class, () -> Mnist.load(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve(Mnist.TEST_IMAGES).toString()), e.getMessage());
    }

    @Test
    void mnistLoadRefusesMismatchedImageSizes() throws IOException {
        Files.write(dir.resolve(Mnist.TRAIN_IMAGES), gzip(images(3, 2, 2)));
        Files.write(dir.resolve(Mnist.TRAIN_LABELS), gzip(labels(3)));
        Files.write(dir.resolve(Mnist.TEST_IMAGES), gzip(images(2, 3, 3)));
        Files.write(dir.resolve(Mnist.TEST_LABELS), gzip(labels(2)));
        IOException e = assertThrows(IOException.class, () -> Mnist.load(dir));
        assertTrue(e.getMessage().contains("2x2") && e.getMessage().contains("3x3"), e.getMessage());
    }

    /**
     * Gzip data goes into an array that starts at 8 times the compressed size and grows as data arrives (so a
     * header that claims more than the stream holds costs only what is there); growing must not change what a
     * valid file reads as, across the growth steps.
     */
    @Test
    void gzipFilesLargerThanTheFirstAllocationReadExactly() throws IOException {
        // Highly compressible: 8x the compressed size is far too small, so the array grows several times.
        byte[] px = new byte[300 * 28 * 28];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i / 5000);
        }
        Path f = file("grows.gz", gzip(idx(0x803, new int[] {300, 28, 28}, px)));
        assertTrue(Files.size(f) * 8 < px.length / 4);
        assertArrayEquals(px, Idx.read(f, 3).data());
        // One byte more than the header says is still refused, and one byte fewer is truncated.
        byte[] more = Arrays.copyOf(idx(0x803, new int[] {300, 28, 28}, px), 4 + 12 + px.length + 1);
        assertFault(file("grows.gz", gzip(more)), 3, "unexpected data after");
        assertFault(file("grows.gz", gzip(Arrays.copyOf(more, more.length - 2))), 3, "truncated");
    }
}
