package io.mlp4j.spark;

import io.mlp4j.Classifier;
import io.mlp4j.data.DataSet;
import io.mlp4j.picture.Pictures;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.apache.spark.ml.functions.array_to_vector;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The transformer predicts exactly what Classifier.predict does, on all 10,000 MNIST test images. */
class TransformerPredictionsTest {

    private static final int PARTITIONS = 8;

    private static Dataset<Row> testSet() {
        DataSet test = SparkTests.mnist().test();
        return DataSetFrames.of(SparkTests.spark(), test, test.size(), PARTITIONS);
    }

    private static MlpClassifierTransformer transformer(String input) {
        return new MlpClassifierTransformer().setModelPath(SparkTests.model()).setInputCol(input);
    }

    @Test
    void floatArraysGiveClassifierPredictionsAndProbabilities() {
        DataSet test = SparkTests.mnist().test();
        Classifier c = SparkTests.classifier();
        List<Row> rows = transformer("pixels").transform(testSet())
                .select("id", "prediction", "probability", "blank", "error").collectAsList();
        assertEquals(test.size(), rows.size());
        boolean[] seen = new boolean[test.size()];
        for (Row r : rows) {
            int i = (int) r.getLong(0);
            seen[i] = true;
            float[] x = test.imageAsFloats(i);
            assertEquals(c.predict(x), r.getInt(1), "image " + i);
            assertArrayEquals(toDoubles(c.probabilities(x)), ((Vector) r.get(2)).toArray(), "image " + i);
            assertFalse(r.getBoolean(3), "image " + i + " is not blank");
            assertNull(r.get(4));
        }
        for (int i = 0; i < seen.length; i++) {
            assertEquals(true, seen[i], "image " + i + " missing");
        }
    }

    @Test
    void intArraysAndVectorsGiveClassifierPredictions() {
        DataSet test = SparkTests.mnist().test();
        Classifier c = SparkTests.classifier();
        Dataset<Row> frame = testSet()
                .withColumn("uint8", expr("transform(pixels, p -> cast(round(p * 255) as int))"))
                .withColumn("vector", array_to_vector(col("pixels")));
        List<Row> ints = transformer("uint8").setProbabilityCol("").transform(frame)
                .select("id", "prediction").collectAsList();
        List<Row> vectors = transformer("vector").setProbabilityCol("").transform(frame)
                .select("id", "prediction").collectAsList();
        assertEquals(test.size(), ints.size());
        assertEquals(test.size(), vectors.size());
        for (Row r : ints) {
            int i = (int) r.getLong(0);
            assertEquals(c.predict(test.image(i)), r.getInt(1), "uint8 image " + i);
        }
        for (Row r : vectors) {
            int i = (int) r.getLong(0);
            assertEquals(c.predict(test.imageAsFloats(i)), r.getInt(1), "vector image " + i);
        }
    }

    @Test
    void pngFilesGiveClassifierPredictionsForPictures(@TempDir Path dir) throws IOException {
        DataSet test = SparkTests.mnist().test();
        Classifier c = SparkTests.classifier();
        for (int i = 0; i < test.size(); i++) {
            Files.write(dir.resolve(String.format("%05d.png", i)), SparkTests.png(SparkTests.picture(test.image(i))));
        }
        Dataset<Row> files = SparkTests.spark().read().format("binaryFile").load(dir.toString());
        List<Row> rows = transformer("content").transform(files)
                .select("path", "prediction", "probability", "blank", "error").collectAsList();
        assertEquals(test.size(), rows.size());
        for (Row r : rows) {
            Path file = Path.of(java.net.URI.create(r.getString(0)));
            assertNull(r.get(4), file.toString());
            var picture = ImageIO.read(file.toFile());
            assertEquals(c.predict(Pictures.input(picture)), r.getInt(1), file.toString());
            double[] p = ((Vector) r.get(2)).toArray();
            c.top(Pictures.input(picture), 10).forEach(pr -> assertEquals(pr.probability(), p[pr.index()], file.toString()));
            assertFalse(r.getBoolean(3), file + " is not blank");
        }
    }

    private static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
