package io.mlp4j.demo;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Short runs of bench/serve-load.sh and bench/serve-soak.sh against the image, so that the scripts behind
 * BENCHMARKS.md and RELIABILITY.md keep working (the full runs are not CI's job).
 */
class ServeScriptsIT {

    private static Path root;
    private static Path image;

    @BeforeAll
    static void find() {
        image = Path.of(System.getProperty("mlp4j.image", "target/mlp4j")).toAbsolutePath();
        root = image.getParent().getParent().getParent(); // <repo>/demo/target/mlp4j
        boolean wrk = Files.isExecutable(Path.of("/usr/bin/wrk"));
        if (!wrk && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("CI needs wrk (apt), see .ci/run");
        }
        assumeTrue(wrk, "wrk is not installed (apt-get install wrk)");
    }

    @Test
    void loadScriptSmoke() throws Exception {
        Path out = image.getParent().resolve("serve-load-smoke.md");
        String log = run(List.of("bash", root.resolve("bench/serve-load.sh").toString(), "--smoke",
                "--image", image.toString(), "--out", out.toString()));
        String table = Files.readString(out);
        assertTrue(table.contains("| digit.png |") && table.contains("| pixels.json |"), table);
        assertTrue(table.contains("0 non-2xx met"), table + log);
    }

    @Test
    void soakScriptSmoke() throws Exception {
        String log = run(List.of("bash", root.resolve("bench/serve-soak.sh").toString(), "--smoke",
                "--image", image.toString()));
        assertTrue(log.contains("ok:     healthy at the end"), log);
        assertTrue(log.contains("ok:     no request hung"), log);
        assertTrue(log.contains("ok:     slow clients dropped, oversized bodies refused at once"), log);
        assertTrue(log.contains("ok:     no 5xx but 503"), log);
    }

    private static String run(List<String> cmd) throws Exception {
        Path log = Files.createTempFile("serve-script", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertTrue(p.waitFor(180, TimeUnit.SECONDS), "timed out: " + cmd);
            String text = Files.readString(log);
            assertEquals(0, p.exitValue(), text);
            return text;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
