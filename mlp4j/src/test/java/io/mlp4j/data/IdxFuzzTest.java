package io.mlp4j.data;

import io.mlp4j.fuzz.Fuzzer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the IDX reader ({@link Idx#read} raw and gzipped, {@link Idx#readDataSet}): any input gives a valid
 * result or an {@link IOException} naming the file, and allocation stays within twice the data the file really
 * holds (decompressed, for gzip) plus a fixed megabyte. See {@link Fuzzer}; {@code -Dmlp4j.fuzz.seconds=600}
 * for a long run.
 */
@Tag("fuzz")
class IdxFuzzTest {

    private static final double SECONDS = Fuzzer.seconds(6);
    private static final long FIXED = 384 << 10;

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ helpers shared by the targets

    /** The bytes a gzip stream really decompresses to (as far as it is valid), at most {@code limit}. */
    static long gunzippedLength(byte[] gz, long limit) {
        long n = 0;
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            byte[] buf = new byte[8192];
            int r;
            while (n < limit && (r = in.read(buf)) > 0) {
                n += r;
            }
        } catch (IOException | RuntimeException e) {
            // as far as it went
        }
        return n;
    }

    static boolean isGzip(byte[] b) {
        return b.length >= 2 && (b[0] & 0xFF) == 0x1f && (b[1] & 0xFF) == 0x8b;
    }

    /** The decompressed prefix of a (possibly corrupt) gzip stream. */
    static byte[] gunzipTolerant(byte[] gz) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            byte[] buf = new byte[8192];
            int r;
            while (out.size() < (1 << 22) && (r = in.read(buf)) > 0) {
                out.write(buf, 0, r);
            }
        } catch (IOException | RuntimeException e) {
            // keep the prefix
        }
        return out.toByteArray();
    }

    /** IDX-aware mutations of a raw file: magic bytes, the dimension count and sizes, data length. */
    static byte[] mutateIdxHeader(byte[] raw, SplittableRandom r) {
        if (raw.length < 4) {
            return null;
        }
        byte[] x = raw.clone();
        int dims = x[3] & 0xFF;
        switch (r.nextInt(7)) {
            case 0 -> x[r.nextInt(4)] = (byte) new int[] {0, 1, 3, 8, 9, 0x0d, 0xff}[r.nextInt(7)];
            case 1 -> x[3] = (byte) r.nextInt(6);
            case 2 -> { // one dimension to an interesting size
                int d = Math.min(dims, (x.length - 4) / 4);
                if (d == 0) {
                    return null;
                }
                int[] vals = {0, 1, 2, 27, 28, 29, 784, 60000, 0x7fffffff, 0x80000000, -1, 0x7fffffef, 1 << 16,
                    1 << 24, 46341, 2_000_000};
                Fuzzer.putIntBE(x, 4 + 4 * r.nextInt(d), vals[r.nextInt(vals.length)]);
            }
            case 3 -> { // the count off by a little: truncated or trailing data
                if (x.length < 8) {
                    return null;
                }
                int v = ByteBuffer.wrap(x, 4, 4).getInt();
                Fuzzer.putIntBE(x, 4, v + r.nextInt(5) - 2);
            }
            case 4 -> { // a header claiming the maximum, with the rest of the file as it is
                if (x.length < 8) {
                    return null;
                }
                Fuzzer.putIntBE(x, 4, r.nextBoolean() ? (int) (Idx.MAX_BYTES / 784) : 0x7fffffff / 28);
            }
            case 5 -> { // a count claiming a few times more data than the file holds (a gzip bomb's header)
                if (x.length < 8 || dims < 1) {
                    return null;
                }
                long row = 1;
                for (int i = 1; i < dims && 8 + 4 * i <= x.length; i++) {
                    row *= Math.max(1, ByteBuffer.wrap(x, 4 + 4 * i, 4).getInt());
                }
                long claim = (long) x.length << (1 + r.nextInt(10));
                Fuzzer.putIntBE(x, 4, (int) Math.min(Integer.MAX_VALUE, Math.max(1, claim / Math.max(1, row))));
            }
            default -> {
                return Arrays.copyOf(x, Math.max(0, x.length - 1 - r.nextInt(Math.max(1, x.length / 4))));
            }
        }
        return x;
    }

    private static boolean namesFile(Throwable t, Path... files) {
        if (!(t instanceof IOException) || t.getMessage() == null) {
            return false;
        }
        for (Path f : files) {
            if (t.getMessage().contains(f.toString())) {
                return true;
            }
        }
        return false;
    }

    /** A valid read must describe itself consistently. */
    private static String check(Idx.Content c, int dims) {
        assertEquals(dims, c.dims().length);
        long total = 1;
        for (int d : c.dims()) {
            assertTrue(d >= 0, "negative dimension");
            total *= d;
        }
        assertEquals(total, c.data().length);
        return dims + "d" + (total == 0 ? " empty" : "");
    }

    // ------------------------------------------------------------------ targets

    /** {@link Idx#read} on one file, raw or gzipped, with the given dimensionality. */
    final class ReadTarget implements Fuzzer.Target {
        private final boolean gzip;
        private final int dims;
        private final Path file;

        ReadTarget(boolean gzip, int dims) {
            this.gzip = gzip;
            this.dims = dims;
            this.file = dir.resolve("fuzz-" + (dims == 3 ? "images" : "labels") + (gzip ? ".gz" : ".idx"));
        }

        @Override
        public String name() {
            return "Idx.read " + (gzip ? "gzip" : "raw") + " " + dims + "d";
        }

        @Override
        public List<byte[]> seeds() {
            byte[] a = dims == 3 ? IdxFiles.images(3, 4, 5) : IdxFiles.labels(7);
            byte[] b = dims == 3 ? IdxFiles.images(2, 28, 28) : IdxFiles.labels(100);
            byte[] c = dims == 3 ? IdxFiles.images(0, 28, 28) : IdxFiles.labels(0);
            byte[] d = dims == 3 ? IdxFiles.images(40, 28, 28) : IdxFiles.labels(20_000);
            return gzip ? List.of(IdxFiles.gzip(a), IdxFiles.gzip(b), IdxFiles.gzip(c), IdxFiles.gzip(d))
                    : List.of(a, b, c);
        }

        @Override
        public byte[] mutate(byte[] input, SplittableRandom r) {
            if (!gzip) {
                return mutateIdxHeader(input, r);
            }
            if (r.nextBoolean()) {
                return null; // generic mutations of the compressed stream
            }
            // Structure-aware: mutate the content, then compress it again (sometimes as a second member).
            byte[] raw = gunzipTolerant(input);
            byte[] m = r.nextBoolean() ? mutateIdxHeader(raw, r) : null;
            byte[] out = IdxFiles.gzip(m != null ? m : Fuzzer.mutateBytes(raw, raw, r));
            if (r.nextInt(8) == 0) {
                byte[] two = Arrays.copyOf(out, out.length * 2);
                System.arraycopy(out, 0, two, out.length, out.length);
                return two;
            }
            return out;
        }

        @Override
        public String run(byte[] input) throws Exception {
            Fuzzer.write(file, input);
            return check(Idx.read(file, dims), dims);
        }

        @Override
        public long allowedBytes(byte[] input) {
            long data = isGzip(input) ? gunzippedLength(input, 1L << 30) : input.length;
            return 10L * input.length + 2 * data + FIXED; // see Idx.readGrowing: 8x the file to start
        }

        @Override
        public boolean acceptable(Throwable t) {
            return namesFile(t, file);
        }
    }

    /**
     * {@link Idx#readDataSet} on a pair of files. The input is both files in one: a big-endian int giving the
     * image file's length, the image file, then the label file.
     */
    final class DataSetTarget implements Fuzzer.Target {
        private final Path images = dir.resolve("fuzz-pair-images");
        private final Path labels = dir.resolve("fuzz-pair-labels");

        @Override
        public String name() {
            return "Idx.readDataSet";
        }

        private static byte[] pair(byte[] img, byte[] lab) {
            return ByteBuffer.allocate(4 + img.length + lab.length).putInt(img.length).put(img).put(lab).array();
        }

        private static byte[][] split(byte[] input) {
            int n = input.length < 4 ? 0 : ByteBuffer.wrap(input, 0, 4).getInt();
            int body = Math.max(0, input.length - 4);
            n = Math.max(0, Math.min(n, body));
            int from = Math.min(4, input.length);
            return new byte[][] {Arrays.copyOfRange(input, from, from + n),
                Arrays.copyOfRange(input, from + n, input.length)};
        }

        @Override
        public List<byte[]> seeds() {
            return List.of(pair(IdxFiles.images(5, 3, 3), IdxFiles.labels(5)),
                    pair(IdxFiles.gzip(IdxFiles.images(2, 28, 28)), IdxFiles.gzip(IdxFiles.labels(2))),
                    pair(IdxFiles.images(4, 2, 2), IdxFiles.gzip(IdxFiles.labels(4))));
        }

        @Override
        public byte[] mutate(byte[] input, SplittableRandom r) {
            byte[][] p = split(input);
            int which = r.nextInt(2);
            byte[] part = p[which];
            byte[] raw = isGzip(part) ? gunzipTolerant(part) : part;
            byte[] m = mutateIdxHeader(raw, r);
            if (m == null) {
                return null;
            }
            p[which] = isGzip(part) && r.nextInt(4) != 0 ? IdxFiles.gzip(m) : m;
            return pair(p[0], p[1]);
        }

        @Override
        public String run(byte[] input) throws Exception {
            byte[][] p = split(input);
            Fuzzer.write(images, p[0]);
            Fuzzer.write(labels, p[1]);
            DataSet d = Idx.readDataSet("fuzz", images, labels);
            assertTrue(d.size() > 0 && d.rows() > 0 && d.cols() > 0);
            assertEquals((long) d.size() * d.features(), d.pixels().length);
            assertEquals(d.size(), d.labels().length);
            return "dataset";
        }

        @Override
        public long allowedBytes(byte[] input) {
            long total = 0;
            for (byte[] part : split(input)) {
                long data = isGzip(part) ? gunzippedLength(part, 1L << 30) : part.length;
                total += 10L * part.length + 2 * data;
            }
            // Two files, each with its own stream buffers; DataSet.pixels()/labels() in the check copy once more.
            return 2 * total + 2 * FIXED;
        }

        @Override
        public boolean acceptable(Throwable t) {
            return namesFile(t, images, labels);
        }
    }

    private static void assertNoFindings(Fuzzer.Report report) {
        System.out.println("[fuzz] " + report);
        assertTrue(report.findings().isEmpty(), () -> String.join("\n", report.findings()));
        assertTrue(report.executions() > 10, "the fuzzer barely ran: " + report);
    }

    @Test
    void rawImages() {
        assertNoFindings(Fuzzer.run(new ReadTarget(false, 3), Fuzzer.seed(1), SECONDS, Long.MAX_VALUE));
    }

    @Test
    void rawLabels() {
        assertNoFindings(Fuzzer.run(new ReadTarget(false, 1), Fuzzer.seed(2), SECONDS / 2, Long.MAX_VALUE));
    }

    @Test
    void gzippedImages() {
        assertNoFindings(Fuzzer.run(new ReadTarget(true, 3), Fuzzer.seed(3), SECONDS, Long.MAX_VALUE));
    }

    @Test
    void gzippedLabels() {
        assertNoFindings(Fuzzer.run(new ReadTarget(true, 1), Fuzzer.seed(4), SECONDS / 2, Long.MAX_VALUE));
    }

    @Test
    void dataSets() {
        assertNoFindings(Fuzzer.run(new DataSetTarget(), Fuzzer.seed(5), SECONDS, Long.MAX_VALUE));
    }
}
