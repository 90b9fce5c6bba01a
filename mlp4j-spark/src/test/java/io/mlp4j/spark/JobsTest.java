package io.mlp4j.spark;

import io.mlp4j.Classifier;
import io.mlp4j.data.DataSet;
import io.mlp4j.data.Mnist;
import io.mlp4j.picture.Pictures;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The predict and evaluate jobs, in this JVM's session (spark/run-predict.sh itself: RunPredictScriptIT). */
class JobsTest {

    @Test
    void evaluationOverIdxAndParquetAgreesWithClassifierEvaluate(@TempDir Path dir) {
        DataSet test = SparkTests.mnist().test();
        Classifier c = SparkTests.classifier();
        double expected = c.evaluate(test).accuracy();
        Path data = SparkTests.dataDir();
        Dataset<Row> idx = EvaluateJob.idx(SparkTests.spark(), data.resolve(Mnist.TEST_IMAGES).toString(),
                data.resolve(Mnist.TEST_LABELS).toString(), 4);
        EvaluateJob.Result r = EvaluateJob.run(idx, "pixels", "label", SparkTests.model(), System.nanoTime());
        assertEquals(test.size(), r.total());
        assertEquals(0, r.errors());
        assertEquals(expected, r.accuracy(), 1e-12);
        long[] perLabel = new long[10];
        for (int i = 0; i < test.size(); i++) {
            perLabel[test.label(i)]++;
        }
        for (int label = 0; label < 10; label++) {
            long n = 0;
            for (long v : r.confusion()[label]) {
                n += v;
            }
            assertEquals(perLabel[label], n, "row " + label + " of the confusion matrix");
        }
        assertTrue(r.toString().startsWith(String.format(java.util.Locale.ROOT,
                "accuracy: %.4f (%,d of 10,000 correct, 0 errors)", expected, r.correct())), r.toString());

        String parquet = dir.resolve("test.parquet").toString();
        idx.write().parquet(parquet);
        EvaluateJob.Result fromParquet = EvaluateJob.run(SparkTests.spark().read().parquet(parquet), "pixels",
                "label", SparkTests.model(), System.nanoTime());
        for (int label = 0; label < 10; label++) {
            assertEquals(java.util.Arrays.toString(r.confusion()[label]),
                    java.util.Arrays.toString(fromParquet.confusion()[label]));
        }
    }

    @Test
    void predictWritesOneCsvRowPerPictureAndCounts(@TempDir Path dir) throws IOException {
        DataSet test = SparkTests.mnist().test();
        Classifier c = SparkTests.classifier();
        Path pictures = Files.createDirectory(dir.resolve("pictures"));
        int n = 40;
        for (int i = 0; i < n; i++) {
            Files.write(pictures.resolve(String.format("%02d.png", i)), SparkTests.png(SparkTests.picture(test.image(i))));
        }
        Files.write(pictures.resolve("blank.png"), SparkTests.png(SparkTests.picture(new byte[784])));
        Files.writeString(pictures.resolve("notes.png"), "not a picture");
        Files.writeString(pictures.resolve("skip.txt"), "not matched by the glob");
        String out = dir.resolve("out").toString();

        PredictJob.Summary s = PredictJob.run(SparkTests.spark(), pictures + "/*.png", SparkTests.model(), out, 16);
        assertEquals(n + 2, s.images());
        assertEquals(n + 1, s.predicted());
        assertEquals(1, s.blank());
        assertEquals(1, s.errors());

        List<String> lines = new ArrayList<>();
        try (Stream<Path> parts = Files.list(Path.of(out))) {
            for (Path part : parts.filter(p -> p.getFileName().toString().endsWith(".csv")).sorted().toList()) {
                List<String> l = Files.readAllLines(part);
                assertEquals("path,digit,probability,blank,error", l.get(0));
                lines.addAll(l.subList(1, l.size()));
            }
        }
        assertEquals(n + 2, lines.size());
        for (int i = 0; i < n; i++) {
            String[] f = lines.get(i).split(",", -1);
            assertTrue(f[0].endsWith(String.format("/%02d.png", i)), "sorted by path: " + f[0]);
            var picture = SparkTests.picture(test.image(i));
            assertEquals(c.predict(Pictures.input(picture)), Integer.parseInt(f[1]), f[0]);
            assertEquals(c.top(Pictures.input(picture), 1).get(0).probability(), Double.parseDouble(f[2]), 1e-12, f[0]);
            assertEquals("false", f[3]);
            assertEquals("", f[4]);
        }
        assertTrue(lines.get(n).matches(".*/blank.png,\\d,[0-9.E-]+,true,"), lines.get(n));
        assertTrue(lines.get(n + 1).matches(".*/notes.png,,,,\"?picture of 13 bytes: not a picture in a format ImageIO reads.*"),
                lines.get(n + 1));

        var e = assertThrows(IllegalArgumentException.class,
                () -> PredictJob.run(SparkTests.spark(), pictures + "/*.png", SparkTests.model(), out, 16));
        assertEquals("output " + out + " already exists; name a new directory", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PredictJob.run(SparkTests.spark(),
                dir.resolve("nowhere") + "/*.png", SparkTests.model(), dir.resolve("out2").toString(), 16));
        assertTrue(e.getMessage().startsWith("no pictures at " + dir.resolve("nowhere")), e.getMessage());
        assertFalse(Files.exists(dir.resolve("out2")));
    }
}
