package io.mlp4j.spark;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.UserDefinedType;

/**
 * Reads one row's pixel column (array&lt;float&gt;, array&lt;int&gt; or ML Vector) into the model's float input,
 * checked. Rows are Spark's internal (binary) rows: arrays come out as primitive arrays, without boxing.
 */
final class RowPixels {

    /** An ML Vector's SQL form: a struct of type, size, indices, values. */
    private static final int VECTOR_FIELDS = 4;

    private RowPixels() {
    }

    @SuppressWarnings("unchecked")
    static float[] read(InternalRow row, int column, InputKind kind, int inputs) {
        if (row.isNullAt(column)) {
            throw new BadRow("input is null");
        }
        return switch (kind) {
            case FLOAT_ARRAY -> floats(row.getArray(column), inputs);
            case INT_ARRAY -> uint8(row.getArray(column), inputs);
            case VECTOR -> vector(((UserDefinedType<Vector>) SQLDataTypes.VectorType())
                    .deserialize(row.getStruct(column, VECTOR_FIELDS)), inputs);
            case PICTURE -> throw new IllegalStateException("pictures are not pixel arrays");
        };
    }

    private static float[] floats(ArrayData array, int inputs) {
        checkElements(array, inputs);
        float[] x = array.toFloatArray();
        for (int i = 0; i < inputs; i++) {
            checkUnit(x[i], i);
        }
        return x;
    }

    /** Same scaling as {@code Classifier.predict(byte[])}, so that both give the same answer. */
    private static float[] uint8(ArrayData array, int inputs) {
        checkElements(array, inputs);
        int[] p = array.toIntArray();
        float[] x = new float[inputs];
        for (int i = 0; i < inputs; i++) {
            if (p[i] < 0 || p[i] > 255) {
                throw new BadRow("pixel " + i + " is " + p[i] + ", outside 0..255");
            }
            x[i] = p[i] * (1f / 255f);
        }
        return x;
    }

    private static float[] vector(Vector v, int inputs) {
        if (v.size() != inputs) {
            throw new BadRow("expected " + inputs + " pixels, got " + v.size());
        }
        double[] d = v.toArray();
        float[] x = new float[inputs];
        for (int i = 0; i < inputs; i++) {
            x[i] = checkUnit((float) d[i], i);
        }
        return x;
    }

    private static void checkElements(ArrayData array, int inputs) {
        if (array.numElements() != inputs) {
            throw new BadRow("expected " + inputs + " pixels, got " + array.numElements());
        }
        for (int i = 0; i < inputs; i++) {
            if (array.isNullAt(i)) {
                throw new BadRow("pixel " + i + " is null");
            }
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
