package io.mlp4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where a training run stands: the model, the seed of its initial parameters and shuffles, and the history of its
 * epochs, whose length is the position in the learning-rate schedule. A trainer built with
 * {@code Trainer.builder(c.model().network()).resumeFrom(c)} continues exactly as if it had not stopped (same
 * batches, same results), given the same data and batch size.
 * <pre>{@code
 * trainer.checkpoint().write(Path.of("run.ckpt.safetensors"));
 * Checkpoint c = Checkpoint.read(Path.of("run.ckpt.safetensors"));
 * try (Trainer t = Trainer.builder(c.model().network()).resumeFrom(c).build()) { ... }
 * }</pre>
 *
 * @param model the parameters, as a classifier
 * @param seed the seed of the run
 * @param history every epoch trained so far, oldest first
 */
public record Checkpoint(Classifier model, long seed, List<EpochRecord> history) {

    private static final String SEED = "mlp4j.checkpoint.seed";
    private static final String HISTORY = "mlp4j.checkpoint.history";

    /**
     * @param model the parameters, as a classifier
     * @param seed the seed of the run
     * @param history every epoch trained so far, numbered 1, 2, ... (copied)
     */
    public Checkpoint {
        Objects.requireNonNull(model, "model");
        history = List.copyOf(history);
        for (int i = 0; i < history.size(); i++) {
            if (history.get(i).epoch() != i + 1) {
                throw new IllegalArgumentException("history entry " + (i + 1) + " is epoch " + history.get(i).epoch());
            }
        }
    }

    /**
     * The number of epochs trained: where a schedule continues.
     *
     * @return {@code history().size()}
     */
    public int epochs() {
        return history.size();
    }

    /**
     * Writes one safetensors file (the model, with the seed and the history in its metadata), atomically.
     *
     * @param file where to write; replaced if it exists
     * @throws IOException if the file cannot be written (nothing is left at {@code file} then)
     */
    public void write(Path file) throws IOException {
        History h = new History();
        history.forEach(h::add);
        model.save(file, Map.of(SEED, Long.toString(seed), HISTORY, h.toCsv(true)));
    }

    /**
     * Reads a file written by {@link #write}.
     *
     * @param file a checkpoint file
     * @return the checkpoint
     * @throws IOException naming the file if it cannot be read or is not a checkpoint
     */
    public static Checkpoint read(Path file) throws IOException {
        ModelLoader.Loaded loaded = ModelLoader.load(file);
        String seedText = loaded.metadata().get(SEED);
        String historyText = loaded.metadata().get(HISTORY);
        if (seedText == null || historyText == null) {
            throw new IOException(file + ": a model file but not a checkpoint (no " + SEED + "/" + HISTORY
                    + " metadata); write checkpoints with Checkpoint.write (Trainer.checkpoint())");
        }
        try {
            return new Checkpoint(loaded.classifier(), Long.parseLong(seedText), History.parseCsv(historyText));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": corrupt checkpoint metadata: " + e.getMessage(), e);
        }
    }
}
