package io.mlp4j.demo;

import io.mlp4j.data.Mnist;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** {@code --data DIR}, defaulting to {@code $MLP4J_DATA}, then to MNIST downloaded into the user's cache. */
final class DataOptions {

    @Option(names = "--data", paramLabel = "DIR",
            description = "Directory with the four MNIST IDX files, gzipped or not (default: $MLP4J_DATA, else MNIST"
                    + " is downloaded once into ~/.cache/mlp4j/mnist, checked by SHA-256).")
    Path data;

    Path dir() throws IOException {
        java.io.PrintStream terminal = Progress.terminalOrNull();
        return Mnist.locate(data == null ? null : data.toString(),
                new DownloadBar(terminal != null ? terminal : System.err, terminal != null));
    }

    Mnist load() throws IOException {
        return Mnist.load(dir());
    }
}
