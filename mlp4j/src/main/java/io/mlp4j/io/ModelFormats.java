package io.mlp4j.io;

import io.mlp4j.spi.ModelData;
import io.mlp4j.spi.ModelFormat;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Reads and writes model files by their name: {@code .onnx} through the {@link ModelFormat} that the
 * {@code mlp4j-onnx} module provides, anything else as safetensors ({@link ModelFile}). Writes are atomic
 * whatever the format.
 */
public final class ModelFormats {

    /** Extensions whose format lives in a module of its own, and the artifact that provides it. */
    private static final Map<String, String> KNOWN = Map.of(".onnx", "io.mlp4j:mlp4j-onnx");

    private ModelFormats() {
    }

    public static ModelData read(Path file) throws IOException {
        ModelFormat format = formatFor(file);
        return format == null ? ModelFile.read(file) : format.read(file);
    }

    /**
     * Checks the model ({@link ModelFile#validate}), then writes it to a temporary file renamed over {@code file}.
     *
     * @throws IllegalArgumentException if the model is inconsistent or holds NaN or infinity
     */
    public static void write(Path file, ModelData model) throws IOException {
        ModelFormat format = formatFor(file);
        if (format == null) {
            ModelFile.write(file, model);
            return;
        }
        ModelFile.validate(model);
        try (AtomicFile out = AtomicFile.create(file)) {
            OutputStream stream = new BufferedOutputStream(Channels.newOutputStream(out.channel()), 1 << 16);
            format.write(model, stream);
            stream.flush();
            out.commit();
        }
    }

    /** The provided format for this file's name, null for safetensors. */
    private static ModelFormat formatFor(Path file) throws IOException {
        Path name = file.getFileName();
        String lower = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
        try {
            for (ModelFormat f : ServiceLoader.load(ModelFormat.class)) {
                if (lower.endsWith(f.extension())) {
                    return f;
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new IOException(file + ": a model format provider failed to load: " + e.getMessage(), e);
        }
        for (Map.Entry<String, String> k : KNOWN.entrySet()) {
            if (lower.endsWith(k.getKey())) {
                throw new IOException(file + ": " + k.getKey().substring(1).toUpperCase(Locale.ROOT)
                        + " model files need the module io.mlp4j" + k.getKey() + " (artifact " + k.getValue()
                        + "): add it beside io.mlp4j on the module path or class path");
            }
        }
        return null;
    }
}
