package io.mlp4j.spark;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import scala.jdk.javaapi.CollectionConverters;

import java.util.Arrays;
import java.util.List;

/** Reads one row's pixel column (array<float>, array<int> or ML Vector) into the model's float input, checked. */
final class RowPixels {

    private RowPixels() {
    }

    static float[] read(Row row, int column, InputKind kind, int inputs) {
        if (row.isNullAt(column)) {
            throw new BadRow("input is null");
        }
        return switch (kind) {
            case FLOAT_ARRAY -> floats(row.get(column), inputs);
            case INT_ARRAY -> uint8(row.get(column), inputs);
            case VECTOR -> vector(row.getAs(column), inputs);
            case PICTURE -> throw new IllegalStateException("pictures are not pixel arrays");
        };
    }

    private static float[] floats(Object array, int inputs) {
        if (array instanceof float[] a) {
            checkLength(a.length, inputs);
            float[] x = new float[inputs];
            for (int i = 0; i < inputs; i++) {
                x[i] = checkUnit(a[i], i);
            }
            return x;
        }
        List<?> list = asList(array);
        checkLength(list.size(), inputs);
        float[] x = new float[inputs];
        for (int i = 0; i < inputs; i++) {
            Object v = list.get(i);
            x[i] = checkUnit(number(v, i).floatValue(), i);
        }
        return x;
    }

    /** Same scaling as {@code Classifier.predict(byte[])}, so that both give the same answer. */
    private static float[] uint8(Object array, int inputs) {
        if (array instanceof int[] a) {
            checkLength(a.length, inputs);
            float[] x = new float[inputs];
            for (int i = 0; i < inputs; i++) {
                x[i] = scaleUint8(a[i], i);
            }
            return x;
        }
        List<?> list = asList(array);
        checkLength(list.size(), inputs);
        float[] x = new float[inputs];
        for (int i = 0; i < inputs; i++) {
            Object v = list.get(i);
            x[i] = scaleUint8(number(v, i).intValue(), i);
        }
        return x;
    }

    private static Number number(Object v, int i) {
        if (v instanceof Number n) {
            return n;
        }
        throw new BadRow("pixel " + i + " is " + (v == null ? "null" : "a " + v.getClass().getSimpleName()));
    }

    private static float scaleUint8(int p, int i) {
        if (p < 0 || p > 255) {
            throw new BadRow("pixel " + i + " is " + p + ", outside 0..255");
        }
        return p * (1f / 255f);
    }

    /**
     * An array column's value as a list: Spark hands rows over as Scala sequences, or, when it skips encoding
     * between two mapPartitions steps, as whatever the producing step put in (a Java array or list).
     */
    private static List<?> asList(Object array) {
        if (array instanceof scala.collection.mutable.ArraySeq.ofRef<?> boxed) { // what Spark's Row decoder makes
            return Arrays.asList(boxed.array());
        }
        if (array instanceof scala.collection.Seq<?> seq) {
            return CollectionConverters.asJava(seq);
        }
        if (array instanceof List<?> list) {
            return list;
        }
        if (array instanceof Object[] objects) {
            return Arrays.asList(objects);
        }
        throw new BadRow("unexpected array value of " + array.getClass().getName());
    }

    private static float[] vector(Vector v, int inputs) {
        checkLength(v.size(), inputs);
        double[] d = v.toArray();
        float[] x = new float[inputs];
        for (int i = 0; i < inputs; i++) {
            x[i] = checkUnit((float) d[i], i);
        }
        return x;
    }

    private static void checkLength(int length, int inputs) {
        if (length != inputs) {
            throw new BadRow("expected " + inputs + " pixels, got " + length);
        }
    }

    private static float checkUnit(float v, int i) {
        if (!(v >= 0f && v <= 1f)) { // also catches NaN
            throw new BadRow("pixel " + i + " is " + v + ", outside [0, 1]"
                    + (v > 1f && v <= 255f ? "; scale 0..255 pixels by 1/255, or pass them as array<int>" : ""));
        }
        return v;
    }
}
