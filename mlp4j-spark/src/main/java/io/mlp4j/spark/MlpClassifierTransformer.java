package io.mlp4j.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

import java.util.Arrays;

/**
 * Classifies every row of a DataFrame with an mlp4j model: a Spark ML {@link Transformer} for batch inference.
 *
 * <p>The input column holds a picture file's bytes ({@code binary}, as Spark's {@code binaryFile} source reads
 * them; made into inputs by {@code io.mlp4j.picture.Pictures}, as {@code mlp4j predict} does), pixels in [0, 1]
 * ({@code array<float>} or an ML {@code Vector}) or uint8 pixels ({@code array<int>}). Added columns: {@code prediction} (int, the class
 * index), {@code probability} (an ML Vector over the classes; set the column name to "" to skip computing it),
 * {@code blank} (boolean: no ink at all) and {@code error} (string). A row that cannot be classified (an
 * undecodable picture, a wrong number of pixels, a pixel out of range) gets a null prediction and the reason in
 * {@code error}, is counted in {@link #badRows()}, and the job goes on.
 *
 * <p>The model file (any path Hadoop's FileSystem reads: local, hdfs://, s3a://) is read and checked on the
 * driver when {@link #transform} is called, so a bad path fails there at once; its bytes are broadcast once, and
 * each executor JVM loads one classifier that all its tasks share.
 */
public final class MlpClassifierTransformer extends Transformer {

    private static final long serialVersionUID = 1L;

    /** @serial this stage's unique id in a pipeline */
    private final String uid;
    /** @serial see {@link #modelPath()} */
    private final Param<String> modelPath;
    /** @serial see {@link #inputCol()} */
    private final Param<String> inputCol;
    /** @serial see {@link #predictionCol()} */
    private final Param<String> predictionCol;
    /** @serial see {@link #probabilityCol()} */
    private final Param<String> probabilityCol;
    /** @serial see {@link #blankCol()} */
    private final Param<String> blankCol;
    /** @serial see {@link #errorCol()} */
    private final Param<String> errorCol;
    /** @serial see {@link #batchSize()} */
    private final IntParam batchSize;
    private transient LongAccumulator badRows;

    /** A transformer with a random uid and every parameter at its default; set the model with {@link #setModelPath}. */
    public MlpClassifierTransformer() {
        this(Identifiable$.MODULE$.randomUID("mlp4j"));
    }

    /**
     * A transformer with the given uid and every parameter at its default; Spark's copy() recreates stages through
     * this constructor.
     *
     * @param uid the stage's unique id in a pipeline
     */
    public MlpClassifierTransformer(String uid) {
        this.uid = uid;
        modelPath = new Param<>(this, "modelPath", "the model file (safetensors), any path Hadoop's FileSystem reads");
        inputCol = new Param<>(this, "inputCol", "input column: binary picture, array<float>, array<int> or Vector");
        predictionCol = new Param<>(this, "predictionCol", "output column: the predicted class index (int)");
        probabilityCol = new Param<>(this, "probabilityCol",
                "output column: class probabilities (Vector); empty to skip computing them");
        blankCol = new Param<>(this, "blankCol", "output column: true when the input holds no ink (boolean)");
        errorCol = new Param<>(this, "errorCol", "output column: why a row could not be classified (string)");
        batchSize = new IntParam(this, "batchSize", "rows classified together (at least 1)");
        setDefault(inputCol, "features");
        setDefault(predictionCol, "prediction");
        setDefault(probabilityCol, "probability");
        setDefault(blankCol, "blank");
        setDefault(errorCol, "error");
        setDefault(batchSize, 256);
    }

    @Override
    public String uid() {
        return uid;
    }

    /**
     * The model file (safetensors), any path Hadoop's FileSystem reads (local, hdfs://, s3a://); no default:
     * {@link #transform} fails until it is set.
     *
     * @return the {@code modelPath} parameter
     */
    public Param<String> modelPath() {
        return modelPath;
    }

    /**
     * The input column: a picture file's bytes ({@code binary}), pixels in [0, 1] ({@code array<float>} or
     * an ML {@code Vector}) or uint8 pixels ({@code array<int>}). Default {@code "features"}.
     *
     * @return the {@code inputCol} parameter
     */
    public Param<String> inputCol() {
        return inputCol;
    }

    /**
     * The output column for the predicted class index (int, null when the row has an error). Default
     * {@code "prediction"}.
     *
     * @return the {@code predictionCol} parameter
     */
    public Param<String> predictionCol() {
        return predictionCol;
    }

    /**
     * The output column for the class probabilities (an ML {@code Vector}); the empty string skips computing
     * them. Default {@code "probability"}.
     *
     * @return the {@code probabilityCol} parameter
     */
    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    /**
     * The output column that is true when the input holds no ink at all (boolean, null when the row has an
     * error). Default {@code "blank"}.
     *
     * @return the {@code blankCol} parameter
     */
    public Param<String> blankCol() {
        return blankCol;
    }

    /**
     * The output column for why a row could not be classified (string, null when it was). Default
     * {@code "error"}.
     *
     * @return the {@code errorCol} parameter
     */
    public Param<String> errorCol() {
        return errorCol;
    }

    /**
     * How many rows are classified together, at least 1. Default 256.
     *
     * @return the {@code batchSize} parameter
     */
    public IntParam batchSize() {
        return batchSize;
    }

