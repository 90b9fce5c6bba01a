package io.mlp4j.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * All-or-nothing output files: each file is written complete into a hidden staging folder inside the output
 * directory, and only {@link #commit()} renames them into place (atomically, on the same file system). If the
 * command fails before that, {@link #close()} removes the staging folder, and the output directory too if this
 * run created it and it is empty, so no partial file is ever left behind. The same happens when the JVM is stopped
 * by a signal (Ctrl-C, SIGTERM) before the commit: a shutdown hook tidies up and says what was (not) written.
 */
final class StagedOutput implements AutoCloseable {

    private final Path dir;
    private final boolean created;
    private final Path staging;
    private final List<String> names = new ArrayList<>();
    private boolean committed;
    private boolean stopped;
    private final Thread onSignal = new Thread(this::stoppedBySignal, "mlp4j-output-cleanup");
    private volatile Supplier<String> stopNote = () -> "nothing written";

    StagedOutput(Path dir) throws IOException {
        this.dir = dir;
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException("--out " + dir + " exists and is not a directory");
        }
        this.created = !Files.exists(dir);
        Files.createDirectories(dir);
        try {
            this.staging = Files.createTempDirectory(dir, ".mlp4j-staging-");
        } catch (IOException e) {
            removeIfCreated();
            throw new IOException("cannot write to " + dir + ": " + e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(onSignal);
    }

    /** What to tell the user if a signal stops the JVM before the commit (e.g. where a checkpoint is). */
    void onStop(Supplier<String> note) {
        this.stopNote = note;
    }

    /** The shutdown hook: only runs if the JVM stops before {@link #close()}. */
    private synchronized void stoppedBySignal() {
        if (committed) {
            return;
        }
        stopped = true;
        try {
            System.err.println("stopped: " + stopNote.get());
            deleteTree(staging);
            removeIfCreated();
        } catch (RuntimeException e) {
            System.err.println("stopped: could not tidy up " + staging + ": " + e.getMessage());
        }
    }

    /** The output directory itself (for files that must outlive a failed run, like checkpoints). */
    Path dir() {
        return dir;
    }

    /** The staging path for {@code name}, for writers that take a path; it becomes part of the output. */
    Path path(String name) {
        if (!names.contains(name)) {
            names.add(name);
        }
        return staging.resolve(name);
    }

    void write(String name, byte[] bytes) throws IOException {
        Files.write(path(name), bytes);
    }

    /** Moves every staged file into the output directory. */
    synchronized List<Path> commit() throws IOException {
        if (stopped) {
            throw new IOException("stopped by a signal before the outputs were written");
        }
        List<Path> out = new ArrayList<>();
        for (String name : names) {
            Path from = staging.resolve(name);
            if (!Files.isRegularFile(from)) {
                throw new IOException("internal error: " + name + " was never written");
            }
        }
        for (String name : names) {
            Path to = dir.resolve(name);
            try {
                Files.move(staging.resolve(name), to, StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(staging.resolve(name), to, StandardCopyOption.REPLACE_EXISTING);
            }
            out.add(to);
        }
        committed = true;
        return out;
    }

    @Override
    public synchronized void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(onSignal);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook tidies up
        }
        deleteTree(staging);
        if (!committed) {
            removeIfCreated();
        }
    }

    private void removeIfCreated() {
        if (created) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                if (!s.iterator().hasNext()) {
                    Files.deleteIfExists(dir);
                }
            } catch (IOException e) {
                // leave it
            }
        }
    }

    private static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + root, e);
        }
    }
}
