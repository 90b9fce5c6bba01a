package io.mlp4j.spark;

import io.mlp4j.Classifier;
import io.mlp4j.data.DataSet;
import io.mlp4j.picture.Pictures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** spark/run-predict.sh end to end, as a user runs it: the built jars, a new JVM, local[2], a folder of PNGs. */
class RunPredictScriptIT {

    @Test
    void classifiesAFolderOfPngsIntoCsv(@TempDir Path dir) throws IOException, InterruptedException {
        DataSet test = SparkTests.mnist().test();
        Classifier c = SparkTests.classifier();
        Path pictures = Files.createDirectory(dir.resolve("scans"));
        int n = 100;
        for (int i = 0; i < n; i++) {
            Files.write(pictures.resolve(String.format("%03d.png", i)), SparkTests.png(SparkTests.picture(test.image(i))));
        }
        Files.writeString(pictures.resolve("torn.png"), "not a picture");
        Path model = dir.resolve("model.safetensors");
        c.save(model);
        Path out = dir.resolve("out");

        Path script = Path.of(System.getProperty("user.dir"), "spark", "run-predict.sh");
        Process p = new ProcessBuilder(script.toString(), "--images", pictures + "/*.png", "--model", model.toString(),
                "--out", out.toString(), "--master", "local[2]")
                .redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile()).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "finishes");
        String log = Files.readString(dir.resolve("log.txt"));
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.matches("(?s).*images: 101 \\(predicted 100, blank 0, errors 1\\) in [0-9.]+ s, [0-9,]+"
                + " images/s\n.*"), log);
        assertTrue(log.contains("wrote " + out + " (CSV: path,digit,probability,blank,error)"), log);

        List<String> rows = new ArrayList<>();
        try (Stream<Path> parts = Files.list(out)) {
            for (Path part : parts.filter(f -> f.toString().endsWith(".csv")).sorted().toList()) {
                List<String> lines = Files.readAllLines(part);
                rows.addAll(lines.subList(1, lines.size()));
            }
        }
        assertEquals(n + 1, rows.size());
        for (int i = 0; i < n; i++) {
            String[] f = rows.get(i).split(",", -1);
            assertEquals(String.valueOf(c.predict(Pictures.input(SparkTests.picture(test.image(i))))), f[1], rows.get(i));
        }
        assertTrue(rows.get(n).contains("torn.png,,,,"), rows.get(n));

        Process again = new ProcessBuilder(script.toString(), "--images", pictures + "/*.png", "--model",
                dir.resolve("missing.safetensors").toString(), "--out", dir.resolve("out2").toString(),
                "--master", "local[1]").redirectErrorStream(true).start();
        String message = new String(again.getInputStream().readAllBytes());
        assertTrue(again.waitFor(5, TimeUnit.MINUTES));
        assertEquals(1, again.exitValue(), message);
        assertTrue(message.contains("mlp4j-spark: model file " + dir.resolve("missing.safetensors")
                + " does not exist"), message);
    }
}
