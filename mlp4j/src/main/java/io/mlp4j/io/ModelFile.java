package io.mlp4j.io;

import io.mlp4j.spi.ModelData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Model files in the <a href="https://github.com/huggingface/safetensors">safetensors</a> format with the
 * tutorial's PyTorch names, so that a model trained here loads in PyTorch
 * ({@code model.load_state_dict(safetensors.torch.load_file(path))}) and the reverse.
 *
 * <p>Layout: an unsigned 64-bit little-endian header length {@code N}; {@code N} bytes of UTF-8 JSON (padded with
 * spaces to a multiple of 8) mapping each tensor name to {@code {"dtype":"F32","shape":[...],"data_offsets":[b,e]}}
 * plus an optional {@code "__metadata__"} object of strings; then the tensors' raw little-endian bytes, offsets
 * counted from the first byte after the header. Tensors: {@code linear1.weight} {@code [out, in]} (row-major, like
 * {@code nn.Linear}), {@code linear1.bias} {@code [out]}, {@code linear2.weight}, ... one pair per layer.
 */
public final class ModelFile {

    /** The largest header accepted (the reference implementation's limit too). */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    static final String METADATA = "__metadata__";
    private static final Pattern TENSOR_NAME = Pattern.compile("linear([1-9][0-9]{0,8})\\.(weight|bias)");

    /** A step inside {@link #write(Path, ModelData, Hook)}, for tests that make writing fail. */
    @FunctionalInterface
    interface Hook {
        void run(Path temp) throws IOException;
    }

    private ModelFile() {
    }

    /**
     * Writes atomically: a temporary file beside the target, flushed to disk, then renamed over it. On any
     * failure the temporary file is deleted and an existing file at {@code file} is left untouched.
     *
     * @throws IllegalArgumentException if the model is inconsistent (sizes, shapes) or holds NaN or infinity
     */
    public static void write(Path file, ModelData model) throws IOException {
        write(file, model, temp -> {
        });
    }

    /** {@link #write(Path, ModelData)} with a hook run after the data is written, before the commit. */
    static void write(Path file, ModelData model, Hook beforeCommit) throws IOException {
        byte[] header = SafetensorsHeader.encode(model);
        try (AtomicFile out = AtomicFile.create(file)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
            out.write(len);
            out.write(ByteBuffer.wrap(header));
            int layers = model.weights().length;
            for (int l = 0; l < layers; l++) {
                writeFloats(out, model.weights()[l]);
                writeFloats(out, model.biases()[l]);
            }
            beforeCommit.run(out.temp());
            out.commit();
        }
    }