    /**
     * Sets {@link #modelPath()}.
     *
     * @param value the model file (safetensors), any path Hadoop's FileSystem reads
     * @return this transformer
     */
    public MlpClassifierTransformer setModelPath(String value) {
        set(modelPath, value);
        return this;
    }

    /**
     * Sets {@link #inputCol()}.
     *
     * @param value the input column's name
     * @return this transformer
     */
    public MlpClassifierTransformer setInputCol(String value) {
        set(inputCol, value);
        return this;
    }

    /**
     * Sets {@link #predictionCol()}.
     *
     * @param value the prediction column's name
     * @return this transformer
     */
    public MlpClassifierTransformer setPredictionCol(String value) {
        set(predictionCol, value);
        return this;
    }

    /**
     * Sets {@link #probabilityCol()}.
     *
     * @param value the probability column's name, or "" to skip computing probabilities
     * @return this transformer
     */
    public MlpClassifierTransformer setProbabilityCol(String value) {
        set(probabilityCol, value);
        return this;
    }

    /**
     * Sets {@link #blankCol()}.
     *
     * @param value the blank column's name
     * @return this transformer
     */
    public MlpClassifierTransformer setBlankCol(String value) {
        set(blankCol, value);
        return this;
    }

    /**
     * Sets {@link #errorCol()}.
     *
     * @param value the error column's name
     * @return this transformer
     */
    public MlpClassifierTransformer setErrorCol(String value) {
        set(errorCol, value);
        return this;
    }

    /**
     * Sets {@link #batchSize()}.
     *
     * @param value rows classified together, at least 1
     * @return this transformer
     * @throws IllegalArgumentException if {@code value} is less than 1
     */
    public MlpClassifierTransformer setBatchSize(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + value);
        }
        set(batchSize, value);
        return this;
    }

    /**
     * The rows the latest {@link #transform} could not classify, counted as Spark computes them: complete after an
     * action, and counted again if the result is computed again (cache it to avoid that).
     *
     * @return the bad-row counter of the latest transform, or null before the first one
     */
    public LongAccumulator badRows() {
        return badRows;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        String in = $(inputCol);
        if (!Arrays.asList(schema.fieldNames()).contains(in)) {
            throw new IllegalArgumentException("input column '" + in + "' not found; the columns are "
                    + String.join(", ", schema.fieldNames()) + " (set it with setInputCol)");
        }
        InputKind.of(in, schema.apply(in).dataType());
        StructType out = schema;
        out = add(out, $(predictionCol), DataTypes.IntegerType);
        if (!$(probabilityCol).isEmpty()) {
            out = add(out, $(probabilityCol), SQLDataTypes.VectorType());
        }
        out = add(out, $(blankCol), DataTypes.BooleanType);
        return add(out, $(errorCol), DataTypes.StringType);
    }

    private static StructType add(StructType schema, String name, org.apache.spark.sql.types.DataType type) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("an output column needs a name (only probabilityCol may be empty)");
        }
        if (Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException("output column '" + name + "' already exists; choose another name");
        }
        return schema.add(new StructField(name, type, true, org.apache.spark.sql.types.Metadata.empty()));
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        if (!isDefined(modelPath)) {
            throw new IllegalArgumentException("no model: call setModelPath with a model file (safetensors)");
        }
        StructType outSchema = transformSchema(dataset.schema());
        SparkSession spark = dataset.sparkSession();
        return transform(dataset, outSchema, ModelSource.read($(modelPath), spark.sparkContext().hadoopConfiguration()));
    }

    /** Classifies with a model already read on the driver (the jobs read it once for their own checks too). */
    Dataset<Row> transform(Dataset<?> dataset, ModelSource model) {
        return transform(dataset, transformSchema(dataset.schema()), model);
    }

    private Dataset<Row> transform(Dataset<?> dataset, StructType outSchema, ModelSource model) {
        String in = $(inputCol);
        InputKind kind = InputKind.of(in, dataset.schema().apply(in).dataType());
        SparkSession spark = dataset.sparkSession();
        int inputs = model.classifier().network().inputs();
        if (kind == InputKind.PICTURE && inputs != 28 * 28) {
            throw new IllegalArgumentException("model " + $(modelPath) + " takes " + inputs + " inputs; pictures"
                    + " are turned into 28x28 = 784, so classify them with a 784-input model");
        }
        Broadcast<byte[]> bytes = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(model.bytes());
        LongAccumulator bad = spark.sparkContext().longAccumulator("mlp4j bad rows (" + uid + ")");
        badRows = bad;
        PartitionClassifier work = new PartitionClassifier(bytes, model.digest(), kind,
                dataset.schema().fieldIndex(in), (Integer) $(batchSize), !$(probabilityCol).isEmpty(), bad);
        // Spark's internal rows in and out (see PartitionClassifier): the frame's RDD of binary rows (a developer
        // API), and a frame made from the classified rows by internalCreateDataFrame, which Scala code outside
        // Spark cannot call (private[sql]) but Java can: tied to the Spark version this module is built for.
        if (!(spark instanceof org.apache.spark.sql.classic.SparkSession classic)
                || !(dataset instanceof org.apache.spark.sql.classic.Dataset<?> frame)) {
            throw new IllegalArgumentException("mlp4j's transformer needs a classic Spark session, not Spark Connect");
        }
        return classic.internalCreateDataFrame(frame.queryExecution().toRdd().toJavaRDD().mapPartitions(work).rdd(),
                outSchema, false);
    }

    @Override
    public MlpClassifierTransformer copy(ParamMap extra) {
        return (MlpClassifierTransformer) defaultCopy(extra);
    }
}
