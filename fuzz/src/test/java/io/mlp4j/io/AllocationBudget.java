package io.mlp4j.io;

import java.lang.management.ManagementFactory;

/**
 * Parsers must bound what they allocate by what they were given: a header that claims 2^31 images or a 10 GB
 * JSON header is refused before the memory is taken. Counts the calling thread's allocation around one parse.
 */
public final class AllocationBudget {

    /** One parse of the input under test; run a second time to confirm an overrun. */
    @FunctionalInterface
    public interface Parse {
        void run() throws Exception;
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static {
        // First uses that allocate once per JVM, not per input: number formatting loads locale data (CLDR,
        // megabytes), which a parser's first refusal message would otherwise pay inside the budget.
        String.format("%d %s %.3f %,d %x %08x %02x", 1, "s", 1.5, 1234567L, 255, 255, 255);
        String.format(java.util.Locale.ROOT, "%d %s %.3f %,d %x", 1, "s", 1.5, 1234567L, 255);
        Long.toString(Long.MIN_VALUE);
        Double.toString(Double.NaN);
    }

    private final long perInputByte;
    private final long fixed;
    private long start;

    /**
     * @param perInputByte bytes a parse may allocate per byte of input (decoded forms, boxed values)
     * @param fixed        bytes it may allocate whatever the input (buffers, the exception and its message)
     */
    public AllocationBudget(long perInputByte, long fixed) {
        this.perInputByte = perInputByte;
        this.fixed = fixed;
    }

    /** What a parse of an input of {@code inputBytes} may allocate. */
    public long allowance(long inputBytes) {
        return fixed + perInputByte * inputBytes;
    }

    public void start() {
        start = THREADS.getCurrentThreadAllocatedBytes();
    }

    private long used() {
        return THREADS.getCurrentThreadAllocatedBytes() - start;
    }

    /** Throws (a finding) if the parse since {@link #start()} took more than its allowance for this input. */
    public void check(String what, long inputBytes, Parse again) {
        checkAllowed(what, allowance(inputBytes), again);
    }

    /**
     * Throws (a finding) if the parse since {@link #start()} took more than {@code allowed} bytes twice. An
     * overrun is confirmed by running the parse again: a code path's first use (class loading, the bootstrap of
     * a string concatenation in a refusal not seen before) allocates up to about a megabyte once per JVM, not per
     * input; only a parse that overruns twice allocates in proportion to what the input claims.
     */
    public void checkAllowed(String what, long allowed, Parse again) {
        if (used() <= allowed) {
            return;
        }
        start();
        try {
            again.run();
        } catch (Exception refusedAgain) {
            // the same outcome as the first parse, which the caller judges
        }
        long used = used();
        if (used > allowed) {
            throw new AssertionError(what + " allocated " + used + " bytes (twice) where " + allowed
                    + " were allowed");
        }
    }
}
