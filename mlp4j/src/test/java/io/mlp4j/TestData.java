package io.mlp4j;

import io.mlp4j.data.Mnist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The real MNIST, from MLP4J_DATA (CI: ../shared/mnist), loaded once per test JVM. */
final class TestData {

    private static Mnist mnist;

    private TestData() {
    }

    static Path dir() {
        String d = System.getProperty("mlp4j.data");
        if (d == null || d.isBlank() || d.contains("${")) {
            d = System.getenv("MLP4J_DATA");
        }
        if (d == null || d.isBlank()) {
            d = "../shared/mnist"; // beside the checkout, as on the project's machines and in CI
        }
        return Path.of(d);
    }

    static synchronized Mnist mnist() {
        if (mnist == null) {
            Path dir = dir();
            if (!Files.isDirectory(dir)) {
                // In CI the data is always there; a missing directory there is a failure, not a skip.
                if ("true".equals(System.getenv("CI"))) {
                    throw new IllegalStateException("MNIST not found at " + dir + " (set MLP4J_DATA)");
                }
                assumeTrue(false, "MNIST not found at " + dir + "; set MLP4J_DATA to run this test");
            }
            try {
                mnist = Mnist.load(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return mnist;
    }
}
