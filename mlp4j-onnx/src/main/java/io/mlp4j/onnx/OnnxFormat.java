package io.mlp4j.onnx;

import io.mlp4j.spi.ModelData;
import io.mlp4j.spi.ModelFormat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;

/**
 * ONNX model files ({@code .onnx}) for {@code Classifier.load} and {@code Classifier.save}: found by the core
 * through {@link java.util.ServiceLoader} when this module is present. Reading takes the whole file into memory
 * once (an MLP's file is its weights) and allocates nothing a size field claims before the bytes are there.
 */
public final class OnnxFormat implements ModelFormat {

    /** protobuf's own limit for one message, and more than any MLP file needs. */
    static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;

    private static final String VERSION = version();

    /** For {@link java.util.ServiceLoader}. */
    public OnnxFormat() {
    }

    @Override
    public String extension() {
        return ".onnx";
    }

    @Override
    public ModelData read(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + ": is a directory, not an ONNX file");
        }
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new IOException(file + ": " + size + " bytes is more than an ONNX file can hold in one"
                        + " protobuf message (2 GiB); large models keep external data, which mlp4j does not read");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such model file", e);
        } catch (AccessDeniedException e) {
            throw new IOException(file + ": permission denied", e);
        }
        return read(file, bytes);
    }

    static ModelData read(Path file, byte[] bytes) throws IOException {
        try {
            return OnnxImport.toModel(OnnxProto.model(new ProtoReader(bytes, 0, bytes.length)));
        } catch (ProtoReader.MalformedException e) {
            throw new IOException(file + ": not a valid ONNX file: " + e.getMessage());
        } catch (OnnxImport.Refused e) {
            throw new IOException(file + ": " + e.getMessage());
        }
    }

    @Override
    public void write(ModelData model, OutputStream out) throws IOException {
        out.write(OnnxExport.toBytes(model, VERSION));
    }

    private static String version() {
        Properties p = new Properties();
        try (InputStream in = OnnxFormat.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // "unknown" below
        }
        return p.getProperty("version", "unknown");
    }
}
