package io.mlp4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Every epoch a trainer has run, in order. Thread-safe to read while training appends. */
public final class History {

    private final List<EpochRecord> epochs = Collections.synchronizedList(new ArrayList<>());

    void add(EpochRecord r) {
        epochs.add(r);
    }

    /** A snapshot of the records so far. */
    public List<EpochRecord> epochs() {
        synchronized (epochs) {
            return List.copyOf(epochs);
        }
    }

    public int size() {
        return epochs.size();
    }

    /** CSV with a header line: epoch,lr,train_loss,val_loss,val_acc,seconds,samples_per_s. */
    public String toCsv() {
        StringBuilder s = new StringBuilder("epoch,lr,train_loss,val_loss,val_acc,seconds,samples_per_s\n");
        for (EpochRecord r : epochs()) {
            s.append(String.format(Locale.ROOT, "%d,%s,%.6f,%.6f,%.6f,%.4f,%.1f%n", r.epoch(),
                    r.learningRate(), r.trainLoss(), r.valLoss(), r.valAccuracy(), r.seconds(), r.samplesPerSecond()));
        }
        return s.toString();
    }

    /** The same records as a JSON array of objects. */
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
