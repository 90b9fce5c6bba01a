package io.mlp4j.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST format), gzipped or raw: a big-endian header {@code 0x00 0x00 type dims}, one
 * 32-bit size per dimension, then the data. Only unsigned bytes (type 0x08) are supported. Every fault is
 * reported with the file's name.
 */
public final class Idx {

    /** Refuse headers claiming more than this many bytes of data (2 GiB minus a little, Java's array limit). */
    static final long MAX_BYTES = Integer.MAX_VALUE - 16;

    /** The content of an IDX file: its dimensions and its uint8 data. */
    public record Content(int[] dims, byte[] data) {
    }

    private Idx() {
    }

    /**
     * Reads an IDX file with the given number of dimensions.
     *
     * @param file a gzipped ({@code .gz}) or raw IDX file
     * @param expectedDims 3 for images, 1 for labels
     * @return the dimensions and the bytes
     * @throws IOException naming the file if it is missing, not IDX, of the wrong kind or truncated
     */
    public static Content read(Path file, int expectedDims) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            long fileSize = Files.size(file);
            if (fileSize == 0) {
                throw new IOException(file + ": the file is empty; download it again");
            }
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            try (DataInputStream in = new DataInputStream(gzip ? new GZIPInputStream(raw, 1 << 16) : raw)) {
                return read(file, in, expectedDims, gzip, fileSize);
            } catch (ZipException e) {
                throw new IOException(file + ": corrupt gzip data (" + e.getMessage() + "); download the file again",
                        e);
            } catch (EOFException e) {
                throw new IOException(file + ": the file is truncated" + (gzip ? " (the gzip stream ends early)" : "")
                        + "; download it again", e);
            }
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new IOException(file + ": permission denied", e);
        }
    }

    private static Content read(Path file, DataInputStream in, int expectedDims, boolean gzip, long fileSize)
            throws IOException {
        int magic = in.readInt();
        int type = (magic >>> 8) & 0xFF;
        int dims = magic & 0xFF;
        if ((magic >>> 16) != 0) {
            throw new IOException(String.format("%s: not an IDX file (magic 0x%08x; IDX files start with 0x0000)",
                    file, magic));
        }
        if (type != 0x08) {
            throw new IOException(String.format("%s: unsupported IDX element type 0x%02x (only unsigned bytes, 0x08)",
                    file, type));
        }
        if (dims != expectedDims) {
            throw new IOException(String.format("%s: expected %d dimension%s (magic 0x%08x, %s), found %d (magic "
                            + "0x%08x); is this the right file?", file, expectedDims, expectedDims == 1 ? "" : "s",
                    0x800 | expectedDims, expectedDims == 1 ? "labels" : "images", dims, magic));
        }
        int[] shape = new int[dims];
        long total = 1;
        for (int i = 0; i < dims; i++) {
            shape[i] = in.readInt();
            if (shape[i] < 0) {
                throw new IOException(file + ": dimension " + i + " is negative (" + shape[i] + "); the file is corrupt");
            }
            total *= shape[i];
            if (total > MAX_BYTES) {
                throw new IOException(file + ": the header claims more than " + MAX_BYTES
                        + " bytes of data, which is more than this reader accepts; the file is corrupt");
            }
        }
        // Refuse impossible sizes before allocating: a raw file's size is known exactly, and deflate cannot
        // compress better than about 1032:1.
        long headerBytes = 4 + 4L * dims;
        if (!gzip && headerBytes + total > fileSize) {
            throw new IOException(file + ": the file is truncated: the header promises " + total
                    + " bytes of data but only " + (fileSize - headerBytes) + " follow; download it again");
        }
        if (!gzip && headerBytes + total < fileSize) {
            throw new IOException(file + ": " + (fileSize - headerBytes - total) + " bytes of unexpected data after the "
                    + total + " bytes the header describes; the file is corrupt");
        }
        if (gzip && total > fileSize * 1032) {
            throw new IOException(file + ": the header claims " + total + " bytes of data, more than a gzip file of "
                    + fileSize + " bytes can hold; the file is truncated or corrupt");
        }
        // A raw file's size was checked above; a gzip stream's is only known by inflating it.
        byte[] data = gzip ? readGrowing(in, (int) total, fileSize) : readExactly(in, (int) total);
        if (data.length < total) {
            throw new IOException(file + ": the file is truncated: the header promises " + total
                    + " bytes of data but only " + data.length + " follow; download it again");
        }
        if (in.read() != -1) {
            throw new IOException(file + ": unexpected data after the " + data.length
                    + " bytes the header describes; the file is corrupt");
        }
        return new Content(shape, data);
    }

    private static byte[] readExactly(InputStream in, int total) throws IOException {
        byte[] data = new byte[total];
        int n = in.readNBytes(data, 0, total);
        return n == total ? data : Arrays.copyOf(data, n);
    }

    /**
     * Reads up to {@code total} bytes of a gzip stream into an array that grows with the data actually there, so
     * a header that claims far more than the stream holds (up to 1032 times the file's size) costs no more memory
     * than the data itself. Starts at 8 times the compressed size (MNIST compresses about 5:1: one allocation).
     * Returns fewer bytes than {@code total} when the stream ends early.
     */
    private static byte[] readGrowing(InputStream in, int total, long fileSize) throws IOException {
        byte[] data = new byte[(int) Math.min(total, Math.max(1 << 16, 8 * fileSize))];
        int n = 0;
        while (true) {
            n += in.readNBytes(data, n, data.length - n);
            if (n < data.length || n == total) {
                return n == data.length ? data : Arrays.copyOf(data, n);
            }
            data = Arrays.copyOf(data, (int) Math.min(total, 2L * data.length));
        }
    }

    /**
     * Reads an image file (3 dimensions) and a label file (1 dimension) into a data set; counts must agree.
     *
     * @param name a name for messages
     * @param images an IDX file of 3 dimensions
     * @param labels an IDX file of 1 dimension
     * @return the data set
     * @throws IOException naming the file that is missing, malformed, or whose count does not agree
     */
    public static DataSet readDataSet(String name, Path images, Path labels) throws IOException {
        Content img = read(images, 3);
        Content lab = read(labels, 1);
        if (img.dims()[0] != lab.dims()[0]) {
            throw new IOException(images + " holds " + img.dims()[0] + " images but " + labels + " holds "
                    + lab.dims()[0] + " labels; the files do not belong together");
        }
        if (img.dims()[1] == 0 || img.dims()[2] == 0) {
            throw new IOException(images + ": images of " + img.dims()[1] + "x" + img.dims()[2]
                    + " pixels; the file is corrupt");
        }
        if (img.dims()[0] == 0) {
            throw new IOException(images + ": holds no images");
        }
        return DataSet.wrap(name, img.data(), lab.data(), img.dims()[1], img.dims()[2]);
    }
}
