package io.mlp4j.spark;

import io.mlp4j.data.DataSet;
import io.mlp4j.data.Idx;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * Accuracy and confusion matrix of a model over labelled data, computed by Spark: IDX files (read on the driver
 * through Hadoop's FileSystem, the rows built in the tasks) or Parquet (read in parallel; a pixel column of any
 * type the transformer accepts, an integer label column). Run by {@code spark/run-evaluate.sh} or spark-submit.
 */
public final class EvaluateJob {

    static final String USAGE = "usage: run-evaluate.sh (--idx IMAGES LABELS | --parquet PATH [--pixels-col pixels]"
            + " [--label-col label]) --model FILE [--master URL] [--partitions N]";

    /** IDX files are read whole on the driver: MNIST-sized sets (EMNIST's largest is 0.7 GB unpacked). */
    private static final long MAX_IDX_BYTES = 1L << 30;

    /**
     * The result: {@code confusion[label][prediction]} counts; rows with an error are counted apart.
     *
     * @param confusion row counts by true label (first index) and predicted class (second), square over the
     *                  model's classes
     * @param errors    the rows that could not be classified (see {@link MlpClassifierTransformer})
     * @param seconds   the wall-clock seconds from the start given to {@link EvaluateJob#run} until the counts
     *                  were collected
     */
    public record Result(long[][] confusion, long errors, double seconds) {

        /**
         * All the rows evaluated.
         *
         * @return the rows counted in the confusion matrix plus those with an error
         */
        public long total() {
            long n = errors;
            for (long[] row : confusion) {
                for (long v : row) {
                    n += v;
                }
            }
            return n;
        }

        /**
         * The rows whose prediction equals their label.
         *
         * @return the sum of the confusion matrix's diagonal
         */
        public long correct() {
            long n = 0;
            for (int i = 0; i < confusion.length; i++) {
                n += confusion[i][i];
            }
            return n;
        }

