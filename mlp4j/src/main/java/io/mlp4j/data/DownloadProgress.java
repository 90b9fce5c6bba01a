package io.mlp4j.data;

import java.net.URI;

/**
 * Reports a download's progress, e.g. to draw a progress bar. Called on the downloading thread, once per chunk
 * received (tens of kilobytes), so implementations should be quick.
 */
@FunctionalInterface
public interface DownloadProgress {

    /**
     * Progress of one file.
     *
     * @param file       the file's name, e.g. {@code train-images-idx3-ubyte.gz}
     * @param bytes      bytes received so far (0 when a transfer starts, also when it restarts from another mirror);
     *                   for a file already present with the right checksum, one call with {@code bytes == totalBytes}
     * @param totalBytes the file's size, or -1 if the server did not say
     */
    void update(String file, long bytes, long totalBytes);

    /**
     * A mirror failed for a file (unreachable, an HTTP error, a wrong checksum); the next one is tried. By default
     * nothing is reported: the final exception lists every failure anyway.
     *
     * @param file the file's name
     * @param url where it was fetched from
     * @param reason what went wrong
     */
    default void mirrorFailed(String file, URI url, String reason) {
    }

    /**
     * Reports nothing.
     *
     * @return a listener that does nothing
     */
    static DownloadProgress none() {
        return (file, bytes, total) -> {
        };
    }
}
