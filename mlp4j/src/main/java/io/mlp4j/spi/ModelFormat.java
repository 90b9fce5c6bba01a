package io.mlp4j.spi;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * A model file format beside the built-in safetensors, provided by a module of its own and found with
 * {@link java.util.ServiceLoader} ({@code provides io.mlp4j.spi.ModelFormat with ...}, or a
 * {@code META-INF/services} entry on the class path). {@code Classifier.load} and {@code Classifier.save} pick the
 * format whose {@link #extension()} ends the file's name. A format of one's own:
 * <pre>{@code
 * // module-info.java: requires io.mlp4j; provides io.mlp4j.spi.ModelFormat with my.CsvFormat;
 * public final class CsvFormat implements ModelFormat {
 *     public String extension() { return ".csv"; }
 *     public ModelData read(Path file) throws IOException { ... }   // check everything; name the file in errors
 *     public void write(ModelData model, OutputStream out) throws IOException { ... }
 * }
 * Classifier.pretrained().save(Path.of("digits.csv"));              // picked by the extension
 * }</pre>
 */
public interface ModelFormat {

    /**
     * The file name extension this format owns, lower case with the dot, e.g. {@code ".onnx"}.
     *
     * @return the extension
     */
    String extension();

    /**
     * Reads and checks a whole model. Anything the format cannot represent exactly as {@link ModelData} is refused
     * with an {@link IOException} whose message names the file and the fault; memory taken is bounded by the
     * file's size, whatever sizes the file claims.
     *
     * @param file the file to read
     * @return the model it holds
     * @throws IOException naming the file if it cannot be read or is not a model this format can represent
     */
    ModelData read(Path file) throws IOException;

    /**
     * Writes a model to {@code out}. The caller has checked the model (sizes agree, values are finite) and makes
     * the file appear atomically; {@code out} is not closed here.
     *
     * @param model the model to write
     * @param out where to write it
     * @throws IOException if writing fails
     */
    void write(ModelData model, OutputStream out) throws IOException;
}
