package io.mlp4j.spark;

import io.mlp4j.data.DataSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The model is loaded once per JVM and shared by every partition, task and thread, across jobs too. */
class LoadOnceTest {

    @Test
    void oneLoadServesSixteenPartitionsOnTwoThreadsAndASecondJob() {
        DataSet test = SparkTests.mnist().test();
        int partitions = 16;
        Dataset<Row> frame = DataSetFrames.of(SparkTests.spark(), test, 2_000, partitions);
        MlpClassifierTransformer t = new MlpClassifierTransformer().setModelPath(SparkTests.model())
                .setInputCol("pixels").setProbabilityCol("");
        ExecutorModels.clear();
        long loads = ExecutorModels.loads();
        long lookups = ExecutorModels.lookups();

        assertEquals(2_000, t.transform(frame).select("prediction").collectAsList().size());
        assertEquals(partitions, ExecutorModels.lookups() - lookups, "every partition looked the model up");
        assertEquals(1, ExecutorModels.loads() - loads, "and one load served them all");

        assertEquals(2_000, t.transform(frame).select("prediction").collectAsList().size());
        assertEquals(2L * partitions, ExecutorModels.lookups() - lookups);
        assertEquals(1, ExecutorModels.loads() - loads, "a second job with the same model loads nothing");
    }
}
