package io.mlp4j.demo;

import io.mlp4j.data.DownloadProgress;

import java.io.PrintStream;
import java.net.URI;
import java.util.Locale;

/**
 * Shows a download: a redrawn bar in a terminal, else one line per file on stderr at the start and the end
 * (so that logs stay short).
 */
final class DownloadBar implements DownloadProgress {

    private final PrintStream err;
    private final boolean terminal;
    private String current;
    private long lastDraw;

    DownloadBar(PrintStream err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    @Override
    public void update(String file, long bytes, long totalBytes) {
        boolean done = totalBytes > 0 && bytes >= totalBytes;
        if (!file.equals(current)) {
            current = file;
            if (done) {
                return; // already present and verified: nothing to show
            }
            if (!terminal) {
                err.println("downloading " + file + (totalBytes > 0 ? String.format(Locale.ROOT, " (%.1f MB)",
                        totalBytes / 1e6) : "") + " ...");
            }
        }
        long now = System.nanoTime();
        if (terminal && (done || now - lastDraw > 100_000_000L)) {
            lastDraw = now;
            String amount = totalBytes > 0
                    ? String.format(Locale.ROOT, "%3d%% of %.1f MB", bytes * 100 / totalBytes, totalBytes / 1e6)
                    : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
            err.print("\rdownloading " + file + ": " + amount + "   ");
            if (done) {
                err.println();
            }
            err.flush();
        } else if (!terminal && done) {
            err.println("downloaded " + file);
        }
    }

    @Override
    public void mirrorFailed(String file, URI url, String reason) {
        if (terminal) {
            err.println();
        }
        err.println("mirror failed for " + file + " (" + url + "): " + reason + "; trying the next one");
    }
}
