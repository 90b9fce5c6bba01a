package io.mlp4j.spark;

import io.mlp4j.Classifier;
import io.mlp4j.picture.Pictures;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.types.UserDefinedType;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.util.LongAccumulator;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The work of one partition: rows in batches, pixel rows through the classifier's batch path, each row out with
 * its prediction, probabilities (optional), blank flag and error. Runs on the executors; holds only the
 * broadcast handle and settings, the classifier comes from {@link ExecutorModels}.
 *
 * <p>It works on Spark's internal rows: pixel arrays are read as primitive arrays and the input columns pass
 * through as bytes: through the public Row API every pixel would be boxed twice (read, and written back).
 * Picture rows are decoded and preprocessed one by one and then join the batch of pixel rows.
 */
final class PartitionClassifier implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {

    private static final long serialVersionUID = 1L;
    /** 64 megapixels: a 256 MB decoded picture at most; a scanned form at 600 dpi is about 35. */
    static final long MAX_PIXELS = 64L << 20;

    private final Broadcast<byte[]> model;
    private final String digest;
    private final InputKind kind;
    private final int inputColumn;
    private final int batchSize;
    private final boolean withProbability;
    private final LongAccumulator badRows;

    PartitionClassifier(Broadcast<byte[]> model, String digest, InputKind kind, int inputColumn, int batchSize,
                        boolean withProbability, LongAccumulator badRows) {
        this.model = model;
        this.digest = digest;
        this.kind = kind;
        this.inputColumn = inputColumn;
        this.batchSize = batchSize;
        this.withProbability = withProbability;
        this.badRows = badRows;
    }

    @Override
    public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
        Classifier classifier = ExecutorModels.get(digest, model);
        return new Iterator<>() {
            private List<InternalRow> done = List.of();
            private int next;

            @Override
            public boolean hasNext() {
                if (next < done.size()) {
                    return true;
                }
                if (!rows.hasNext()) {
                    return false;
                }
                List<InternalRow> batch = new ArrayList<>(batchSize);
                while (batch.size() < batchSize && rows.hasNext()) {
                    batch.add(rows.next().copy()); // Spark reuses the row object it hands out
                }
                done = classify(classifier, batch);
                next = 0;
                return true;
            }

            @Override
            public InternalRow next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return done.get(next++);
            }
        };
    }

    private List<InternalRow> classify(Classifier classifier, List<InternalRow> batch) {
        int n = batch.size();
        Integer[] prediction = new Integer[n];
        Vector[] probability = new Vector[n];
        Boolean[] blank = new Boolean[n];
        String[] error = new String[n];
        float[][] pixels = new float[n][];
        int[] rowOf = new int[n];
        int pixelRows = 0;
        int inputs = classifier.network().inputs();
        for (int i = 0; i < n; i++) {
            InternalRow row = batch.get(i);
            try {
                float[] x = kind == InputKind.PICTURE ? picture(row)
                        : RowPixels.read(row, inputColumn, kind, inputs);
                blank[i] = Pictures.blank(x);
                pixels[pixelRows] = x;
                rowOf[pixelRows++] = i;
            } catch (BadRow e) {
                error[i] = e.getMessage();
                blank[i] = null;
                prediction[i] = null;
                badRows.add(1);
            }
        }
        if (pixelRows > 0) {
            float[][] x = pixelRows == n ? pixels : java.util.Arrays.copyOf(pixels, pixelRows);
            if (withProbability) {
                float[][] prob = classifier.probabilities(x);
                for (int j = 0; j < pixelRows; j++) {
                    probability[rowOf[j]] = Vectors.dense(toDoubles(prob[j]));
                    prediction[rowOf[j]] = predictionFrom(prob[j], classifier, x[j]);
                }
            } else {
                int[] p = classifier.predict(x);
                for (int j = 0; j < pixelRows; j++) {
                    prediction[rowOf[j]] = p[j];
                }
            }
        }
        List<InternalRow> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Object[] added = new Object[withProbability ? 4 : 3];
            int c = 0;
            added[c++] = prediction[i];
            if (withProbability) {
                added[c++] = probability[i] == null ? null : VECTOR.serialize(probability[i]);
            }
            added[c++] = blank[i];
            added[c] = error[i] == null ? null : UTF8String.fromString(error[i]);
            out.add(new JoinedRow(batch.get(i), new GenericInternalRow(added)));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static final UserDefinedType<Vector> VECTOR = (UserDefinedType<Vector>) SQLDataTypes.VectorType();

    /** A picture file's bytes as the model's input; a {@link BadRow} saying why not. */
    private float[] picture(InternalRow row) {
        if (row.isNullAt(inputColumn)) {
            throw new BadRow("input is null");
        }
        byte[] bytes = row.getBinary(inputColumn);
        try {
            return Pictures.input(Pictures.decode(new ByteArrayInputStream(bytes), "picture of " + bytes.length
                    + " bytes", MAX_PIXELS));
        } catch (IOException e) {
            throw new BadRow(e.getMessage());
        }
    }

    /**
     * The class {@code Classifier.predict} gives, from the probabilities, saving a second forward pass: the core's
     * softmax keeps the logits' order (float rounding and {@code Math.exp}, semi-monotonic by its specification,
     * never reverse it), so a unique largest probability is the largest logit. Rounding can make two
     * probabilities equal where the logits differ; then the row asks the classifier itself.
     */
    private static int predictionFrom(float[] p, Classifier classifier, float[] input) {
        int best = 0;
        boolean tie = false;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
                tie = false;
            } else if (p[i] == p[best]) {
                tie = true;
            }
        }
        return tie ? classifier.predict(input) : best;
    }

    private static double[] toDoubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
