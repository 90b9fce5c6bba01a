package io.mlp4j.spark;

import io.mlp4j.data.DataSet;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.Iterator;

/**
 * A labelled data set (e.g. MNIST's IDX files) as a DataFrame with columns {@code id} (long, the row number),
 * {@code label} (int) and {@code pixels} (array&lt;float&gt; in [0, 1], as {@code DataSet.imageAsFloats} gives
 * them). The pixels are
 * broadcast once and the rows are built inside the tasks, so the plan stays small (a DataFrame made from a
 * local list would carry every row into every task).
 */
public final class DataSetFrames {

    /** The frames' columns: {@code id} (long), {@code label} (int), {@code pixels} (array&lt;float&gt;); none null. */
    public static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.LongType, false)
            .add("label", DataTypes.IntegerType, false)
            .add("pixels", DataTypes.createArrayType(DataTypes.FloatType, false), false);

    private DataSetFrames() {
    }

    /**
     * {@code rows} rows over {@code partitions} partitions; row i is sample {@code i % data.size()}, so more rows
     * than samples repeat the set (for load tests).
     *
     * @param spark      the session that builds the frame
     * @param data       the samples, not empty; its pixels and labels are broadcast to the executors
     * @param rows       how many rows the frame has, at least 0
     * @param partitions how many partitions the rows are spread over, at least 1
     * @return a lazily computed frame with schema {@link #SCHEMA}
     * @throws IllegalArgumentException if {@code data} is empty, {@code rows} is negative or {@code partitions}
     *                                  is less than 1
     */
    public static Dataset<Row> of(SparkSession spark, DataSet data, long rows, int partitions) {
        if (data.size() == 0) {
            throw new IllegalArgumentException(data.name() + " is empty");
        }
        if (rows < 0 || partitions < 1) {
            throw new IllegalArgumentException("rows must be >= 0 and partitions >= 1, got " + rows + " and "
                    + partitions);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<byte[]> pixels = jsc.broadcast(data.pixels());
        Broadcast<byte[]> labels = jsc.broadcast(data.labels());
        int features = data.features();
        MapPartitionsFunction<Long, Row> build = ids -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return ids.hasNext();
            }

            @Override
            public Row next() {
                byte[] p = pixels.value();
                byte[] l = labels.value();
                long id = ids.next();
                int sample = (int) (id % l.length);
                float[] x = new float[features];
                for (int j = 0; j < features; j++) {
                    x[j] = (p[sample * features + j] & 0xFF) * (1f / 255f); // as DataSet.imageAsFloats
                }
                return RowFactory.create(id, l[sample] & 0xFF, x);
            }
        };
        return spark.range(0, rows, 1, partitions).mapPartitions(build, Encoders.row(SCHEMA));
    }
}
