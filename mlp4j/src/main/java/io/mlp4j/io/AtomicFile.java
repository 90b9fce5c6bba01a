package io.mlp4j.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A file written all at once or not at all: the bytes go to a temporary file beside the target (same directory,
 * so the rename cannot cross file systems), which {@link #commit()} flushes to disk and renames over the target
 * with {@code ATOMIC_MOVE} (or {@code REPLACE_EXISTING} where the file system cannot move atomically). Closing
 * without a commit deletes the temporary file and leaves any existing target untouched.
 *
 * <p>Internal to the module (the package is not exported): used by model files and by the MNIST download.
 */
public final class AtomicFile implements Closeable {

    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private boolean done;

    private AtomicFile(Path target, Path temp, FileChannel channel) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
    }

    /**
     * Creates a hidden temporary file beside {@code target}. It is created with the default permissions (like
     * any new file, unlike {@code Files.createTempFile}'s owner-only ones), so the committed file has them too.
     */
    public static AtomicFile create(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        String name = abs.getFileName().toString();
        for (int attempt = 0; ; attempt++) {
            Path temp = dir.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
                    + ".tmp");
            try {
                FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                return new AtomicFile(abs, temp, ch);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 10) {
                    throw e;
                }
            }
        }
    }

    /** The temporary file (deleted by {@link #close()} unless committed). */
    public Path temp() {
        return temp;
    }

    /** The channel writing the temporary file. */
    public FileChannel channel() {
        return channel;
    }

    /** Writes all of {@code buffer}'s remaining bytes. */
    public void write(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Flushes the temporary file to disk and renames it over the target. */
    public void commit() throws IOException {
        if (done) {
            throw new IllegalStateException("already committed or closed");
        }
        channel.force(true);
        channel.close();
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        done = true;
        syncDirectory(target.getParent());
    }

    /** Makes the rename itself durable where the platform allows it (Linux does; elsewhere this is a no-op). */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | RuntimeException e) {
            // Not supported on this platform or file system: the data itself is already on disk.
        }
    }

    /** Without a prior commit: deletes the temporary file. */
    @Override
    public void close() throws IOException {
        if (done) {
            return;
        }
        done = true;
        try {
            channel.close();
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
