package io.mlp4j.demo;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a command's wall-clock time goes, phase by phase, for {@code --verbose}. The first phase runs from the
 * launch (the launcher script's start, so it includes the script and the JVM's own start-up) to
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

    /** Starts the clock at the launch; {@link #init()} from {@code main} pins "now" as early as possible. */
    Phases() {
        launchToMain = secondsSinceLaunch();
    }

    /**
     * Seconds from the launch (the launcher script's start where it says its process id, else this process's) to
     * {@code main}. On Linux both ends come from the kernel's clock since boot (/proc, 10 ms ticks);
     * {@link ProcessHandle.Info#startInstant()} is no good here, as it adds the boot time, which Linux gives in
     * whole seconds, and so is off by up to a second.
     */
    private static double secondsSinceLaunch() {
        try {
            String pid = System.getenv().getOrDefault("MLP4J_LAUNCHER_PID", "self");
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            // the fields after the command name, which is in parentheses and may hold spaces
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            double startTicks = Double.parseDouble(fields[19]); // field 22 of proc(5): starttime, in 1/100 s
            double uptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
            double sinceMain = (System.nanoTime() - MAIN_NANOS) / 1e9;
            double seconds = uptime - startTicks / 100 - sinceMain;
            return seconds >= 0 && seconds < 60 ? seconds : Double.NaN;
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.current().info().startInstant()
                    .map(start -> Duration.between(start, MAIN_INSTANT).toNanos() / 1e9)
                    .filter(s -> s >= 0 && s < 60)
                    .orElse(Double.NaN);
        }
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
