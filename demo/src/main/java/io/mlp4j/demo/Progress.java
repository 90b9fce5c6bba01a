package io.mlp4j.demo;

import io.mlp4j.EpochRecord;
import io.mlp4j.TrainingListener;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Prints each epoch's tutorial line on stdout and, when stderr is a terminal, a progress bar per epoch on stderr
 * (batches, samples/s, running loss), redrawn at most ten times a second.
 */
final class Progress implements TrainingListener {

    private static final int BAR = 28;
    private final PrintWriter out;
    private final PrintStream bar;
    private final int totalEpochs;
    private long lastDraw;
    private boolean drawn;

    /** @param bar where to draw the bar, or null for none */
    Progress(PrintWriter out, PrintStream bar, int totalEpochs) {
        this.out = out;
        this.bar = bar;
        this.totalEpochs = totalEpochs;
    }

    /**
     * The terminal (stdout, which then is one) when the process runs in a terminal, else null. Not stderr: the
     * launcher filters stderr line by line, and a bar redrawn within one line would wait there.
     */
    static PrintStream terminalOrNull() {
        return System.console() != null ? System.out : null;
    }

    @Override
    public void onBatch(int epoch, int batch, int batches, int samples, double seconds, double runningLoss) {
        if (bar == null) {
            return;
        }
        long now = System.nanoTime();
        if (batch != batches && now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        int filled = (int) ((long) BAR * batch / batches);
        String loss = Double.isNaN(runningLoss) ? "-" : String.format(Locale.ROOT, "%.4f", runningLoss);
        bar.print(String.format(Locale.ROOT, "\repoch %d/%d [%s%s] %d/%d batches  %,.0f samples/s  loss %s ",
                epoch, totalEpochs, "=".repeat(filled), " ".repeat(BAR - filled), batch, batches,
                seconds > 0 ? samples / seconds : 0.0, loss));
        bar.flush();
        drawn = true;
    }

    @Override
    public void onEpoch(EpochRecord record) {
        clear();
        out.println(record.tutorialLine());
        out.flush();
    }

    void clear() {
        if (bar != null && drawn) {
            bar.print("\r" + " ".repeat(100) + "\r");
            bar.flush();
            drawn = false;
        }
    }
}
