package io.mlp4j.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits a range of rows across a fixed set of threads, the caller included. Workers spin between tasks because
 * a blocking hand-off (park/unpark, a queue) costs ~50 µs on small VMs, as much as a whole kernel of a small
 * model; after a while without work they park, so an idle pool does not burn a core.
 */
final class WorkerPool implements AutoCloseable {

    /** A task over rows [from, to). Implementations are reused, so that a step allocates nothing. */
    interface RangeTask {
        void run(int from, int to);
    }

    private static final long SPIN_NANOS = 2_000_000;

    private final Thread[] workers;
    private final int threads;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile long generation;
    private volatile boolean closed;
    private volatile RangeTask task;
    private volatile int total;
    private volatile int grain;
    private volatile Throwable failure;

    WorkerPool(int threads) {
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int part = i + 1;
            workers[i] = new Thread(() -> work(part), "mlp4j-cpu-" + part);
            workers[i].setDaemon(true);
            workers[i].start();
        }
    }

    int threads() {
        return threads;
    }

    /** Runs {@code task} over [0, total) in chunks aligned to {@code grain} rows; returns when all are done. */
    void run(RangeTask task, int total, int grain) {
        if (threads == 1 || total <= grain) {
            task.run(0, total);
            return;
        }
        this.task = task;
        this.total = total;
        this.grain = grain;
        failure = null;
        pending.set(workers.length);
        generation++;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        runPart(0);
        while (pending.get() != 0) {
            Thread.onSpinWait();
        }
        Throwable f = failure;
        if (f != null) {
            throw new IllegalStateException("CPU worker failed: " + f, f);
        }
    }

    private void runPart(int part) {
        int chunks = (total + grain - 1) / grain;
        int from = (int) ((long) chunks * part / threads) * grain;
        int to = Math.min(total, (int) ((long) chunks * (part + 1) / threads) * grain);
        if (from < to) {
            task.run(from, to);
        }
    }

    private void work(int part) {
        long seen = 0;
        while (true) {
            long idleSince = System.nanoTime();
            while (generation == seen && !closed) {
                if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 1_000_000);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            try {
                runPart(part);
            } catch (Throwable t) {
                failure = t;
            } finally {
                pending.decrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
