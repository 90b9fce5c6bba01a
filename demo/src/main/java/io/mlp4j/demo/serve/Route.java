package io.mlp4j.demo.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bookkeeping every route shares: the overload answer, errors as JSON, metrics, closing the exchange.
 * Subclasses only turn a request into a {@link Reply}.
 */
abstract class Route implements HttpHandler {

    private static final System.Logger LOG = System.getLogger(Route.class.getName());

    /** What every route shares: the metrics, the count of requests in flight, whether the server is stopping. */
    record Shared(Metrics metrics, AtomicLong inFlight, AtomicBoolean stopping) {
    }

    private final String name;
    private final Shared shared;

    Route(String name, Shared shared) {
        this.name = name;
        this.shared = shared;
    }

    abstract Reply answer(HttpExchange ex) throws Reply.Failure, IOException;

    @Override
    public final void handle(HttpExchange ex) {
        long start = System.nanoTime();
        shared.inFlight().incrementAndGet();
        int status = 0; // 0: no answer was sent
        try {
            Reply r;
            if (shared.stopping().get()) {
                r = Reply.error(503, "the server is stopping").with("Connection", "close");
            } else if (BoundedExecutor.overloaded()) {
                // The body stays unread: the connection closes after this answer.
                r = Reply.error(503, "the server is busy (its queue is full); retry in a second")
                        .with("Retry-After", "1").with("Connection", "close");
            } else {
                r = answerSafely(ex);
            }
            send(ex, r);
            status = r.status();
        } catch (IOException e) {
            // the client went away, or timed out: nothing to answer
            LOG.log(System.Logger.Level.DEBUG, "exchange failed", e);
        } finally {
            ex.close();
            shared.inFlight().decrementAndGet();
            if (status == 0) {
                shared.metrics().dropped();
            } else {
                shared.metrics().request(name, status, System.nanoTime() - start);
            }
        }
    }

    /** Whether the route answers only its context's own path (the JDK server matches contexts by prefix). */
    boolean exactPath() {
        return true;
    }

    private Reply answerSafely(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            if (exactPath() && !path.equals(ex.getHttpContext().getPath())) {
                throw notFound(path);
            }
            return answer(ex);
        } catch (Reply.Failure f) {
            return f.reply();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, name + ": internal error", e);
            return Reply.error(500, "internal error: " + e);
        }
    }

    private static void send(HttpExchange ex, Reply r) throws IOException {
        var h = ex.getResponseHeaders();
        h.set("Content-Type", r.contentType());
        h.set("Cache-Control", "no-store");
        h.set("X-Content-Type-Options", "nosniff");
        for (Map.Entry<String, String> e : r.headers().entrySet()) {
            h.set(e.getKey(), e.getValue());
        }
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(r.status(), head ? -1 : r.body().length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(r.body());
            }
        }
    }

    static Reply.Failure notFound(String path) {
        return new Reply.Failure(404, "no such page: " + path + "; the API is POST /predict, GET /health, "
                + "GET /model, GET /metrics, and the page is at /");
    }

    /** Refuses any method but {@code allowed} with 405. */
    static void allow(HttpExchange ex, String... allowed) throws Reply.Failure {
        for (String m : allowed) {
            if (m.equals(ex.getRequestMethod())) {
                return;
            }
        }
        throw new Reply.Failure(Reply.error(405, ex.getRequestMethod() + " is not allowed on "
                + ex.getRequestURI().getPath() + "; use " + String.join(" or ", allowed))
                .with("Allow", String.join(", ", allowed)), "method");
    }

    /** The media type of the body, lower case, without parameters; null when the header is missing. */
    static String mediaType(HttpExchange ex) {
        String t = ex.getRequestHeaders().getFirst("Content-Type");
        if (t == null) {
            return null;
        }
        int semi = t.indexOf(';');
        return (semi < 0 ? t : t.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    /**
     * The body, at most {@code limit} bytes. A declared length over the limit is refused before anything is
     * read; a chunked body is read up to the limit and no further.
     */
    static byte[] body(HttpExchange ex, long limit, String option) throws Reply.Failure, IOException {
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            long n;
            try {
                n = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                throw new Reply.Failure(400, "bad Content-Length: " + declared);
            }
            if (n > limit) {
                throw tooLarge(n + " bytes", limit, option);
            }
        }
        InputStream in = ex.getRequestBody();
        byte[] b = in.readNBytes((int) limit + 1);
        if (b.length > limit) {
            throw tooLarge("more than " + limit + " bytes", limit, option);
        }
        return b;
    }

    private static Reply.Failure tooLarge(String size, long limit, String option) {
        return new Reply.Failure(Reply.error(413, "the body is " + size + ", over the limit of " + limit
                + " bytes (" + option + ")").with("Connection", "close"), "too large");
    }
}
