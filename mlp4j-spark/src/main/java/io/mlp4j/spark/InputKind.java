package io.mlp4j.spark;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/** The input column types the transformer accepts, and how each one's values are read. */
enum InputKind {
    /** A picture file's bytes (PNG, JPEG, ...), as Spark's {@code binaryFile} source reads them. */
    PICTURE("binary (a picture file's bytes)"),
    /** Pixels in [0, 1], 0 = background, row-major: what {@code Classifier.predict(float[])} takes. */
    FLOAT_ARRAY("array<float> (pixels in [0, 1])"),
    /** uint8 pixels 0..255, 0 = background: what {@code Classifier.predict(byte[])} takes. */
    INT_ARRAY("array<int> (pixels 0..255)"),
    /** An ML Vector of pixels in [0, 1]. */
    VECTOR("ML Vector (pixels in [0, 1])");

    private final String description;

    InputKind(String description) {
        this.description = description;
    }

    /** The kind for a column type, or an error that lists the accepted types. */
    static InputKind of(String column, DataType type) {
        if (type.equals(DataTypes.BinaryType)) {
            return PICTURE;
        }
        if (type.equals(SQLDataTypes.VectorType())) {
            return VECTOR;
        }
        if (type instanceof ArrayType array) {
            if (array.elementType().equals(DataTypes.FloatType)) {
                return FLOAT_ARRAY;
            }
            if (array.elementType().equals(DataTypes.IntegerType)) {
                return INT_ARRAY;
            }
        }
        throw new IllegalArgumentException("input column '" + column + "' has type " + type.simpleString()
                + "; mlp4j accepts " + accepted());
    }

    static String accepted() {
        StringBuilder s = new StringBuilder();
        for (InputKind k : values()) {
            s.append(s.length() == 0 ? "" : ", ").append(k.description);
        }
        return s.toString();
    }
}
