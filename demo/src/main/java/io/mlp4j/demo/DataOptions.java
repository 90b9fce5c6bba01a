package io.mlp4j.demo;

import io.mlp4j.data.Mnist;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** {@code --data DIR}, defaulting to {@code $MLP4J_DATA}. */
final class DataOptions {

    @Option(names = "--data", paramLabel = "DIR",
            description = "Directory with the four MNIST IDX files, gzipped or not (default: $MLP4J_DATA).")
    Path data;

    Path dir() {
        if (data != null) {
            return data;
        }
        String env = System.getenv("MLP4J_DATA");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        throw new CliException("no MNIST directory: pass --data DIR or set MLP4J_DATA to a directory holding "
                + Mnist.TRAIN_IMAGES + " and the three other MNIST files");
    }

    Mnist load() throws IOException {
        return Mnist.load(dir());
    }
}
