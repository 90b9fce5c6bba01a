package io.mlp4j.io;

import java.lang.management.ManagementFactory;

/**
 * Parsers must bound what they allocate by what they were given: a header that claims 2^31 images or a 10 GB
 * JSON header is refused before the memory is taken. Counts the calling thread's allocation around one parse.
 */
public final class AllocationBudget {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static {
        // First uses that allocate once per JVM, not per input: number formatting loads locale data (CLDR,
        // megabytes), which a parser's first refusal message would otherwise pay inside the budget.
        String.format("%d %s %.3f %,d %x", 1, "s", 1.5, 1234567L, 255);
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

    public void start() {
        start = THREADS.getCurrentThreadAllocatedBytes();
    }

    /** Whether the parse since {@link #start()} stayed within its budget for this input. */
    public boolean within(long inputBytes) {
        return THREADS.getCurrentThreadAllocatedBytes() - start <= fixed + perInputByte * inputBytes;
    }

    /** Throws (a finding) if the parse since {@link #start()} took more than its budget for this input. */
    public void check(String what, long inputBytes) {
        long used = THREADS.getCurrentThreadAllocatedBytes() - start;
        long budget = fixed + perInputByte * inputBytes;
        if (used > budget) {
            throw new AssertionError(what + " allocated " + used + " bytes for " + inputBytes + " bytes of input"
                    + " (budget " + budget + ")");
        }
    }
}
