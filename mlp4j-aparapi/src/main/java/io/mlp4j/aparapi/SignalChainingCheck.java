package io.mlp4j.aparapi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Refuses to load an OpenCL driver that takes over the JVM's signal handlers, unless the JVM chains signals.
 *
 * <p>Why: when the OpenCL ICD loader loads PoCL, LLVM installs its own handlers for SIGSEGV, SIGBUS, SIGILL,
 * SIGFPE, SIGUSR2, SIGINT, SIGTERM and more. HotSpot raises SIGSEGV on purpose (safepoint polls, implicit null
 * checks), so the process later dies at a random point with no error report (docs/RELIABILITY.md, finding 5). The
 * loader loads every registered driver, so a machine with PoCL installed is affected whichever device is used.
 * The JVM's documented remedy is signal chaining: with {@code libjsig.so} preloaded, the JVM keeps its handlers
 * and passes on only signals that are not its own. The demo's launcher preloads it; an embedding application must
 * do the same to use Aparapi here.
 */
final class SignalChainingCheck {

    /** Drivers seen to replace the JVM's signal handlers when loaded, by library file name. */
    private static final List<String> HANDLER_TAKING_DRIVERS = List.of("libpocl");

    private static final Path DEFAULT_VENDORS = Path.of("/etc/OpenCL/vendors");

    private SignalChainingCheck() {
    }

    /** Null when loading the registered OpenCL drivers is safe in this JVM, else why not and the fix. */
    static String refusal() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return null; // the handler-taking drivers found so far are Linux ones; /proc/self/maps is Linux's
        }
        String maps;
        try {
            maps = Files.readString(Path.of("/proc/self/maps"), StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return null; // cannot tell; nothing to refuse on
        }
        return refusal(maps, registeredDrivers(System.getenv()), Path.of(System.getProperty("java.home")));
    }

    /**
     * @param maps    the process's {@code /proc/self/maps}
     * @param drivers the registered OpenCL drivers, as "library (from where)" lines
     */
    static String refusal(String maps, List<String> drivers, Path javaHome) {
        if (maps.contains("/libjsig.so")) {
            return null;
        }
        for (String driver : drivers) {
            for (String bad : HANDLER_TAKING_DRIVERS) {
                if (driver.contains(bad)) {
                    return "the OpenCL driver " + driver + " replaces the JVM's signal handlers when it loads, after"
                            + " which the JVM crashes at random ('Segmentation fault', no error report); start Java"
                            + " with signal chaining: LD_PRELOAD=" + javaHome.resolve("lib/libjsig.so")
                            + " (the mlp4j launcher does this)";
                }
            }
        }
        return null;
    }

    /**
     * What the ICD loader (ocl-icd, Khronos) may load: the libraries of {@code OCL_ICD_FILENAMES}, and the
     * {@code .icd} files of {@code OCL_ICD_VENDORS} (a folder or one file) or else {@code /etc/OpenCL/vendors}.
     * Loaders differ on which of these win, so all of them count.
     */
    static List<String> registeredDrivers(Map<String, String> env) {
        List<String> drivers = new ArrayList<>();
        String filenames = env.get("OCL_ICD_FILENAMES");
        if (filenames != null) {
            for (String lib : filenames.split(":")) {
                if (!lib.isBlank()) {
                    drivers.add(lib.trim() + " (from OCL_ICD_FILENAMES)");
                }
            }
        }
        String vendors = env.get("OCL_ICD_VENDORS");
        Path source = vendors == null || vendors.isBlank() ? DEFAULT_VENDORS : Path.of(vendors);
        if (Files.isDirectory(source)) {
            try (DirectoryStream<Path> icds = Files.newDirectoryStream(source, "*.icd")) {
                for (Path icd : icds) {
                    addIcd(icd, drivers);
                }
            } catch (IOException | RuntimeException e) {
                // unreadable folder: the loader cannot read it either
            }
        } else if (Files.isRegularFile(source)) {
            addIcd(source, drivers);
        }
        return drivers;
    }

    /** An .icd file names one library on its first line. */
    private static void addIcd(Path icd, List<String> drivers) {
        try {
            String lib = Files.readString(icd, StandardCharsets.UTF_8).strip().lines().findFirst().orElse("");
            if (!lib.isEmpty()) {
                drivers.add(lib + " (" + icd + ")");
            }
        } catch (IOException | RuntimeException e) {
            // unreadable file: the loader skips it too
        }
    }
}
