package io.mlp4j.testsupport;

import io.mlp4j.data.Mnist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real MNIST for tests, from {@code -Dmlp4j.data}, else {@code MLP4J_DATA}, else {@code ../shared/mnist} (CI),
 * loaded once per test JVM. Missing, it skips the test, except in CI ({@code CI=true}), where it fails.
 */
public final class TestMnist {

    private static Mnist mnist;

    private TestMnist() {
    }

    /** Where the MNIST files are looked for (the directory may not exist). */
    public static Path dataDir() {
        String d = System.getProperty("mlp4j.data");
        if (d == null || d.isBlank() || d.contains("${")) { // an unset Maven property arrives as its own text
            d = System.getenv(Mnist.DATA_ENV);
        }
        return Path.of(d == null || d.isBlank() ? "../shared/mnist" : d);
    }

    /** The four MNIST sets, loaded on first use. */
    public static synchronized Mnist mnist() {
        if (mnist == null) {
            Path dir = dataDir();
            if (!Files.isDirectory(dir)) {
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
