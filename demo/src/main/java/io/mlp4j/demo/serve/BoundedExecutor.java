package io.mlp4j.demo.serve;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's request threads with a bounded queue. When the queue is full, the JDK server would close the
 * connection without a word (it only catches the rejection); instead the request runs at once on the server's
 * own thread, marked as overloaded, and {@link Route} answers it 503 with Retry-After without reading its body.
 */
final class BoundedExecutor implements Executor {

    private static final ThreadLocal<Boolean> OVERLOADED = new ThreadLocal<>();

    private final ThreadPoolExecutor pool;

    BoundedExecutor(int threads, int queue) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "mlp4j-serve-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queue),
                factory, (r, executor) -> {
                    OVERLOADED.set(Boolean.TRUE);
                    try {
                        r.run();
                    } finally {
                        OVERLOADED.remove();
                    }
                });
    }

    /** Whether the current request is one the queue had no room for. */
    static boolean overloaded() {
        return OVERLOADED.get() != null;
    }

    @Override
    public void execute(Runnable r) {
        pool.execute(r);
    }

    /** Whether no request is running or waiting. */
    boolean idle() {
        return pool.getActiveCount() == 0 && pool.getQueue().isEmpty();
    }

    /** Lets queued and running requests finish, up to {@code millis}; returns whether all did. */
    boolean shutdown(long millis) throws InterruptedException {
        pool.shutdown();
        return pool.awaitTermination(millis, TimeUnit.MILLISECONDS);
    }
}
