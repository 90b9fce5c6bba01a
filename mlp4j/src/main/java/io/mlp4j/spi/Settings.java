package io.mlp4j.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Configuration values and where each came from. Precedence, highest first: an explicit (builder) value, the
 * system property {@code mlp4j.KEY}, the environment variable {@code MLP4J_KEY} (upper case, dots as
 * underscores), the file {@code mlp4j.properties} in the working directory, then in
 * {@code $XDG_CONFIG_HOME/mlp4j/} (default {@code ~/.config/mlp4j/}), then the built-in default.
 *
 * <p>Every key of the project is declared here. A provider reads its keys in {@link BackendProvider#probe};
 * errors about a value name the key and where the value came from.
 */
public final class Settings {

    /** {@code auto} or a provider's name. */
    public static final String BACKEND = "backend";
    /** Threads of the cpu backend and of batch inference (default: the number of processors). */
    public static final String THREADS = "threads";
    /** {@code auto} | {@code true} | {@code false}: the cpu backend's Vector API kernels (auto: where resolved). */
    public static final String CPU_VECTOR = "cpu.vector";
    /** {@code any} | {@code gpu} | {@code cpu}: the kind of OpenCL device the aparapi backend uses. */
    public static final String APARAPI_DEVICE = "aparapi.device";
    /** The CUDA device index the cublas backend uses (default 0). */
    public static final String CUDA_DEVICE = "cuda.device";
    /** {@code true}: cuBLAS may use TF32 tensor cores (faster, no longer within float rounding of the cpu). */
    public static final String CUDA_TF32 = "cuda.tf32";
    /** {@code true}: wait after every CUDA operation, so that an asynchronous fault names its operation. */
    public static final String CUDA_SYNC = "cuda.sync";
    /** A properties file to read instead of the default locations. */
    public static final String CONFIG_FILE = "config";

    /**
     * A value and its source.
     *
     * @param value  the value, trimmed
     * @param source where it came from, e.g. "system property mlp4j.backend", "builder", "default"
     */
    public record Value(String value, String source) {
    }

    private final Map<String, String> explicit;
    private final Map<String, String> env;
    private final Properties props;

    private Settings(Map<String, String> explicit, Map<String, String> env, Properties props) {
        this.explicit = Map.copyOf(explicit);
        this.env = env;
        this.props = props;
    }

    /**
     * Settings seen by this process, with explicit values on top.
     *
     * @param explicit keys (without the {@code mlp4j.} prefix) and values that win over every other source
     * @return the settings
     */
    public static Settings current(Map<String, String> explicit) {
        return new Settings(explicit, System.getenv(), System.getProperties());
    }

    /**
     * Settings from a chosen environment and system properties instead of the process's (for tests and tools).
     *
     * @param explicit keys and values that win over every other source
     * @param env      environment variables
     * @param props    system properties
     * @return the settings
     */
    public static Settings of(Map<String, String> explicit, Map<String, String> env, Properties props) {
        return new Settings(explicit, env, props);
    }

    /**
     * A value by precedence.
     *
     * @param key          the key without the {@code mlp4j.} prefix, e.g. {@link #BACKEND}
     * @param defaultValue the value when no source sets it
     * @return the value and its source
     * @throws IllegalArgumentException when the named configuration file does not exist
     */
    public Value get(String key, String defaultValue) {
        String v = explicit.get(key);
        if (v != null) {
            return new Value(v.trim(), "builder");
        }
        String prop = "mlp4j." + key;
        v = props.getProperty(prop);
        if (v != null && !v.isBlank()) {
            return new Value(v.trim(), "system property " + prop);
        }
        String var = "MLP4J_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
        v = env.get(var);
        if (v != null && !v.isBlank()) {
            return new Value(v.trim(), "environment " + var);
        }
        for (Path file : configFiles()) {
            Properties p = readConfig(file);
            v = p.getProperty(prop, p.getProperty(key));
            if (v != null && !v.isBlank()) {
                return new Value(v.trim(), "file " + file);
            }
        }
        return new Value(defaultValue, "default");
    }

    /**
     * An integer value.
     *
     * @param key          the key
     * @param defaultValue the value when no source sets it
     * @param min          the smallest value allowed
     * @return the value
     * @throws IllegalArgumentException naming the key and its source when the value is no integer or too small
     */
    public int getInt(String key, int defaultValue, int min) {
        Value v = get(key, Integer.toString(defaultValue));
        int n;
        try {
            n = Integer.parseInt(v.value());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("mlp4j." + key + " must be an integer, got '" + v.value()
                    + "' (from " + v.source() + ")");
        }
        if (n < min) {
            throw new IllegalArgumentException("mlp4j." + key + " must be at least " + min + ", got " + n
                    + " (from " + v.source() + ")");
        }
        return n;
    }

    /**
     * One of a few words, compared without regard to case.
     *
     * @param key          the key
     * @param defaultValue the value when no source sets it
     * @param allowed      the words allowed, lower case
     * @return the value, lower case
     * @throws IllegalArgumentException naming the key, the allowed words and the source otherwise
     */
    public String getChoice(String key, String defaultValue, String... allowed) {
        Value v = get(key, defaultValue);
        String word = v.value().toLowerCase(Locale.ROOT);
        if (!List.of(allowed).contains(word)) {
            throw new IllegalArgumentException("mlp4j." + key + " must be " + String.join(", ", allowed) + ", got '"
                    + v.value() + "' (from " + v.source() + ")");
        }
        return word;
    }

    /**
     * {@code true} or {@code false}, default false.
     *
     * @param key the key
     * @return the value
     * @throws IllegalArgumentException naming the key and its source for any other word
     */
    public boolean getFlag(String key) {
        return getChoice(key, "false", "true", "false").equals("true");
    }

    private List<Path> configFiles() {
        Value named = explicitOrSystem(CONFIG_FILE);
        if (named != null) {
            Path p = Path.of(named.value());
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("configuration file " + p + " (from " + named.source()
                        + ") does not exist or is not a file");
            }
            return List.of(p);
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        Path userDir = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(props.getProperty("user.home", "."), ".config");
        return List.of(Path.of("mlp4j.properties"), userDir.resolve("mlp4j").resolve("mlp4j.properties"))
                .stream().filter(Files::isRegularFile).toList();
    }

    private Value explicitOrSystem(String key) {
        if (explicit.containsKey(key)) {
            return new Value(explicit.get(key), "builder");
        }
        String v = props.getProperty("mlp4j." + key);
        if (v != null) {
            return new Value(v, "system property mlp4j." + key);
        }
        v = env.get("MLP4J_" + key.toUpperCase(Locale.ROOT));
        return v == null ? null : new Value(v, "environment MLP4J_" + key.toUpperCase(Locale.ROOT));
    }

    private final Map<Path, Properties> cache = new HashMap<>();

    private synchronized Properties readConfig(Path file) {
        return cache.computeIfAbsent(file, f -> {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(f)) {
                p.load(in);
            } catch (IOException | IllegalArgumentException e) {
                throw new UncheckedIOException("cannot read configuration file " + f + ": " + e.getMessage(),
                        e instanceof IOException io ? io : new IOException(e));
            }
            return p;
        });
    }
}
