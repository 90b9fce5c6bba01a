package io.mlp4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Every epoch a trainer has run, in order. Thread-safe to read while training appends. */
public final class History {

    private final List<EpochRecord> epochs = Collections.synchronizedList(new ArrayList<>());

    History() {
    }

    void add(EpochRecord r) {
        epochs.add(r);
    }

    /**
     * A snapshot of the records so far.
     *
     * @return the records, oldest first; later epochs do not change it
     */
    public List<EpochRecord> epochs() {
        synchronized (epochs) {
            return List.copyOf(epochs);
        }
    }

    /**
     * Number of epochs recorded so far.
     *
     * @return the number of records
     */
    public int size() {
        return epochs.size();
    }

    private static final String CSV_HEADER = "epoch,lr,train_loss,val_loss,val_acc,seconds,samples_per_s";

    /**
     * CSV with a header line: epoch,lr,train_loss,val_loss,val_acc,seconds,samples_per_s.
     *
     * @return the CSV text, one line per epoch after the header
     */
    public String toCsv() {
        return toCsv(false);
    }

    /** With {@code exact}, every double is written in full (for checkpoints), else rounded for reading. */
    String toCsv(boolean exact) {
        StringBuilder s = new StringBuilder(CSV_HEADER).append('\n');
        for (EpochRecord r : epochs()) {
            s.append(exact
                    ? r.epoch() + "," + r.learningRate() + "," + r.trainLoss() + "," + r.valLoss() + ","
                    + r.valAccuracy() + "," + r.seconds() + "," + r.samplesPerSecond() + "\n"
                    : String.format(Locale.ROOT, "%d,%s,%.6f,%.6f,%.6f,%.4f,%.1f%n", r.epoch(), r.learningRate(),
                    r.trainLoss(), r.valLoss(), r.valAccuracy(), r.seconds(), r.samplesPerSecond()));
        }
        return s.toString();
    }

    /** Reads {@link #toCsv} output back. */
    static List<EpochRecord> parseCsv(String csv) {
        String[] lines = csv.strip().split("\n");
        if (lines.length == 0 || !lines[0].strip().equals(CSV_HEADER)) {
            throw new IllegalArgumentException("history does not start with the line " + CSV_HEADER);
        }
        List<EpochRecord> out = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].strip().split(",");
            if (f.length != 7) {
                throw new IllegalArgumentException("history line " + (i + 1) + " has " + f.length + " fields, not 7");
            }
            int epoch = Integer.parseInt(f[0]);
            if (epoch != out.size() + 1) {
                throw new IllegalArgumentException("history line " + (i + 1) + " is epoch " + epoch + ", expected "
                        + (out.size() + 1));
            }
            out.add(new EpochRecord(epoch, Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]),
                    Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6])));
        }
        return out;
    }

    /**
     * The same records as a JSON array of objects.
     *
     * @return the JSON text
     */
    public String toJson() {
        StringBuilder s = new StringBuilder("[\n");
        List<EpochRecord> all = epochs();
        for (int i = 0; i < all.size(); i++) {
            EpochRecord r = all.get(i);
            s.append(String.format(Locale.ROOT, "  {\"epoch\": %d, \"lr\": %s, \"train_loss\": %.6f, \"val_loss\": %.6f,"
                            + " \"val_acc\": %.6f, \"seconds\": %.4f, \"samples_per_s\": %.1f}%s%n", r.epoch(),
                    r.learningRate(), r.trainLoss(), r.valLoss(), r.valAccuracy(), r.seconds(), r.samplesPerSecond(),
                    i + 1 < all.size() ? "," : ""));
        }
        return s.append("]\n").toString();
    }
}
