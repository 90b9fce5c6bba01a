package io.mlp4j.demo.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.mlp4j.Classifier;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Digit recognition over HTTP on the JDK's own server ({@code jdk.httpserver}): the JSON API, the metrics and
 * the draw-a-digit page. See README's "HTTP API" for the routes and docs/ARCHITECTURE.md for why this server.
 */
public final class DigitServer implements AutoCloseable {

    /**
     * Set before the JDK server's first use in this JVM (it reads them once): Nagle's algorithm with delayed
     * ACKs holds small POSTs back by ~40 ms, and a client that sends its request (headers and body) more slowly
     * than {@code readTimeoutSeconds} is disconnected, as is one that does not take its answer in time.
     */
    public static void configureJdkServer(int readTimeoutSeconds) {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        System.setProperty("sun.net.httpserver.maxReqTime", Integer.toString(readTimeoutSeconds));
        System.setProperty("sun.net.httpserver.maxRspTime", Integer.toString(readTimeoutSeconds));
    }

    private final HttpServer server;
    private final BoundedExecutor executor;
    private final AtomicReference<ServedModel> model;
    private final AtomicBoolean stopping;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private DigitServer(HttpServer server, BoundedExecutor executor, AtomicReference<ServedModel> model,
                        AtomicBoolean stopping) {
        this.server = server;
        this.stopping = stopping;
        this.executor = executor;
        this.model = model;
    }

    /**
     * Starts serving {@code classifier} (which must take 28x28 = 784 inputs).
     *
     * @param source where the model came from, for {@code GET /model}
     */
    public static DigitServer start(ServeOptions o, Classifier classifier, String source) throws IOException {
        if (classifier.network().inputs() != 28 * 28) {
            throw new IllegalArgumentException("the model " + classifier.network() + " takes "
                    + classifier.network().inputs() + " inputs; serve needs one for 28x28 = 784 pixels");
        }
        AtomicReference<ServedModel> model = new AtomicReference<>(new ServedModel(classifier, source, Instant.now()));
        Metrics metrics = new Metrics();
        AtomicLong inFlight = new AtomicLong();
        AtomicBoolean stopping = new AtomicBoolean();
        Route.Shared shared = new Route.Shared(metrics, inFlight, stopping);
        HttpServer server = HttpServer.create(new InetSocketAddress(o.host(), o.port()), 0);
        BoundedExecutor executor = new BoundedExecutor(o.threads(), o.queue());
        server.setExecutor(executor);
        server.createContext("/", new PageRoute(shared));
        server.createContext("/predict", new PredictRoute(model, shared, o));
        server.createContext("/model", new ModelRoute(model, shared, o));
        server.createContext("/health", new Route("health", shared) {
            @Override
            Reply answer(HttpExchange ex) throws Reply.Failure {
                allow(ex, "GET", "HEAD");
                return Reply.ok("{\"status\":\"ok\",\"network\":"
                        + JsonText.string(model.get().classifier().network().toString()) + "}");
            }
        });
        server.createContext("/metrics", new Route("metrics", shared) {
            @Override
            Reply answer(HttpExchange ex) throws Reply.Failure {
                allow(ex, "GET", "HEAD");
                Runtime rt = Runtime.getRuntime();
                // this request is in flight too: not counted
                String text = metrics.prometheus(inFlight.get() - 1, rt.totalMemory() - rt.freeMemory());
                return new Reply(200, "text/plain; version=0.0.4; charset=utf-8",
                        text.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.util.Map.of());
            }
        });
        server.start();
        return new DigitServer(server, executor, model, stopping);
    }

    /** {@code http://host:port/}. */
    public URI uri() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/");
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The model being served now. */
    public Classifier model() {
        return model.get().classifier();
    }

    /**
     * Stops listening at once (new connections are refused, new requests on open connections get 503), lets
     * requests in flight finish for up to {@code graceSeconds}, then returns. Idempotent.
     */
    public void stop(int graceSeconds) {
        if (!stopping.compareAndSet(false, true)) {
            awaitQuietly();
            return;
        }
        try {
            // JDK 17's HttpServer.stop closes the listener first, then waits out the whole delay when no exchange
            // ends meanwhile (fixed in JDK 21): let it wait on its own thread, and return once nothing is in flight.
            Thread closer = new Thread(() -> server.stop(graceSeconds), "mlp4j-serve-close");
            closer.setDaemon(true);
            closer.start();
            long deadline = System.nanoTime() + graceSeconds * 1_000_000_000L;
            while (!executor.idle() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            executor.shutdown(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped.countDown();
        }
    }

    /** Blocks until {@link #stop} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    private void awaitQuietly() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(0);
    }
}
