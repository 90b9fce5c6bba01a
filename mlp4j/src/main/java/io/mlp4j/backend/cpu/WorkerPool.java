package io.mlp4j.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits a range of rows into fixed chunks that a set of threads (the caller included) claim one at a time.
 *
 * <p>Why this shape: a blocking hand-off (park/unpark, a queue) costs ~50 µs on small VMs, as much as a whole
 * kernel of a small model, so idle workers spin briefly before parking. And because a worker may be descheduled
 * when the machine is busy, nobody waits for a worker that has not started: chunks are claimed dynamically, so
 * the caller simply computes whatever is left. Chunk boundaries depend only on the range, never on the thread
 * count or on who runs a chunk, so results are identical for any number of threads.
 */
final class WorkerPool implements AutoCloseable {

    /** A task over rows [from, to). Implementations are reused, so that a step allocates nothing. */
    interface RangeTask {
        void run(int from, int to);
    }

    private static final long SPIN_NANOS = 50_000;
    private static final long YIELD_NANOS = 2_000_000;

    private final Thread[] workers;
    private final int threads;
    /**
     * Tickets: each claim takes the next number, never reset. Run g owns tickets [base, base + chunks), published
     * together in {@link #window}; a thread that leaves a run takes one ticket too many, possibly after the next
     * run has started, so each run's base skips past every such straggler's ticket (see {@link #run}). Checking a
     * ticket against one consistent window is what makes a straggler leave instead of running a chunk of the next
     * run with that run's task but the previous run's bounds (which hung training when chunk counts differed).
     */
    private final AtomicInteger nextTicket = new AtomicInteger();
    private final AtomicInteger doneChunks = new AtomicInteger();
    private volatile long generation;
    private volatile boolean closed;
    private volatile RangeTask task;
    private volatile int total;
    private volatile int chunk;
    /** {@code base << 32 | chunks} of the current run. */
    private volatile long window;
    private volatile Throwable failure;

    WorkerPool(int threads) {
        this(threads, "mlp4j-cpu-");
    }

    /** @param namePrefix the workers' names are this plus 1, 2, ... */
    WorkerPool(int threads, String namePrefix) {
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Thread(this::work, namePrefix + (i + 1));
            workers[i].setDaemon(true);
            workers[i].start();
        }
    }

    int threads() {
        return threads;
    }

    /** The most chunks a range is cut into. */
    static final int MAX_CHUNKS = 16;

    /** The chunk size for a range: at most {@link #MAX_CHUNKS} chunks, each a multiple of {@code grain} rows. */
    static int chunkSize(int total, int grain) {
        int perChunk = (total + MAX_CHUNKS - 1) / MAX_CHUNKS;
        return Math.max(grain, (perChunk + grain - 1) / grain * grain);
    }

    /** Runs {@code task} over [0, total) in chunks aligned to {@code grain} rows; returns when all are done. */
    void run(RangeTask task, int total, int grain) {
        int size = chunkSize(total, grain);
        int count = (total + size - 1) / size;
        if (threads == 1 || count == 1) {
            for (int c = 0; c < count; c++) {
                task.run(c * size, Math.min(total, (c + 1) * size));
            }
            return;
        }
        this.task = task;
        this.total = total;
        this.chunk = size;
        failure = null;
        // Order matters: the fields above and doneChunks are set before the first ticket of this run can be
        // taken (nextTicket.set), so whoever takes one sees them. Stragglers of the previous run take at most one
        // ticket each (threads - 1 in all), all below base, whatever their timing: they then see either window
        // and leave.
        int base = nextTicket.get() + threads;
        window = (long) base << 32 | count;
        doneChunks.set(0);
        nextTicket.set(base);
        generation++;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        runChunks();
        long start = System.nanoTime();
        while (doneChunks.get() != count) {
            if (System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // a worker holds a chunk but may have lost its CPU: let it run
            }
        }
        Throwable f = failure;
        if (f != null) {
            throw new IllegalStateException("CPU worker failed: " + f, f);
        }
    }

    private void runChunks() {
        while (true) {
            int ticket = nextTicket.getAndIncrement();
            long w = window;
            int c = ticket - (int) (w >>> 32); // wraps safely: tickets only ever differ by little
            if (c < 0 || c >= (int) w) {
                return;
            }
            try {
                task.run(c * chunk, Math.min(total, (c + 1) * chunk));
            } catch (Throwable t) {
                failure = t;
            } finally {
                doneChunks.incrementAndGet();
            }
        }
    }

    private void work() {
        long seen = 0;
        while (true) {
            long idleSince = System.nanoTime();
            while (generation == seen && !closed) {
                long idle = System.nanoTime() - idleSince;
                if (idle < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else if (idle < YIELD_NANOS) {
                    Thread.yield();
                } else {
                    LockSupport.park(this); // run() unparks after publishing the generation: no lost wake-up
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            runChunks();
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