        /**
         * Correct predictions over all rows (a row with an error counts as wrong).
         *
         * @return {@link #correct()} over {@link #total()}, in [0, 1]; 0 when there are no rows
         */
        public double accuracy() {
            return (double) correct() / Math.max(1, total());
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                    "accuracy: %.4f (%,d of %,d correct, %,d errors) in %.2f s%n"
                            + "confusion matrix (rows: true label, columns: prediction):%n      ",
                    accuracy(), correct(), total(), errors, seconds));
            for (int j = 0; j < confusion.length; j++) {
                s.append(String.format(Locale.ROOT, "%6d", j));
            }
            for (int i = 0; i < confusion.length; i++) {
                s.append(String.format(Locale.ROOT, "%n%6d", i));
                for (long v : confusion[i]) {
                    s.append(String.format(Locale.ROOT, "%6d", v));
                }
            }
            return s.toString();
        }
    }

    private EvaluateJob() {
    }

    /**
     * Runs the evaluation and prints the {@link Result}; exits with status 2 on bad arguments (after the usage) and
     * 1 when the input or model is rejected.
     *
     * @param args {@code --idx IMAGES LABELS} or {@code --parquet PATH} (with optional {@code --pixels-col},
     *             default {@code pixels}, and {@code --label-col}, default {@code label}), {@code --model FILE},
     *             and optional {@code --master URL} and {@code --partitions N} (IDX input only; default: Spark's
     *             default parallelism)
     */
    public static void main(String[] args) {
        JobArgs a;
        try {
            a = new JobArgs(args, Map.of("--idx", 2, "--parquet", 1, "--pixels-col", 1, "--label-col", 1,
                    "--model", 1, "--master", 1, "--partitions", 1));
            a.required("--model");
            if (a.has("--idx") == a.has("--parquet")) {
                throw new IllegalArgumentException("give either --idx IMAGES LABELS or --parquet PATH");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("mlp4j-spark: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        SparkSession spark = Sessions.start("mlp4j evaluate", a.get("--master", null));
        try {
            long start = System.nanoTime();
            Dataset<Row> data = a.has("--idx")
                    ? idx(spark, a.all("--idx").get(0), a.all("--idx").get(1),
                    a.positiveInt("--partitions", spark.sparkContext().defaultParallelism()))
                    : spark.read().parquet(a.required("--parquet"));
            System.out.println(run(data, a.get("--pixels-col", "pixels"), a.get("--label-col", "label"),
                    a.required("--model"), start));
        } catch (IllegalArgumentException e) {
            System.err.println("mlp4j-spark: " + e.getMessage());
            spark.stop();
            System.exit(1);
        }
        spark.stop();
    }

    /**
     * An IDX image file and label file (gzipped or raw) as a DataFrame of {@link DataSetFrames}' shape. Both are
     * read whole on the driver; a path with a scheme (hdfs://, s3a://, ...) is first copied through Hadoop's
     * FileSystem to a temporary file (at most 1 GiB), deleted afterwards.
     *
     * @param spark      the session that builds the frame
     * @param images     the IDX image file: a local path or any URI Hadoop's FileSystem reads
     * @param labels     the IDX label file, the same way
     * @param partitions how many partitions the rows are spread over, at least 1
     * @return one row per sample, with schema {@link DataSetFrames#SCHEMA}
     * @throws IllegalArgumentException if a file cannot be read or copied, or is not valid IDX
     */
    public static Dataset<Row> idx(SparkSession spark, String images, String labels, int partitions) {
        var conf = spark.sparkContext().hadoopConfiguration();
        java.nio.file.Path img = null;
        java.nio.file.Path lab = null;
        try {
            img = local(images) ? java.nio.file.Path.of(images)
                    : HadoopFiles.toLocalTemp(images, conf, MAX_IDX_BYTES, "IDX image file");
            lab = local(labels) ? java.nio.file.Path.of(labels)
                    : HadoopFiles.toLocalTemp(labels, conf, MAX_IDX_BYTES, "IDX label file");
            DataSet data = Idx.readDataSet(images, img, lab);
            return DataSetFrames.of(spark, data, data.size(), partitions);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } finally {
            if (!local(images)) {
                deleteQuietly(img);
            }
            if (!local(labels)) {
                deleteQuietly(lab);
            }
        }
    }

    /** A path on this machine's file system (read directly, so that messages name it). */
    private static boolean local(String path) {
        return !path.contains(":/");
    }

    /**
     * Classifies {@code data} and counts (label, prediction) pairs with Spark.
     *
     * @param data       the labelled rows
     * @param pixelsCol  the input column, of any type {@link MlpClassifierTransformer} accepts
     * @param labelCol   the label column, cast to int; every label must be a class index of the model
     * @param model      the model file (safetensors), any path Hadoop's FileSystem reads
     * @param startNanos the {@link System#nanoTime()} the run started at, for {@link Result#seconds()}
     * @return the confusion matrix, the rows that could not be classified and the time taken
     * @throws IllegalArgumentException if the label column is missing, a label is outside the model's classes,
     *                                  or the model or input column is rejected
     */
    public static Result run(Dataset<Row> data, String pixelsCol, String labelCol, String model, long startNanos) {
        if (!List.of(data.columns()).contains(labelCol)) {
            throw new IllegalArgumentException("label column '" + labelCol + "' not found; the columns are "
                    + String.join(", ", data.columns()));
        }
        MlpClassifierTransformer classify = new MlpClassifierTransformer().setModelPath(model)
                .setInputCol(pixelsCol).setProbabilityCol("");
        ModelSource source = ModelSource.read(model, data.sparkSession().sparkContext().hadoopConfiguration());
        int classes = source.classifier().labels().size();
        List<Row> counts = classify.transform(data.withColumn(labelCol, col(labelCol).cast("int")), source)
                .groupBy(col(labelCol), col("prediction")).count().collectAsList();
        long[][] confusion = new long[classes][classes];
        long errors = 0;
        for (Row r : counts) {
            if (r.isNullAt(1)) {
                errors += r.getLong(2);
                continue;
            }
            if (r.isNullAt(0) || r.getInt(0) < 0 || r.getInt(0) >= classes) {
                throw new IllegalArgumentException(r.getLong(2) + " rows have label " + (r.isNullAt(0) ? "null"
                        : r.getInt(0)) + ", outside the model's " + classes + " classes");
            }
            confusion[r.getInt(0)][r.getInt(1)] += r.getLong(2);
        }
        return new Result(confusion, errors, (System.nanoTime() - startNanos) / 1e9);
    }

    private static void deleteQuietly(java.nio.file.Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
