package io.mlp4j.fuzz;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A small seeded, time-bounded mutation fuzzer for the parsers of files from outside (IDX, safetensors, JSON).
 *
 * <p>Each target gives valid seed inputs, optionally a structure-aware mutation of its own (header fields, JSON
 * trees), and a check that runs the parser on one input. The property every target shares: for any input the
 * parser returns a valid result or throws one of the documented exceptions, whose message names the file; never
 * another exception or error (NPE, index out of bounds, OutOfMemoryError, StackOverflowError ...), and it never
 * allocates more than a bound derived from the input's actual size (measured per execution with the JVM's
 * per-thread allocation counter).
 *
 * <p>Inputs are a pure function of (seed, execution number), so a failure reports both and is reproducible; only
 * the number of executions depends on the time budget. As a cheap stand-in for coverage feedback, an input whose
 * outcome (exception class and message with numbers and the path removed) was not seen before joins the corpus,
 * so later mutations start from inputs that reach deeper checks. A failing input is shrunk (chunks removed while
 * the same failure persists) before it is reported, in hex, ready to paste into a regression test.
 *
 * <p>Budget: {@code -Dmlp4j.fuzz.seconds=N} runs each target for N seconds (default: the suite's few seconds);
 * {@code -Dmlp4j.fuzz.seed=S} changes the seed.
 */
public final class Fuzzer {

    /** One fuzz target. */
    public interface Target {
        /** Short name for reports. */
        String name();

        /** Valid inputs to start from (at least one). */
        List<byte[]> seeds();

        /** A structure-aware mutation, or null to fall back to the generic byte mutations. */
        default byte[] mutate(byte[] input, SplittableRandom r) {
            return null;
        }

        /**
         * Runs the parser on {@code input}: returns normally when the parser accepted a valid result (the target
         * checks it), throws the documented exception otherwise. Anything else is a finding.
         *
         * @return a short word for what was accepted (e.g. the shape), for the outcome statistics
         */
        String run(byte[] input) throws Exception;

        /** The most bytes the parser may allocate for this input, whether it accepts or refuses it. */
        long allowedBytes(byte[] input);

        /** Whether {@code t}, thrown by {@link #run}, is an acceptable refusal (type and message). */
        boolean acceptable(Throwable t);
    }

    /** The result of a campaign. */
    public record Report(String target, long executions, long accepted, long refused, int corpus, int outcomes,
                         long millis, long maxAllocated, List<String> findings) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: %,d executions in %.1f s (%,.0f/s), %,d accepted, %,d refused,"
                            + " corpus %d, %d distinct outcomes, max allocation %,d bytes, %d findings",
                    target, executions, millis / 1e3, executions * 1e3 / Math.max(1, millis), accepted, refused,
                    corpus, outcomes, maxAllocated, findings.size());
        }
    }

    private static final int[] INTERESTING_32 = {0, 1, -1, 2, 7, 8, 255, 256, 0x7f, 0x80, 0xff, 0x7fff, 0x8000,
        0xffff, 0x10000, 0x7fffffff, 0x80000000, 0x7fffffef, 0x7ffffff0, 60000, 784, 28, 10, 1 << 20, 1 << 30};
    private static final long[] INTERESTING_64 = {0, 1, -1, 2, 8, 0x7fffffffL, 0x80000000L, 0xffffffffL,
        100_000_000L, 100_000_001L, 10_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 62};

    private static final Method ALLOCATED = allocationCounter();
    private static final Object THREAD_BEAN = threadBean();

    private Fuzzer() {
    }

    /** Seconds per target from {@code -Dmlp4j.fuzz.seconds}, else {@code defaultSeconds}. */
    public static double seconds(double defaultSeconds) {
        String s = System.getProperty("mlp4j.fuzz.seconds");
        return s == null || s.isBlank() ? defaultSeconds : Double.parseDouble(s.trim());
    }

    /** The base seed from {@code -Dmlp4j.fuzz.seed}, else {@code defaultSeed}. */
    public static long seed(long defaultSeed) {
        String s = System.getProperty("mlp4j.fuzz.seed");
        return s == null || s.isBlank() ? defaultSeed : Long.parseLong(s.trim());
    }

    /** Bytes this thread has allocated so far (HotSpot's counter), or -1 where unavailable. */
    public static long allocatedBytes() {
        if (ALLOCATED == null) {
            return -1;
        }
        try {
            return (Long) ALLOCATED.invoke(THREAD_BEAN);
        } catch (ReflectiveOperationException e) {
            return -1;
        }
    }

    private static Object threadBean() {
        try {
            return Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    private static Method allocationCounter() {
        // Reflection, because the test code is patched into module io.mlp4j, which does not read jdk.management.
        try {
            Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                    .invoke(null);
            Method m = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
            m.invoke(bean);
            return m;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null;
        }
    }

    /**
     * Runs {@code target} for {@code seconds} (and at most {@code maxExecutions}) from {@code seed}.
     * Stops at the first finding, which is shrunk and reported.
     */
    public static Report run(Target target, long seed, double seconds, long maxExecutions) {
        List<byte[]> corpus = new ArrayList<>(target.seeds());
        Set<String> outcomes = new HashSet<>();
        List<String> findings = new ArrayList<>();
        long accepted = 0;
        long refused = 0;
        long maxAlloc = 0;
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        long exec = 0;
        // Warm-up, unmeasured: the first executions load classes and fill caches, which counts as allocation.
        for (int w = 0; w < 3; w++) {
            for (byte[] s : target.seeds()) {
                execute(target, s);
            }
        }
        // The seeds themselves first, unmutated.
        for (; exec < maxExecutions; exec++) {
            if (exec >= corpus.size() && System.nanoTime() > deadline) {
                break;
            }
            byte[] input = exec < target.seeds().size() ? target.seeds().get((int) exec)
                    : mutant(target, corpus, new SplittableRandom(seed * 0x9E3779B97F4A7C15L + exec));
            Result res = execute(target, input);
            maxAlloc = Math.max(maxAlloc, res.allocated);
            if (res.finding != null) {
                byte[] small = shrink(target, input, res.finding);
                Result again = execute(target, small);
                findings.add(target.name() + ": " + (again.finding != null ? again.finding : res.finding)
                        + "\n  reproduce: seed " + seed + ", execution " + exec + "; minimal input ("
                        + small.length + " bytes, original " + input.length + "):\n  " + hex(small));
                exec++;
                break;
            }
            if (res.accepted) {
                accepted++;
            } else {
                refused++;
            }
            if (outcomes.add(res.outcome) && corpus.size() < 2000) {
                corpus.add(input);
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (Boolean.getBoolean("mlp4j.fuzz.verbose")) {
            outcomes.stream().sorted().forEach(o -> System.out.println("[fuzz]   " + target.name() + " | " + o));
        }
        return new Report(target.name(), exec, accepted, refused, corpus.size(), outcomes.size(), millis, maxAlloc,
                findings);
    }

    private static byte[] mutant(Target target, List<byte[]> corpus, SplittableRandom r) {
        byte[] base = corpus.get(r.nextInt(corpus.size()));
        int rounds = 1 + (r.nextInt(4) == 0 ? r.nextInt(4) : 0);
        byte[] x = base;
        for (int i = 0; i < rounds; i++) {
            byte[] m = r.nextInt(3) == 0 ? null : target.mutate(x, r);
            x = m != null ? m : mutateBytes(x, corpus.get(r.nextInt(corpus.size())), r);
        }
        return x;
    }

    /** Generic mutations: bit flips, interesting values, truncation, extension, deletion, duplication, splices. */
    public static byte[] mutateBytes(byte[] in, byte[] other, SplittableRandom r) {
        byte[] x = in.clone();
        int n = x.length;
        switch (r.nextInt(11)) {
            case 0: // flip 1-4 bits
                if (n > 0) {
                    for (int i = 1 + r.nextInt(4); i > 0; i--) {
                        int p = r.nextInt(n);
                        x[p] ^= (byte) (1 << r.nextInt(8));
                    }
                }
                return x;
            case 1: // interesting byte
                if (n > 0) {
                    x[r.nextInt(n)] = (byte) new int[] {0, 1, 0x7f, 0x80, 0xff, '{', '[', '"', '\\', '0'}[r.nextInt(10)];
                }
                return x;
            case 2: // interesting big-endian int (IDX fields) at a position, often near the start
                if (n >= 4) {
                    int p = r.nextBoolean() ? 4 * r.nextInt(Math.min(5, n / 4)) : r.nextInt(n - 3);
                    putIntBE(x, p, INTERESTING_32[r.nextInt(INTERESTING_32.length)] + (r.nextInt(4) == 0 ? r.nextInt(3) - 1 : 0));
                }
                return x;
            case 3: // interesting little-endian long (safetensors header length) at 0 or anywhere
                if (n >= 8) {
                    int p = r.nextBoolean() ? 0 : r.nextInt(n - 7);
                    putLongLE(x, p, INTERESTING_64[r.nextInt(INTERESTING_64.length)]
                            + (r.nextInt(3) == 0 ? r.nextInt(17) - 8 : 0));
                }
                return x;
            case 4: // truncate
                return n == 0 ? x : java.util.Arrays.copyOf(x, r.nextInt(n));
            case 5: { // append random bytes
                byte[] y = java.util.Arrays.copyOf(x, n + 1 + r.nextInt(64));
                for (int i = n; i < y.length; i++) {
                    y[i] = (byte) r.nextInt(256);
                }
                return y;
            }
            case 6: { // delete a chunk
                if (n < 2) {
                    return x;
                }
                int a = r.nextInt(n);
                int len = 1 + r.nextInt(Math.min(n - a, 64));
                byte[] y = new byte[n - len];
                System.arraycopy(x, 0, y, 0, a);
                System.arraycopy(x, a + len, y, a, n - a - len);
                return y;
            }
            case 7: { // duplicate a chunk in place
                if (n < 1) {
                    return x;
                }
                int a = r.nextInt(n);
                int len = 1 + r.nextInt(Math.min(n - a, 64));
                byte[] y = new byte[n + len];
                System.arraycopy(x, 0, y, 0, a + len);
                System.arraycopy(x, a, y, a + len, n - a);
                return y;
            }
            case 8: { // splice: a prefix of this, a suffix of another
                if (n == 0 || other.length == 0) {
                    return x;
                }
                int a = r.nextInt(n);
                int b = r.nextInt(other.length);
                byte[] y = new byte[a + other.length - b];
                System.arraycopy(x, 0, y, 0, a);
                System.arraycopy(other, b, y, a, other.length - b);
                return y;
            }
            case 9: { // overwrite a chunk with random bytes
                if (n == 0) {
                    return x;
                }
                int a = r.nextInt(n);
                int len = 1 + r.nextInt(Math.min(n - a, 16));
                for (int i = a; i < a + len; i++) {
                    x[i] = (byte) r.nextInt(256);
                }
                return x;
            }
            default: { // insert random bytes
                int a = n == 0 ? 0 : r.nextInt(n + 1);
                int len = 1 + r.nextInt(8);
                byte[] y = new byte[n + len];
                System.arraycopy(x, 0, y, 0, a);
                for (int i = 0; i < len; i++) {
                    y[a + i] = (byte) r.nextInt(256);
                }
                System.arraycopy(x, a, y, a + len, n - a);
                return y;
            }
        }
    }

    public static void putIntBE(byte[] x, int p, int v) {
        x[p] = (byte) (v >>> 24);
        x[p + 1] = (byte) (v >>> 16);
        x[p + 2] = (byte) (v >>> 8);
        x[p + 3] = (byte) v;
    }

    public static void putLongLE(byte[] x, int p, long v) {
        for (int i = 0; i < 8; i++) {
            x[p + i] = (byte) (v >>> (8 * i));
        }
    }

    /** One execution's result. */
    private record Result(boolean accepted, String outcome, String finding, long allocated) {
    }

    private static Result execute(Target target, byte[] input) {
        long allowed = target.allowedBytes(input);
        long before = allocatedBytes();
        String kind = null;
        Throwable thrown = null;
        try {
            kind = target.run(input);
        } catch (Throwable t) {
            thrown = t;
        }
        long allocated = before < 0 ? 0 : allocatedBytes() - before;
        String finding = null;
        if (thrown != null) {
            if (thrown instanceof VirtualMachineError vme && !(vme instanceof OutOfMemoryError)
                    && !(vme instanceof StackOverflowError)) {
                throw vme;
            }
            kind = thrown.getClass().getSimpleName() + ": " + normalise(thrown.getMessage());
            if (!target.acceptable(thrown)) {
                finding = "unexpected " + describe(thrown);
            }
        } else {
            kind = "ok " + kind;
        }
        if (finding == null && before >= 0 && allocated > allowed) {
            // The first execution of a code path also pays for linking it (e.g. bootstrapping each string
            // concatenation call site, loading classes), all counted as this thread's allocation: measure again.
            long again = allocatedBytes();
            try {
                target.run(input);
            } catch (Throwable t) {
                // the same outcome as above
            }
            allocated = allocatedBytes() - again;
        }
        if (finding == null && before >= 0 && allocated > allowed) {
            finding = String.format(Locale.ROOT, "allocated %,d bytes for a %,d-byte input (bound %,d) before: %s",
                    allocated, input.length, allowed, kind);
        }
        return new Result(thrown == null, kind, finding, allocated);
    }

    private static String describe(Throwable t) {
        StringBuilder b = new StringBuilder(t.toString());
        StackTraceElement[] st = t.getStackTrace();
        for (int i = 0; i < Math.min(6, st.length); i++) {
            b.append("\n    at ").append(st[i]);
        }
        if (t.getCause() != null && t.getCause() != t) {
            b.append("\n  caused by ").append(t.getCause());
        }
        return b.toString();
    }

    /** A message with the numbers and the temporary path taken out: the "shape" of an outcome. */
    static String normalise(String message) {
        if (message == null) {
            return "";
        }
        String m = message.replaceAll("/[^ :]*fuzz[^ :]*", "FILE").replaceAll("0x[0-9a-fA-F]+", "0x#")
                .replaceAll("'[^']*'", "'?'").replaceAll("[0-9]+", "#");
        return m.length() > 90 ? m.substring(0, 90) : m;
    }

    /** Removes chunks (halving their size) while the execution still fails the same way; a few seconds at most. */
    private static byte[] shrink(Target target, byte[] input, String finding) {
        String kind = firstLine(finding);
        byte[] best = input;
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (int chunk = Math.max(1, best.length / 2); chunk >= 1 && System.nanoTime() < deadline; ) {
            boolean progress = false;
            for (int at = 0; at + chunk <= best.length && System.nanoTime() < deadline; ) {
                byte[] candidate = new byte[best.length - chunk];
                System.arraycopy(best, 0, candidate, 0, at);
                System.arraycopy(best, at + chunk, candidate, at, best.length - at - chunk);
                Result r = execute(target, candidate);
                if (r.finding != null && firstLine(r.finding).equals(kind)) {
                    best = candidate;
                    progress = true;
                } else {
                    at += chunk;
                }
            }
            if (!progress) {
                chunk /= 2;
            }
        }
        return best;
    }

    private static String firstLine(String finding) {
        String f = finding.lines().findFirst().orElse("");
        // Compare failures by type and place, not by the numbers in them.
        return f.replaceAll("[0-9]+", "#");
    }

    public static String hex(byte[] b) {
        StringBuilder s = new StringBuilder(b.length * 2);
        for (byte x : b) {
            s.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
        }
        return s.toString();
    }

    public static byte[] unhex(String s) {
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    /** Writes {@code bytes} to {@code file}, replacing it. */
    public static void write(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
