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
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code bin/mlp4j selfcheck} in the image: cpu and aparapi (PoCL) pass, cublas without a GPU says why. */
class SelfCheckIT {

    private static Path image;

    @TempDir
    Path tmp;

    record Run(int exit, List<String> out, List<String> err, double seconds) {
    }

    @BeforeAll
    static void findImage() {
        image = Path.of(System.getProperty("mlp4j.image", "target/mlp4j")).toAbsolutePath();
        assertTrue(Files.isExecutable(image.resolve("bin/mlp4j")), "no image at " + image);
    }

    private Run selfcheck(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(image.resolve("bin/mlp4j").toString(), "selfcheck"));
        cmd.addAll(Arrays.asList(args));
        Path out = tmp.resolve("stdout");
        Path err = tmp.resolve("stderr");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "timed out: " + cmd);
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Run(p.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8),
                Files.readAllLines(err, StandardCharsets.UTF_8), seconds);
    }

    private static String last(Run r) {
        return r.out.isEmpty() ? "" : r.out.get(r.out.size() - 1);
    }

    @Test
    void cpuPassesWithALinePerOperation() throws Exception {
        Run r = selfcheck("--backend", "cpu", "--quick");
        assertEquals(0, r.exit, r.out + "\n" + r.err);
        assertEquals("selfcheck cpu: passed (29 checks)", last(r), r.out.toString());
        for (String op : List.of("gather", "linearForward+relu", "linearBackward+relu+dx", "softmaxCrossEntropy",
                "sgdUpdate", "training 20 steps")) {
            assertTrue(r.out.stream().anyMatch(l -> l.startsWith(op) && l.contains("max abs err")
                    && l.contains("max rel err") && l.contains(" ms ") && l.endsWith("ok")), op + ": " + r.out);
        }
        assertTrue(r.out.stream().anyMatch(l -> l.contains("127x785x33")), r.out.toString());
    }

    @Test
    void aparapiPassesOnPocl() throws Exception {
        Run r = selfcheck("--backend", "aparapi", "--quick");
        if (r.exit == 2) {
            if ("true".equals(System.getenv("MLP4J_REQUIRE_OPENCL"))) {
                fail("OpenCL is required here but: " + r.out);
            }
            assumeTrue(false, "no OpenCL device: " + r.out);
        }
        assertEquals(0, r.exit, r.out + "\n" + r.err);
        assertEquals("selfcheck aparapi: passed (29 checks)", last(r), r.out.toString());
    }

    @Test
    void cublasWithoutADriverSaysWhyInOneLine() throws Exception {
        assumeTrue(!Files.exists(Path.of("/dev/nvidiactl")), "an NVIDIA driver is here");
        Run r = selfcheck("--backend", "cublas");
        System.out.printf("selfcheck --backend cublas: exit %d in %.2f s: %s%n", r.exit, r.seconds, r.out);
        assertEquals(2, r.exit, r.out + "\n" + r.err);
        assertEquals(1, r.out.size(), r.out.toString());
        assertTrue(last(r).startsWith("selfcheck cublas: unavailable: "), last(r));
        assertTrue(last(r).contains("driver") || last(r).contains("libcuda"), last(r));
        assertTrue(r.seconds < 2, "took " + r.seconds + " s");
    }
}
