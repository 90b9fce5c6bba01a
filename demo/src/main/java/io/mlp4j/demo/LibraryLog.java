package io.mlp4j.demo;

import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * {@code --verbose}: the library's decisions (System.Logger "io.mlp4j", at DEBUG: the backend auto chose and why,
 * a refused device, the plain-loops fallback) on stderr, one line each, {@code mlp4j: message}. Without it they
 * stay silent. System.Logger goes to java.util.logging here, which the image includes. What the library says on
 * {@code train}'s warm-up thread is not about the job, and is left out.
 */
final class LibraryLog {

    /** Held: java.util.logging keeps loggers only weakly, and a collected one would lose this configuration. */
    private static final Logger LIBRARY = Logger.getLogger("io.mlp4j");

    private LibraryLog() {
    }

    static void showOnStderr() {
        ConsoleHandler handler = new ConsoleHandler(); // writes to System.err
        handler.setLevel(Level.ALL);
        handler.setFilter(r -> !WarmUp.THREAD.equals(Thread.currentThread().getName())); // logged synchronously
        handler.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                return "mlp4j: " + formatMessage(r) + System.lineSeparator();
            }
        });
        LIBRARY.setLevel(Level.ALL);
        LIBRARY.setUseParentHandlers(false);
        LIBRARY.addHandler(handler);
    }
}
