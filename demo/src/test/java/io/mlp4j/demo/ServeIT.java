package io.mlp4j.demo;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bin/mlp4j serve} from the jlink image: starts, answers, and stops on SIGTERM. */
class ServeIT {

    @Test
    void servesFromTheImageAndStopsOnSigterm() throws Exception {
        Path image = Path.of(System.getProperty("mlp4j.image", "target/mlp4j")).toAbsolutePath();
        Path log = Files.createTempFile("mlp4j-serve", ".log");
        // destroy() closes the process' pipes: its output goes to a file instead
        Process p = new ProcessBuilder(image.resolve("bin/mlp4j").toString(), "serve", "--port", "0")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            String line = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (line == null && System.nanoTime() < deadline && p.isAlive()) {
                line = Files.readAllLines(log).stream().filter(l -> l.startsWith("serving ")).findFirst().orElse(null);
                Thread.sleep(50);
            }
            assertTrue(line != null, "no 'serving' line: " + Files.readString(log));
            assertTrue(line.matches("serving 784-256-10 at http://127\\.0\\.0\\.1:\\d+/ \\(\\d+ threads; Ctrl-C stops\\)"),
                    line);
            URI base = URI.create(line.substring(line.indexOf("http://"), line.indexOf("/ (") + 1));

            HttpURLConnection health = (HttpURLConnection) base.resolve("/health").toURL().openConnection();
            assertEquals(200, health.getResponseCode());
            assertEquals("{\"status\":\"ok\",\"network\":\"784-256-10\"}", read(health.getInputStream()));

            HttpURLConnection predict = (HttpURLConnection) base.resolve("/predict").toURL().openConnection();
            predict.setDoOutput(true);
            predict.setRequestProperty("Content-Type", "image/png");
            try (OutputStream o = predict.getOutputStream()) {
                javax.imageio.ImageIO.write(Digits.asIs(Cli.mnist().test(), 0), "png", o); // a 7
            }
            assertEquals(200, predict.getResponseCode());
            assertTrue(read(predict.getInputStream()).startsWith("{\"digit\":7,"));

            HttpURLConnection page = (HttpURLConnection) base.resolve("/").toURL().openConnection();
            assertEquals(200, page.getResponseCode());
            assertTrue(read(page.getInputStream()).contains("<canvas id=\"pad\""));

            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "stops");
            String rest = Files.readString(log);
            assertTrue(rest.contains("stopping: finishing requests in flight") && rest.contains("stopped"), rest);
            assertEquals(143, p.exitValue(), "128 + SIGTERM, after the shutdown hooks ran");
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }

    private static String read(InputStream in) throws java.io.IOException {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
