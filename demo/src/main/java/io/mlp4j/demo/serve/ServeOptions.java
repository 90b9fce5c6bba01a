package io.mlp4j.demo.serve;

/**
 * How {@link DigitServer} listens and what it accepts.
 *
 * @param host            address to bind (127.0.0.1 by default: only this machine)
 * @param port            0 = any free port
 * @param threads         request threads
 * @param queue           requests that may wait for a thread; beyond that, 503
 * @param maxBodyBytes    largest body of {@code POST /predict}
 * @param maxPixels       largest picture, as its header claims it
 * @param maxModelBytes   largest model file for {@code POST /model}
 * @param allowModelUpload whether {@code POST /model} is on (loopback clients only)
 */
public record ServeOptions(String host, int port, int threads, int queue, long maxBodyBytes, long maxPixels,
                           long maxModelBytes, boolean allowModelUpload) {

    /** The defaults of {@code mlp4j serve} (constants, so that its option annotations can name them). */
    public static final int DEFAULT_QUEUE = 128;
    public static final long DEFAULT_MAX_BODY = 2L << 20;
    public static final long DEFAULT_MAX_PIXELS = 1024L * 1024L;
    public static final long DEFAULT_MAX_MODEL_BYTES = 64L << 20;

    public ServeOptions {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port " + port + ": expected 0-65535 (0 = any free port)");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads " + threads + ": expected at least 1");
        }
        if (queue < 1) {
            throw new IllegalArgumentException("--queue " + queue + ": expected at least 1");
        }
        if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("--max-body " + maxBodyBytes + ": expected 1 to 2 GiB");
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("--max-pixels " + maxPixels + ": expected at least 1");
        }
        if (maxModelBytes < 1 || maxModelBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxModelBytes " + maxModelBytes + ": expected 1 to 2 GiB");
        }
    }

    /** The defaults of {@code mlp4j serve} on {@code host:port}. */
    public static ServeOptions defaults(String host, int port) {
        return new ServeOptions(host, port, defaultThreads(), DEFAULT_QUEUE, DEFAULT_MAX_BODY, DEFAULT_MAX_PIXELS,
                DEFAULT_MAX_MODEL_BYTES, false);
    }

    public static int defaultThreads() {
        return 2 * Runtime.getRuntime().availableProcessors();
    }

    public ServeOptions withModelUpload(boolean allow) {
        return new ServeOptions(host, port, threads, queue, maxBodyBytes, maxPixels, maxModelBytes, allow);
    }
}
