package io.mlp4j.spark;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.array_max;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * Classifies every picture a glob matches and writes CSV ({@code path,digit,probability,blank,error}, one row per
 * picture, sorted by path) into a new directory. Run by {@code spark/run-predict.sh} or spark-submit.
 */
public final class PredictJob {

    static final String USAGE = "usage: run-predict.sh --images GLOB --model FILE --out DIR [--master URL]"
            + " [--batch N]";

    /**
     * What a run did.
     *
     * @param images    the pictures read (rows written)
     * @param predicted the pictures given a digit
     * @param blank     the pictures with no ink at all
     * @param errors    the pictures that could not be classified (their CSV row holds the reason)
     * @param seconds   the wall-clock seconds of the whole run, listing the files and writing the CSV included
     */
    public record Summary(long images, long predicted, long blank, long errors, double seconds) {

        /**
         * The throughput of the run.
         *
         * @return {@link #images()} over {@link #seconds()}
         */
        public double imagesPerSecond() {
            return images / Math.max(seconds, 1e-9);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "images: %,d (predicted %,d, blank %,d, errors %,d) in %.2f s, %,.0f"
                    + " images/s", images, predicted, blank, errors, seconds, imagesPerSecond());
        }
    }

    private PredictJob() {
    }

    /**
     * Runs the job and prints its {@link Summary}; exits with status 2 on bad arguments (after the usage) and 1
     * when the pictures, model or output directory are rejected.
     *
     * @param args {@code --images GLOB --model FILE --out DIR}, and optional {@code --master URL} and
     *             {@code --batch N} (rows classified together, default 256)
     */
    public static void main(String[] args) {
        JobArgs a;
        try {
            a = new JobArgs(args, Map.of("--images", 1, "--model", 1, "--out", 1, "--master", 1, "--batch", 1));
            a.required("--images");
            a.required("--model");
            a.required("--out");
        } catch (IllegalArgumentException e) {
            System.err.println("mlp4j-spark: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        SparkSession spark = Sessions.start("mlp4j predict", a.get("--master", null));
        try {
            Summary s = run(spark, a.required("--images"), a.required("--model"), a.required("--out"),
                    a.positiveInt("--batch", 256));
            System.out.println(s);
            System.out.println("wrote " + a.required("--out") + " (CSV: path,digit,probability,blank,error)");
        } catch (IllegalArgumentException e) {
            System.err.println("mlp4j-spark: " + e.getMessage());
            spark.stop();
            System.exit(1);
        }
        spark.stop();
    }

    /**
     * The files a glob matches, as Spark's {@code binaryFile} source reads them. Spark expands a glob into one
     * root path per file and, past 32 of them, lists those with a Spark job of its own (12.7 s of a 22.7 s run
     * over 2,000 PNGs here); a glob in the file name only is read as its folder with a file-name filter instead.
     */
    static Dataset<Row> pictures(SparkSession spark, String glob) {
        int slash = glob.lastIndexOf('/');
        String folder = slash < 0 ? "." : glob.substring(0, slash + 1);
        String name = glob.substring(slash + 1);
        if (isGlob(name) && !isGlob(folder)) {
            return spark.read().format("binaryFile").option("pathGlobFilter", name).load(folder);
        }
        return spark.read().format("binaryFile").load(glob);
    }

    private static boolean isGlob(String path) {
        return path.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    /**
     * Classifies the pictures and writes the CSV directory; fails before any work if {@code out} exists.
     *
     * @param spark  the session that runs the job
     * @param images a glob of picture files (PNG, JPEG, ...), any path Hadoop's FileSystem reads
     * @param model  the model file (safetensors), any path Hadoop's FileSystem reads
     * @param out    the directory the CSV is written to; it must not exist yet
     * @param batch  rows classified together, at least 1
     * @return the counts and time of the run
     * @throws IllegalArgumentException if {@code out} exists or cannot be checked, nothing matches
     *                                  {@code images}, {@code batch} is less than 1, or the model is rejected
     */
    public static Summary run(SparkSession spark, String images, String model, String out, int batch) {
        long start = System.nanoTime();
        Path outPath = new Path(out);
        try {
            if (outPath.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(outPath)) {
                throw new IllegalArgumentException("output " + out + " already exists; name a new directory");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("output " + out + " cannot be checked: " + e.getMessage(), e);
        }
        Dataset<Row> files;
        try {
            files = pictures(spark, images);
        } catch (Exception e) { // Spark's AnalysisException (checked, though undeclared): nothing matches
            throw new IllegalArgumentException("no pictures at " + images + ": " + e.getMessage(), e);
        }
        MlpClassifierTransformer classify = new MlpClassifierTransformer()
                .setModelPath(model).setInputCol("content").setBatchSize(batch);
        Dataset<Row> result = classify.transform(files)
                .select(col("path"), col("prediction").as("digit"),
                        when(col("probability").isNotNull(),
                                array_max(vector_to_array(col("probability"), "float64"))).as("probability"),
                        col("blank"), col("error"))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            result.orderBy("path").write().option("header", true).csv(out);
            Row c = result.agg(count(lit(1)), count(col("digit")), sum(when(col("blank"), 1).otherwise(0)),
                    count(col("error"))).first();
            return new Summary(c.getLong(0), c.getLong(1), c.isNullAt(2) ? 0 : c.getLong(2), c.getLong(3),
                    (System.nanoTime() - start) / 1e9);
        } finally {
            result.unpersist();
        }
    }
}
