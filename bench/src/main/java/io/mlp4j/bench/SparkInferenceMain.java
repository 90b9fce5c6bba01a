package io.mlp4j.bench;

import io.mlp4j.Classifier;
import io.mlp4j.data.DataSet;
import io.mlp4j.data.Mnist;
import io.mlp4j.spark.DataSetFrames;
import io.mlp4j.spark.MlpClassifierTransformer;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import static org.apache.spark.ml.functions.array_to_vector;
import static org.apache.spark.sql.functions.col;

/**
 * Batch inference on Spark, images/s, every peer in the same run and interleaved: the mlp4j transformer (without
 * and with the probability column, and on a Vector column), Spark MLlib's
 * MultilayerPerceptronClassificationModel [784, 256, 10], a UDF that only sums each row's 784 floats (Spark's own
 * per-row cost, a ceiling; also over the Vector column), and
 * {@code Classifier.predict(float[][])} without Spark on one thread and on every core. Inputs are MNIST's test
 * images repeated, cached in memory before timing (pixels as array&lt;float&gt;; for MLlib as a Vector); each Spark peer is timed to completion through the {@code noop} sink.
 *
 * <p>Run by bench/spark-compare.sh: {@code SparkInferenceMain MASTER ROWS[,ROWS] PARTITIONS[,P] REPEATS DATA}.
 */
public final class SparkInferenceMain {

    private SparkInferenceMain() {
    }

    public static void main(String[] args) throws Exception {
        String master = args[0];
        long[] sizes = Arrays.stream(args[1].split(",")).mapToLong(Long::parseLong).toArray();
        int[] partitionCounts = Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray();
        int repeats = Integer.parseInt(args[3]);
        DataSet test = Mnist.load(Path.of(args[4])).test();

        SparkSession spark = SparkSession.builder().master(master).appName("mlp4j spark bench")
                .config("spark.ui.enabled", false).config("spark.ui.showConsoleProgress", false).getOrCreate();
        Path dir = Files.createTempDirectory("mlp4j-spark-bench");
        Path modelFile = dir.resolve("model.safetensors");
        Classifier classifier = Classifier.pretrained();
        classifier.save(modelFile);
        MultilayerPerceptronClassificationModel mllib = mllibModel(spark, test);

        UserDefinedFunction sum = org.apache.spark.sql.functions.udf((UDF1<scala.collection.Seq<Float>, Float>) s -> {
            float total = 0;
            for (int i = 0, n = s.length(); i < n; i++) {
                total += s.apply(i);
            }
            return total;
        }, DataTypes.FloatType);

        UserDefinedFunction sumVector = org.apache.spark.sql.functions.udf(
                (UDF1<org.apache.spark.ml.linalg.Vector, Double>) v -> {
                    double total = 0;
                    for (double x : v.toArray()) {
                        total += x;
                    }
                    return total;
                }, DataTypes.DoubleType);

        System.out.printf(Locale.ROOT, "# %s, JDK %s, %d cores, Spark %s, %d repeats%n", master,
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), spark.version(),
                repeats);
        System.out.println("| rows | partitions | implementation, input | images/s (median) | min..max | vs MLlib | vs sum-UDF on the same input |");
        System.out.println("|---:|---:|---|---:|---|---:|---:|");
        for (long rows : sizes) {
            for (int partitions : partitionCounts) {
                // Each peer reads a frame with only its own input column besides id and label.
                Dataset<Row> input = DataSetFrames.of(spark, test, rows, partitions).cache();
                Dataset<Row> vectors = input.select(col("id"), col("label"),
                        array_to_vector(col("pixels")).as("features")).cache();
                input.count();
                vectors.count();
                float[][] plain = new float[(int) rows][];
                for (int i = 0; i < rows; i++) {
                    plain[i] = test.imageAsFloats(i % test.size());
                }
                Map<String, Supplier<Long>> peers = new LinkedHashMap<>();
                peers.put("mlp4j transformer, array<float>", () -> time(new MlpClassifierTransformer().setModelPath(modelFile.toString())
                        .setInputCol("pixels").setProbabilityCol("").transform(input)));
                peers.put("mlp4j transformer + probability, array<float>", () -> time(new MlpClassifierTransformer()
                        .setModelPath(modelFile.toString()).setInputCol("pixels").transform(input)));
                peers.put("mlp4j transformer, Vector", () -> time(new MlpClassifierTransformer()
                        .setModelPath(modelFile.toString()).setInputCol("features").setProbabilityCol("")
                        .transform(vectors)));
                peers.put("MLlib MLP model [784,256,10], Vector", () -> time(mllib.transform(vectors)));
                peers.put("sum-UDF, array<float>", () -> time(input.withColumn("sum", sum.apply(col("pixels")))));
                peers.put("sum-UDF, Vector", () -> time(vectors.withColumn("sum",
                        sumVector.apply(col("features")))));
                for (int threads : new int[]{1, Runtime.getRuntime().availableProcessors()}) {
                    Classifier c = classifier.withThreads(threads);
                    peers.put("Classifier.predict(float[][]), " + threads + " thread(s), no Spark, float[]", () -> {
                        long t0 = System.nanoTime();
                        if (c.predict(plain).length != rows) {
                            throw new AssertionError();
                        }
                        return System.nanoTime() - t0;
                    });
                }
                Map<String, List<Double>> rates = new LinkedHashMap<>();
                peers.keySet().forEach(k -> rates.put(k, new ArrayList<>()));
                peers.values().forEach(Supplier::get); // warm-up: JIT, the executor's model cache
                for (int r = 0; r < repeats; r++) {
                    for (var e : peers.entrySet()) {
                        rates.get(e.getKey()).add(rows / (e.getValue().get() / 1e9));
                    }
                }
                double mllibRate = median(rates.get("MLlib MLP model [784,256,10], Vector"));
                double udfArray = median(rates.get("sum-UDF, array<float>"));
                double udfVector = median(rates.get("sum-UDF, Vector"));
                for (var e : rates.entrySet()) {
                    double m = median(e.getValue());
                    System.out.printf(Locale.ROOT, "| %,d | %d | %s | %,.0f | %,.0f..%,.0f | %.2fx | %.2fx |%n", rows,
                            partitions, e.getKey(), m, min(e.getValue()), max(e.getValue()), m / mllibRate,
                            m / (e.getKey().endsWith("Vector") ? udfVector : udfArray));
                }
                input.unpersist(true);
                vectors.unpersist(true);
            }
        }
        spark.stop();
    }

    /** MLlib's model with the same layer sizes, fitted for one iteration on 1,000 images (speed, not accuracy). */
    private static MultilayerPerceptronClassificationModel mllibModel(SparkSession spark, DataSet test) {
        Dataset<Row> train = DataSetFrames.of(spark, test, 1_000, 2)
                .withColumn("features", array_to_vector(col("pixels")))
                .withColumn("label", col("label").cast("double"));
        return new MultilayerPerceptronClassifier().setLayers(new int[]{784, 256, 10}).setMaxIter(1).setSeed(42)
                .fit(train);
    }

    private static long time(Dataset<Row> result) {
        long t0 = System.nanoTime();
        result.write().format("noop").mode("overwrite").save();
        return System.nanoTime() - t0;
    }

    private static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    private static double max(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
}