    private static void writeFloats(AtomicFile out, float[] values) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(Math.min(values.length, 1 << 16) * 4).order(ByteOrder.LITTLE_ENDIAN);
        int i = 0;
        while (i < values.length) {
            buf.clear();
            int n = Math.min(values.length - i, buf.capacity() / 4);
            buf.asFloatBuffer().put(values, i, n);
            buf.limit(n * 4);
            out.write(buf);
            i += n;
        }
    }

    /**
     * Checks that a model is consistent (sizes, array lengths) and finite, before any format writes it.
     *
     * @throws IllegalArgumentException naming the layer or tensor at fault
     */
    public static void validate(ModelData m) {
        int[] sizes = m.layerSizes();
        if (sizes == null || sizes.length < 2) {
            throw new IllegalArgumentException("a model needs at least an input and an output size");
        }
        int layers = sizes.length - 1;
        if (m.weights() == null || m.biases() == null || m.weights().length != layers
                || m.biases().length != layers) {
            throw new IllegalArgumentException("a model of " + layers + " layers needs " + layers
                    + " weight and bias arrays");
        }
        Map<String, String> meta = m.metadata() == null ? Map.of() : m.metadata();
        for (Map.Entry<String, String> e : meta.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("metadata '" + e.getKey() + "' has no value");
            }
        }
        for (int l = 0; l < layers; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            if (in <= 0 || out <= 0) {
                throw new IllegalArgumentException("layer " + (l + 1) + " has a non-positive size " + in + " -> " + out);
            }
            float[] w = m.weights()[l];
            float[] b = m.biases()[l];
            if (w == null || (long) w.length != (long) out * in || b == null || b.length != out) {
                throw new IllegalArgumentException("layer " + (l + 1) + " (" + in + " -> " + out + ") needs "
                        + (long) out * in + " weights and " + out + " biases, got "
                        + (w == null ? "none" : w.length) + " and " + (b == null ? "none" : b.length));
            }
            checkFinite("linear" + (l + 1) + ".weight", w, in);
            checkFinite("linear" + (l + 1) + ".bias", b, 1);
        }
    }

    static void checkFinite(String name, float[] values, int cols) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException(name + " holds " + values[i] + " at " + where(i, cols)
                        + "; refusing to save a model with non-finite parameters");
            }
        }
    }

    static String where(int i, int cols) {
        return cols == 1 ? "index " + i : "row " + i / cols + ", column " + i % cols;
    }

    /**
     * Reads and validates everything; errors name the file and the fault. The layer sizes come from the tensor
     * shapes; metadata is optional (files saved by PyTorch often have none) and comes back unmodifiable.
     */
    public static ModelData read(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw fault(file.toString(), "is a directory, not a model file");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(file.toString(), ch);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such model file", e);
        } catch (AccessDeniedException e) {
            throw new IOException(file + ": permission denied", e);
        }
    }

    /**
     * Reads a model held in memory, e.g. a resource, like {@link #read(Path)}.
     *
     * @param name what to call the bytes in messages
     * @param bytes the whole file
     * @return the model
     * @throws IOException naming {@code name} and the fault if the bytes are not a valid model
     */
    public static ModelData read(String name, byte[] bytes) throws IOException {
        return read(name, new ByteArrayChannel(bytes));
    }

    static IOException fault(String file, String what) {
        return new IOException(file + ": " + what);
    }

    /**
     * Reads a model from a channel positioned anywhere (it is read by absolute positions), like {@link #read(Path)}.
     *
     * @param file what to call the channel's content in messages
     * @param ch the channel; not closed here
     * @return the model
     * @throws IOException naming {@code file} and the fault if the content is not a valid model
     */
    public static ModelData read(String file, SeekableByteChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw fault(file, "only " + size + " bytes long; a safetensors file starts with an 8-byte header length");
        }
        ByteBuffer lenBuf = readFully(file, ch, 0, 8).order(ByteOrder.LITTLE_ENDIAN);
        long n = lenBuf.getLong(0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw fault(file, "header length " + Long.toUnsignedString(n) + " is absurd (the limit is "
                    + MAX_HEADER_BYTES + " bytes): not a safetensors file" + guessFormat(lenBuf));
        }
        if (n > size - 8) {
            throw fault(file, "header length " + n + " runs past the end of the file (" + size + " bytes): "
                    + "the file is truncated or not a safetensors file" + guessFormat(lenBuf));
        }
        if (n < 2) {
            throw fault(file, "header length " + n + " is too small for a JSON object");
        }
        ByteBuffer headerBytes = readFully(file, ch, 8, (int) n);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(headerBytes).toString();
        } catch (CharacterCodingException e) {
            throw fault(file, "the header is not valid UTF-8");
        }
        Object parsed;
        try {
            parsed = Json.parse(text);
        } catch (Json.ParseException e) {
            throw fault(file, "the header is not valid JSON (" + e.getMessage() + ")");
        }
        if (!(parsed instanceof Map)) {
            throw fault(file, "the header is not a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> header = (Map<String, Object>) parsed;
        long dataLength = size - 8 - n;

        Map<String, String> metadata = new LinkedHashMap<>();
        TreeMap<Integer, SafetensorsHeader.Entry> weights = new TreeMap<>();
        TreeMap<Integer, SafetensorsHeader.Entry> biases = new TreeMap<>();
        for (Map.Entry<String, Object> e : header.entrySet()) {
            String name = e.getKey();
            if (name.equals(METADATA)) {
                readMetadata(file, e.getValue(), metadata);
                continue;
            }
            Matcher m = TENSOR_NAME.matcher(name);
            if (!m.matches()) {
                throw fault(file, "unknown tensor '" + name + "'; expected linear1.weight, linear1.bias, "
                        + "linear2.weight, ... (the tutorial's PyTorch names)");
            }
            int layer = Integer.parseInt(m.group(1));
            boolean isWeight = m.group(2).equals("weight");
            SafetensorsHeader.Entry entry = SafetensorsHeader.entry(file, name, layer, isWeight, e.getValue(), dataLength);
            (isWeight ? weights : biases).put(layer, entry);
        }
        if (weights.isEmpty() && biases.isEmpty()) {
            throw fault(file, "holds no tensors; expected linear1.weight, linear1.bias, ...");
        }
        int layers = Math.max(weights.isEmpty() ? 0 : weights.lastKey(), biases.isEmpty() ? 0 : biases.lastKey());
        for (int l = 1; l <= layers; l++) {
            if (!weights.containsKey(l)) {
                throw fault(file, "missing tensor linear" + l + ".weight (layers must be numbered 1.." + layers
                        + " without gaps, each with a weight and a bias)");
            }
            if (!biases.containsKey(l)) {
                throw fault(file, "missing tensor linear" + l + ".bias (layers must be numbered 1.." + layers
                        + " without gaps, each with a weight and a bias)");
            }
        }
        int[] sizes = new int[layers + 1];
        for (int l = 1; l <= layers; l++) {
            SafetensorsHeader.Entry w = weights.get(l);
            SafetensorsHeader.Entry b = biases.get(l);
            if (w.shape().length != 2) {
                throw fault(file, w.name() + " has shape " + SafetensorsHeader.shapeText(w.shape()) + "; a weight must be [out, in]");
            }
            if (b.shape().length != 1) {
                throw fault(file, b.name() + " has shape " + SafetensorsHeader.shapeText(b.shape()) + "; a bias must be [out]");
            }
            long out = w.shape()[0];
            long in = w.shape()[1];
            if (out <= 0 || in <= 0 || out > Integer.MAX_VALUE || in > Integer.MAX_VALUE) {
                throw fault(file, w.name() + " has shape " + SafetensorsHeader.shapeText(w.shape())
                        + "; both sizes must be positive");
            }
            if (b.shape()[0] != out) {
                throw fault(file, b.name() + " has shape " + SafetensorsHeader.shapeText(b.shape()) + " but " + w.name()
                        + " has " + out + " outputs " + SafetensorsHeader.shapeText(w.shape()));
            }
            if (l == 1) {
                sizes[0] = (int) in;
            } else if (in != sizes[l - 1]) {
                throw fault(file, "the layers do not chain: " + w.name() + " " + SafetensorsHeader.shapeText(w.shape()) + " takes "
                        + in + " inputs but linear" + (l - 1) + " produces " + sizes[l - 1]);
            }
            sizes[l] = (int) out;
        }

        List<SafetensorsHeader.Entry> all = new ArrayList<>();
        all.addAll(weights.values());
        all.addAll(biases.values());
        all.sort(Comparator.comparingLong(SafetensorsHeader.Entry::begin).thenComparingLong(SafetensorsHeader.Entry::end));
        long expected = 0;
        for (SafetensorsHeader.Entry e : all) {
            if (e.begin() < expected) {
                throw fault(file, e.name() + "'s data_offsets [" + e.begin() + ", " + e.end()
                        + "] overlap the previous tensor's data (which ends at " + expected + ")");
            }
            if (e.begin() > expected) {
                throw fault(file, "unused bytes " + expected + ".." + e.begin() + " before " + e.name()
                        + "'s data; safetensors data must be contiguous");
            }
            expected = e.end();
        }
        if (expected != dataLength) {
            throw fault(file, "the file is " + size + " bytes but the header (8 + " + n
                    + " bytes) and the tensors' data (" + expected + " bytes) add up to " + (8 + n + expected)
                    + (expected < dataLength ? "; unexpected data after the last tensor" : ""));
        }

        float[][] w = new float[layers][];
        float[][] b = new float[layers][];
        for (int l = 1; l <= layers; l++) {
            w[l - 1] = floats(file, ch, 8 + n, weights.get(l), sizes[l - 1]);
            b[l - 1] = floats(file, ch, 8 + n, biases.get(l), 1);
        }
        return new ModelData(sizes, w, b, Collections.unmodifiableMap(metadata));
    }

    private static void readMetadata(String file, Object value, Map<String, String> into) throws IOException {
        if (!(value instanceof Map)) {
            throw fault(file, "__metadata__ must be a JSON object of strings");
        }
        for (Map.Entry<?, ?> m : ((Map<?, ?>) value).entrySet()) {
            if (!(m.getValue() instanceof String)) {
                throw fault(file, "__metadata__ value of '" + m.getKey() + "' is " + m.getValue()
                        + ", not a string (safetensors metadata maps strings to strings)");
            }
            into.put((String) m.getKey(), (String) m.getValue());
        }
    }

    /** Floats per read in {@link #floats}: 1 MiB at a time. */
    static final int CHUNK_FLOATS = 1 << 18;

    private static float[] floats(String file, SeekableByteChannel ch, long dataStart, SafetensorsHeader.Entry e,
                                  int cols) throws IOException {
        int count = (int) ((e.end() - e.begin()) / 4);
        float[] out = new float[count];
        // In chunks: a tensor of more than 2^29 floats has more bytes than an int (and a ByteBuffer) can count,
        // and the whole tensor as bytes beside the floats would double the memory a load needs.
        for (int i = 0; i < count; i += CHUNK_FLOATS) {
            int n = Math.min(CHUNK_FLOATS, count - i);
            readFully(file, ch, dataStart + e.begin() + 4L * i, 4 * n).order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer().get(out, i, n);
        }
        for (int i = 0; i < count; i++) {
            if (!Float.isFinite(out[i])) {
                throw fault(file, "tensor " + e.name() + " holds " + out[i] + " at " + where(i, cols)
                        + "; a model with non-finite parameters is corrupt");
            }
        }
        return out;
    }

    private static ByteBuffer readFully(String file, SeekableByteChannel ch, long position, int length)
            throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            ch.position(position + buf.position());
            int r = ch.read(buf);
            if (r < 0) {
                throw fault(file, "the file is truncated (it ended while reading bytes " + position + ".."
                        + (position + length) + ")");
            }
        }
        return buf.flip();
    }

    /** A hint when the first bytes show another well-known format. */
    private static String guessFormat(ByteBuffer first8) {
        byte b0 = first8.get(0);
        byte b1 = first8.get(1);
        if (b0 == 'P' && b1 == 'K') {
            return " (it looks like a zip archive, e.g. a PyTorch .pt/.pth file: save the state_dict with "
                    + "safetensors.torch.save_file instead)";
        }
        if ((b0 & 0xFF) == 0x80) {
            return " (it looks like a Python pickle: save the state_dict with safetensors.torch.save_file instead)";
        }
        if (b0 == '{') {
            return " (it starts with '{': JSON without the 8-byte length in front?)";
        }
        return "";
    }
}
