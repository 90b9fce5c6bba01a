package io.mlp4j.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * scripts/gpu-pack.sh and scripts/gpu-check.sh on this machine (no GPU): the carry fits the GPU machine's budget, and
 * the check, run from the carry with relative paths, writes a report that says what it found, in under 2 minutes.
 */
class GpuScriptsIT {

    private static final Path ROOT = repositoryRoot();
    private static final long CARRY_BUDGET = 60L << 20;

    @TempDir
    Path tmp;

    record Run(int exit, String out, double seconds) {
    }

    /** The checkout: the first folder up from here with scripts/gpu-check.sh (tests run in demo/ or the root). */
    private static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("scripts/gpu-check.sh"))) {
                return p;
            }
        }
        throw new IllegalStateException("scripts/gpu-check.sh not found above " + Path.of("").toAbsolutePath());
    }

    private static Run run(Path dir, int timeoutSeconds, String... cmd) throws IOException, InterruptedException {
        Path log = Files.createTempFile("gpu-script", ".log");
        long t0 = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("MLP4J_DATA", Cli.dataDir().toString());
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out after " + timeoutSeconds + " s: " + String.join(" ", cmd) + "\n"
                    + Files.readString(log));
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        return new Run(p.exitValue(), out, (System.nanoTime() - t0) / 1e9);
    }

    @Test
    void theCarryFitsAndTheCheckReportsAHostWithoutGpu() throws Exception {
        Run pack = run(tmp, 120, ROOT.resolve("scripts/gpu-pack.sh").toString(), "--image",
                Path.of(System.getProperty("mlp4j.image", "target/mlp4j")).toAbsolutePath().toString(), "pack");
        assertEquals(0, pack.exit, pack.out);
        Matcher total = Pattern.compile("total: (\\d+) bytes").matcher(pack.out);
        assertTrue(total.find(), pack.out);
        long bytes;
        try (Stream<Path> files = Files.walk(tmp.resolve("pack"))) {
            bytes = files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).mapToLong(f -> f.toFile().length()).sum();
        }
        System.out.printf("gpu-pack.sh: %s; files alone %,d bytes%n", pack.out.trim().replace('\n', ';'), bytes);
        assertTrue(bytes <= Long.parseLong(total.group(1)), "the printed total counts every file (links as links)");
        assertTrue(Long.parseLong(total.group(1)) <= CARRY_BUDGET, "the carry is over 60 MiB: " + pack.out
                + " (make the image smaller or pass a smaller --train)");
        for (String f : List.of("mlp4j/bin/mlp4j", "opencl/libOpenCL.so.1", "gpu-check.sh", "mnist_mlp.py",
                "mnist/train-images-idx3-ubyte.gz", "mnist/train-labels-idx1-ubyte.gz",
                "mnist/t10k-images-idx3-ubyte.gz", "mnist/t10k-labels-idx1-ubyte.gz")) {
            assertTrue(Files.isRegularFile(tmp.resolve("pack").resolve(f)), f);
        }

        // From the carry, with relative paths: the script must make them absolute before using them.
        Run check = run(tmp, 150, "pack/gpu-check.sh", "pack/mlp4j", "out", "pack/mnist");
        String report = Files.readString(tmp.resolve("out/report.md"));
        System.out.printf("gpu-check.sh: exit %d in %.1f s: %s%n", check.exit, check.seconds, check.out.trim());
        assertEquals(0, check.exit, check.out + "\n" + report);
        assertTrue(check.seconds < 120, "took " + check.seconds + " s");
        boolean gpuHere = Files.exists(Path.of("/dev/nvidiactl"));
        assumeTrue(!gpuHere, "this machine has an NVIDIA GPU");
        assertTrue(report.indexOf("## Environment") < report.indexOf("## 1. Self-checks"), report);
        assertTrue(report.contains("**No NVIDIA GPU found**"), report);
        assertTrue(report.contains("selfcheck cpu: passed ("), report);
        assertTrue(report.contains("selfcheck cublas: unavailable: "), report);
        assertTrue(report.contains("a subset: 10,000 of MNIST's 60,000 training images"), report);
        assertTrue(report.contains("## Summary"), report);
        assertTrue(report.contains("Failed (0):"), report);
        assertTrue(Files.isRegularFile(tmp.resolve("out/steps/01-selfcheck_cublas.log")), "steps keep their logs");
    }

    @Test
    void packReplacesOnlyAnEarlierPack() throws Exception {
        Path mine = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(mine.resolve("notes.txt"), "keep me");
        Run r = run(tmp, 60, ROOT.resolve("scripts/gpu-pack.sh").toString(), "--image",
                Path.of(System.getProperty("mlp4j.image", "target/mlp4j")).toAbsolutePath().toString(), "mine");
        assertEquals(1, r.exit, r.out);
        assertTrue(r.out.contains("is not an earlier pack"), r.out);
        assertEquals("keep me", Files.readString(mine.resolve("notes.txt")));
    }

    @Test
    void withoutAnImageTheEnvironmentIsStillReported() throws Exception {
        Run check = run(tmp, 60, ROOT.resolve("scripts/gpu-check.sh").toString(), "no-such-image", "out");
        String report = Files.readString(tmp.resolve("out/report.md"));
        assertEquals(0, check.exit, check.out + "\n" + report);
        assertTrue(report.contains("## Environment"), report);
        assertTrue(report.contains("glibc"), report);
        assertTrue(report.contains("**No image at " + tmp.resolve("no-such-image")), report);
        assertTrue(report.contains("Missing or skipped"), report);
    }
}
