package io.mlp4j.demo;

import io.mlp4j.Trainer;
import io.mlp4j.spi.BackendProvider;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * {@code --backend}, {@code --config}, {@code --threads}: passed to the library as explicit options, on top of the
 * system property, the environment and {@code mlp4j.properties} (the library applies the precedence).
 */
final class BackendOptions {

    /** {@code auto} and the name of every backend provider installed (in the image: cpu, aparapi, cublas). */
    static List<String> names() {
        List<String> names = new ArrayList<>(List.of("auto"));
        ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .sorted(Comparator.comparingInt(BackendProvider::rank)).forEach(p -> names.add(p.name()));
        return names;
    }

    @Option(names = "--backend", paramLabel = "NAME", converter = NameConverter.class,
            description = "auto or an installed backend (cpu, aparapi, cublas); overrides -Dmlp4j.backend, "
                    + "MLP4J_BACKEND and mlp4j.properties (default: that configuration, else auto).")
    String backend;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Configuration file to use instead of ./mlp4j.properties and ~/.config/mlp4j/mlp4j.properties.")
    Path config;

    @Option(names = "--threads", paramLabel = "N", converter = ThreadsConverter.class,
            description = "Threads for the cpu backend (default: configuration, else the number of cores).")
    Integer threads;

    /** The explicit configuration values, keys as in {@code Trainer.Builder.option}. */
    Map<String, String> options() {
        Map<String, String> o = new HashMap<>();
        if (backend != null) {
            o.put("backend", backend);
        }
        if (config != null) {
            if (!Files.isRegularFile(config)) {
                throw new CliException("--config " + config + ": no such file");
            }
            o.put("config", config.toString());
        }
        if (threads != null) {
            o.put("threads", threads.toString());
        }
        return o;
    }

    Trainer.Builder apply(Trainer.Builder b) {
        options().forEach(b::option);
        return b;
    }

    /** Opens the trainer; an error about the backend names {@code --backend} where the user typed it. */
    Trainer build(Trainer.Builder b) {
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(explain(e.getMessage()), e);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(explain(e.getMessage()), e);
        }
    }

    /**
     * The library's {@code backendChoice()} or error message, with its word for explicit values ("builder")
     * replaced by the option's name.
     */
    String explain(String text) {
        return backend == null || text == null ? text
                : text.replace("(builder", "(--backend").replace("(from builder", "(from --backend");
    }

    static final class NameConverter implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            List<String> names = names();
            if (!names.contains(v)) {
                throw new CommandLine.TypeConversionException("unknown backend '" + value + "' for --backend; choose "
                        + "one of " + String.join(", ", names));
            }
            return v;
        }
    }

    static final class ThreadsConverter implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                int n = Integer.parseInt(value.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw new CommandLine.TypeConversionException("bad --threads '" + value + "': expected a whole number"
                    + " of at least 1");
        }
    }
}
