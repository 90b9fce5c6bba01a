package io.mlp4j.demo;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a command's wall-clock time goes, phase by phase, for {@code --verbose}. The first phase runs from the
 * process's start (the kernel's start time, which includes the launcher script and the JVM's own start-up) to
 * {@code main}; each later one from the end of the one before, so the phases add up to the whole run.
 */
final class Phases {

    private static final long MAIN_NANOS = System.nanoTime();
    private static final Instant MAIN_INSTANT = Instant.now();

    private record Phase(String name, double seconds) {
    }

    private final List<Phase> phases = new ArrayList<>();
    private final double launchToMain;
    private long last = MAIN_NANOS;

    /** Starts the clock at the process's start; {@link #init()} from {@code main} pins "now" as early as possible. */
    Phases() {
        // The kernel's start time has 10 ms resolution on Linux; the JVM's own measure of it would need
        // java.management, which costs more start-up than it measures.
        launchToMain = ProcessHandle.current().info().startInstant()
                .map(start -> Duration.between(start, MAIN_INSTANT).toNanos() / 1e9)
                .filter(s -> s >= 0 && s < 60)
                .orElse(Double.NaN);
    }

    /** Loads this class (and so reads the clocks) at the start of {@code main}. */
    static void init() {
        // nothing: the static fields above are the point
    }

    /** Ends the current phase, named {@code name}, now. */
    void end(String name) {
        long now = System.nanoTime();
        phases.add(new Phase(name, (now - last) / 1e9));
        last = now;
    }

    /** Seconds from the process's start to now (NaN where the start time is unknown). */
    double sinceLaunch() {
        return launchToMain + (System.nanoTime() - MAIN_NANOS) / 1e9;
    }

    /** The breakdown, one line per phase: seconds, share of the whole, name; then the total. */
    void print(PrintWriter out) {
        double total = launchToMain + (last - MAIN_NANOS) / 1e9;
        out.println("phases (wall clock, from launch):");
        line(out, launchToMain, total, "JVM start (launcher, JVM, module graph) to main");
        for (Phase p : phases) {
            line(out, p.seconds, total, p.name);
        }
        out.println(String.format(Locale.ROOT, "  %6.3f s          total", total));
        out.flush();
    }

    private static void line(PrintWriter out, double seconds, double total, String name) {
        out.println(String.format(Locale.ROOT, "  %6.3f s  %5.1f%%  %s", seconds, 100 * seconds / total, name));
    }
}
