package io.mlp4j.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;

/** Small files (models, IDX data) read whole through Hadoop's FileSystem: a local path, hdfs://, s3a://, ... */
final class HadoopFiles {

    private HadoopFiles() {
    }

    /**
     * The file's bytes.
     *
     * @param what what the file is, for messages ("model file")
     * @throws IllegalArgumentException naming the path and what is wrong, if it is missing, a directory, larger
     *                                  than {@code maxBytes}, or unreadable
     */
    static byte[] read(String path, Configuration conf, long maxBytes, String what) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException(what + ": no path given");
        }
        Path p;
        FileSystem fs;
        FileStatus status;
        try {
            p = new Path(path);
            fs = p.getFileSystem(conf);
            status = fs.getFileStatus(p);
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException(what + " " + path + " does not exist", e);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(what + " " + path + " cannot be read: " + e.getMessage(), e);
        }
        if (status.isDirectory()) {
            throw new IllegalArgumentException(what + " " + path + " is a directory; name the file itself");
        }
        if (status.getLen() > maxBytes) {
            throw new IllegalArgumentException(what + " " + path + " has " + status.getLen()
                    + " bytes, more than the " + maxBytes + " accepted");
        }
        byte[] bytes = new byte[(int) status.getLen()];
        try (FSDataInputStream in = fs.open(p)) {
            in.readFully(0, bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " " + path + " cannot be read: " + e.getMessage(), e);
        }
        return bytes;
    }

    /** Copies the file to a local temporary file (for readers that take a java.nio path); the caller deletes it. */
    static java.nio.file.Path toLocalTemp(String path, Configuration conf, long maxBytes, String what)
            throws IOException {
        byte[] bytes = read(path, conf, maxBytes, what);
        java.nio.file.Path tmp = Files.createTempFile("mlp4j-", "-" + new Path(path).getName());
        Files.write(tmp, bytes);
        return tmp;
    }

    /** Writes bytes to a temporary file, runs {@code reader} on it, deletes it. */
    static <T> T viaTempFile(byte[] bytes, String suffix, IoFunction<T> reader) throws IOException {
        java.nio.file.Path tmp = Files.createTempFile("mlp4j-", suffix);
        try {
            Files.write(tmp, bytes);
            return reader.apply(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    interface IoFunction<T> {
        T apply(java.nio.file.Path file) throws IOException;
    }
}
