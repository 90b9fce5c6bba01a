package io.mlp4j.backend;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Configuration values and where each came from. Precedence, highest first: an explicit (builder) value, the
 * system property {@code mlp4j.KEY}, the environment variable {@code MLP4J_KEY} (upper case, dots as
 * underscores), the file {@code mlp4j.properties} in the working directory, then in
 * {@code $XDG_CONFIG_HOME/mlp4j/} (default {@code ~/.config/mlp4j/}), then the built-in default.
 */
public final class Settings {

    public static final String BACKEND = "backend";
    public static final String THREADS = "threads";
    public static final String APARAPI_DEVICE = "aparapi.device";
    public static final String CUDA_DEVICE = "cuda.device";
    public static final String CONFIG_FILE = "config";

    /** A value and its source, e.g. {@code cpu} from "system property mlp4j.backend". */
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

    /** Settings seen by this process, with the given explicit values on top. */
    public static Settings current(Map<String, String> explicit) {
        return new Settings(explicit, System.getenv(), System.getProperties());
    }

    /** For tests: a chosen environment and system properties. */
    public static Settings of(Map<String, String> explicit, Map<String, String> env, Properties props) {
        return new Settings(explicit, env, props);
    }

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

    /** An integer value, with a message naming the key and its source when it is not one. */
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

    private java.util.List<Path> configFiles() {
        Value named = explicitOrSystem(CONFIG_FILE);
        if (named != null) {
            Path p = Path.of(named.value());
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("configuration file " + p + " (from " + named.source()
                        + ") does not exist or is not a file");
            }
            return java.util.List.of(p);
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        Path userDir = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(props.getProperty("user.home", "."), ".config");
        return java.util.List.of(Path.of("mlp4j.properties"), userDir.resolve("mlp4j").resolve("mlp4j.properties"))
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
