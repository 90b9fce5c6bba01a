package io.mlp4j.demo;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The jlink image, run as a user would: target/mlp4j/bin/mlp4j (runs in the integration-test phase). */
class ImageIT {

    private static Path image;

    @TempDir
    Path tmp;

    record Run(int exit, String out, List<String> err) {
    }

    @BeforeAll
    static void findImage() {
        image = Path.of(System.getProperty("mlp4j.image", "target/mlp4j")).toAbsolutePath();
        assertTrue(Files.isExecutable(image.resolve("bin/mlp4j")), "no image at " + image);
    }

    private Run run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(image.resolve("bin/mlp4j").toString()));
        cmd.addAll(Arrays.asList(args));
        return exec(cmd);
    }

    private Run exec(List<String> cmd) throws IOException, InterruptedException {
        Path out = tmp.resolve("stdout");
        Path err = tmp.resolve("stderr");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "timed out: " + cmd);
        // The JVM's own notice about the incubating Vector API is not ours to count.
        List<String> errLines = Files.readAllLines(err, StandardCharsets.UTF_8).stream()
                .filter(l -> !l.equals("WARNING: Using incubator modules: jdk.incubator.vector")).toList();
        return new Run(p.exitValue(), Files.readString(out), errLines);
    }

    @Test
    void version() throws Exception {
        Run r = run("--version");
        assertEquals(0, r.exit(), r.err().toString());
        assertTrue(r.out().startsWith("mlp4j "), r.out());
    }

    @Test
    void devicesUsesTheVectorApi() throws Exception {
        Run r = run("devices");
        assertEquals(0, r.exit(), r.err().toString());
        assertTrue(r.out().contains("cpu       available    CPU"), r.out());
        assertTrue(r.out().contains("Vector API"), "jdk.incubator.vector is resolved in the image: " + r.out());
    }

    @Test
    void optionalModulesAreResolved() throws Exception {
        Run r = exec(List.of(image.resolve("bin/java").toString(), "--show-module-resolution", "-m",
                "io.mlp4j.demo/io.mlp4j.demo.Main", "--version"));
        assertEquals(0, r.exit());
        // Lines read "root M jrt:/M" or "A requires M jrt:/M".
        for (String m : List.of("aparapi", "aparapi.jni", "org.apache.bcel", "org.bytedeco.cuda",
                "org.bytedeco.javacpp", "org.bytedeco.cuda.linux.x86_64", "org.bytedeco.javacpp.linux.x86_64",
                "jdk.incubator.vector", "jdk.unsupported")) {
            assertTrue(r.out().lines().anyMatch(l -> l.endsWith(" jrt:/" + m)), m + " not resolved:\n" + r.out());
        }
    }

    @Test
    void oneLineErrors() throws Exception {
        Run r = run("train", "--schedule", "5x0.5");
        assertEquals(2, r.exit());
        assertEquals(1, r.err().size(), r.err().toString());
        r = run("predict", tmp.resolve("none.png").toString());
        assertEquals(1, r.exit());
        assertEquals(List.of("mlp4j predict: " + tmp.resolve("none.png") + ": no such file"), r.err());
    }

    /** Needs safetensors saving (io.mlp4j.io.ModelFile). */
    @Test
    void trainsInTheImage() throws Exception {
        Path out = tmp.resolve("run");
        Run r = run("train", "--data", Cli.dataDir().toString(), "--limit", "1000", "--schedule", "1@0.5",
                "--backend", "cpu", "--out", out.toString());
        assertEquals(0, r.exit(), r.err().toString());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("test_loss: \\d\\.\\d{4}, test_acc: \\d\\.\\d{4}")), r.out());
        assertTrue(Files.isRegularFile(out.resolve("confusion.png")));
    }
}
