package io.mlp4j.data;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The real MNIST from MLP4J_DATA: the published sizes, label counts and checksums. */
class RealMnistTest {

    static Path dir() {
        String d = System.getProperty("mlp4j.data");
        if (d == null || d.isBlank() || d.contains("${")) {
            d = System.getenv("MLP4J_DATA");
        }
        Path p = d == null || d.isBlank() ? null : Path.of(d);
        if (p == null || !Files.isDirectory(p)) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("MNIST not found (set MLP4J_DATA)");
            }
            assumeTrue(false, "MNIST not found; set MLP4J_DATA to run this test");
        }
        return p;
    }

    @Test
    void loadsWithThePublishedCountsAndChecksums() throws IOException {
        Path dir = dir();
        for (String f : Mnist.FILES) {
            Path gz = dir.resolve(f);
            if (Files.isRegularFile(gz)) {
                assertEquals(Mnist.SHA256.get(f), Downloader.sha256(gz), f);
            }
        }
        Mnist m = Mnist.load(dir);
        assertEquals(60_000, m.train().size());
        assertEquals(10_000, m.test().size());
        assertEquals(28, m.train().rows());
        assertEquals(28, m.train().cols());
        assertArrayEquals(new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, counts(m.train()));
        assertArrayEquals(new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, counts(m.test()));
        DataSet.Split s = m.train().split(50_000, 42);
        assertEquals(50_000, s.first().size());
        assertEquals(10_000, s.second().size());
    }

    private static int[] counts(DataSet d) {
        int[] c = new int[10];
        for (int i = 0; i < d.size(); i++) {
            c[d.label(i)]++;
        }
        return c;
    }
}
