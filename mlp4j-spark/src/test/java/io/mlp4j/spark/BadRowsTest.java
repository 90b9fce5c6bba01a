package io.mlp4j.spark;

import io.mlp4j.data.DataSet;
import io.mlp4j.picture.Pictures;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad rows get a null prediction and a reason, are counted, and the other rows are still classified. */
class BadRowsTest {

    private static MlpClassifierTransformer transformer() {
        return new MlpClassifierTransformer().setModelPath(SparkTests.model()).setInputCol("x");
    }

    /** Row name -> (prediction, blank, error) after the transform; checks the accumulator on the way. */
    private static Map<String, Row> classify(List<Row> rows, StructType schema, long expectedBad) {
        Dataset<Row> frame = SparkTests.spark().createDataFrame(rows, schema).repartition(3);
        MlpClassifierTransformer t = transformer();
        List<Row> out = t.transform(frame).select("name", "prediction", "blank", "error").collectAsList();
        assertEquals(rows.size(), out.size(), "every row comes out");
        assertEquals(expectedBad, t.badRows().value(), "bad rows counted");
        Map<String, Row> byName = new HashMap<>();
        out.forEach(r -> byName.put(r.getString(0), r));
        return byName;
    }

    private static void assertBad(Map<String, Row> out, String name, String reason) {
        Row r = out.get(name);
        assertNull(r.get(1), name + ": no prediction");
        assertNotNull(r.get(3), name + ": an error");
        assertTrue(r.getString(3).contains(reason), name + ": '" + r.getString(3) + "' should say '" + reason + "'");
    }

    private static void assertGood(Map<String, Row> out, String name, Integer expected, boolean blank) {
        Row r = out.get(name);
        assertNull(r.get(3), name + ": no error");
        assertNotNull(r.get(1), name + ": a prediction");
        if (expected != null) {
            assertEquals(expected, r.getInt(1), name);
        }
        assertEquals(blank, r.getBoolean(2), name + " blank");
    }

    @Test
    void badPixelArraysAreReportedAndTheRestClassified() {
        DataSet test = SparkTests.mnist().test();
        float[] seven = test.imageAsFloats(0);
        StructType schema = new StructType().add("name", DataTypes.StringType)
                .add("x", DataTypes.createArrayType(DataTypes.FloatType, true));
        List<Row> rows = new ArrayList<>();
        rows.add(row("good", seven));
        rows.add(row("short", Arrays.copyOf(seven, 783)));
        rows.add(RowFactory.create("null", null));
        float[] nan = seven.clone();
        nan[5] = Float.NaN;
        rows.add(row("nan", nan));
        float[] scaled = seven.clone();
        scaled[300] = 200f;
        rows.add(row("0..255", scaled));
        List<Float> withNull = new ArrayList<>();
        for (float v : seven) {
            withNull.add(v);
        }
        withNull.set(7, null);
        rows.add(RowFactory.create("null pixel", withNull));
        rows.add(row("empty page", new float[784]));
        Map<String, Row> out = classify(rows, schema, 5);
        assertGood(out, "good", SparkTests.classifier().predict(seven), false);
        assertGood(out, "empty page", null, true);
        assertBad(out, "short", "expected 784 pixels, got 783");
        assertBad(out, "null", "input is null");
        assertBad(out, "nan", "pixel 5 is NaN");
        assertBad(out, "0..255", "pixel 300 is 200.0, outside [0, 1]; scale 0..255 pixels by 1/255");
        assertBad(out, "null pixel", "pixel 7 is null");
    }

    @Test
    void outOfRangeUint8PixelsAreReported() {
        StructType schema = new StructType().add("name", DataTypes.StringType)
                .add("x", DataTypes.createArrayType(DataTypes.IntegerType, false));
        int[] over = new int[784];
        over[10] = 300;
        int[] under = new int[784];
        under[0] = -1;
        Map<String, Row> out = classify(List.of(RowFactory.create("over", toList(over)),
                RowFactory.create("under", toList(under)), RowFactory.create("zero", toList(new int[784]))), schema, 2);
        assertBad(out, "over", "pixel 10 is 300, outside 0..255");
        assertBad(out, "under", "pixel 0 is -1, outside 0..255");
        assertGood(out, "zero", null, true);
    }

    @Test
    void badPicturesAreReportedAndTheRestClassified() throws IOException {
        DataSet test = SparkTests.mnist().test();
        BufferedImage seven = SparkTests.picture(test.image(0));
        byte[] png = SparkTests.png(seven);
        BufferedImage paper = new BufferedImage(60, 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = paper.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 60, 40);
        g.dispose();
        StructType schema = new StructType().add("name", DataTypes.StringType).add("x", DataTypes.BinaryType);
        Map<String, Row> out = classify(List.of(
                RowFactory.create("png", png),
                RowFactory.create("white paper", SparkTests.png(paper)),
                RowFactory.create("jpeg of the digit", jpeg(seven)),
                RowFactory.create("text", "not a picture".getBytes()),
                RowFactory.create("empty", new byte[0]),
                RowFactory.create("truncated", Arrays.copyOf(png, 60)),
                RowFactory.create("huge", claimSize(png, 100_000, 100_000)),
                RowFactory.create("null", null)), schema, 5);
        assertGood(out, "png", SparkTests.classifier().predict(Pictures.input(seven)), false);
        assertGood(out, "jpeg of the digit", null, false);
        assertGood(out, "white paper", null, true);
        assertBad(out, "text", "not a picture in a format ImageIO reads");
        assertBad(out, "empty", "picture of 0 bytes: empty, not a picture");
        assertBad(out, "truncated", "picture of 60 bytes: cannot decode the picture");
        assertBad(out, "huge", "the picture is 100000x100000 = ");
        assertBad(out, "null", "input is null");
    }

    @Test
    void aBadModelFailsOnTheDriverBeforeAnyTask(@TempDir Path dir) throws IOException {
        StructType schema = new StructType().add("name", DataTypes.StringType).add("x", DataTypes.BinaryType);
        Dataset<Row> frame = SparkTests.spark().createDataFrame(List.of(RowFactory.create("a", new byte[1])), schema);
        String missing = dir.resolve("no-such-model.safetensors").toString();
        var e = assertThrows(IllegalArgumentException.class,
                () -> transformer().setModelPath(missing).transform(frame));
        assertEquals("model file " + missing + " does not exist", e.getMessage());

        Path junk = dir.resolve("junk.safetensors");
        Files.write(junk, new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        e = assertThrows(IllegalArgumentException.class, () -> transformer().setModelPath(junk.toString())
                .transform(frame));
        assertTrue(e.getMessage().startsWith("model file " + junk + " is not a usable mlp4j model: "), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> transformer().setModelPath(dir.toString())
                .transform(frame));
        assertEquals("model file " + dir + " is a directory; name the file itself", e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> new MlpClassifierTransformer().setInputCol("x")
                .transform(frame));
        assertTrue(e.getMessage().startsWith("no model"), e.getMessage());
    }

    @Test
    void unusableColumnsAreRefusedWithTheAcceptedTypes() {
        StructType schema = new StructType().add("name", DataTypes.StringType).add("x", DataTypes.BinaryType);
        Dataset<Row> frame = SparkTests.spark().createDataFrame(List.of(RowFactory.create("a", new byte[1])), schema);
        var e = assertThrows(IllegalArgumentException.class, () -> transformer().setInputCol("name").transform(frame));
        assertTrue(e.getMessage().startsWith("input column 'name' has type string; mlp4j accepts binary"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> transformer().setInputCol("y").transform(frame));
        assertEquals("input column 'y' not found; the columns are name, x (set it with setInputCol)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> transformer().setPredictionCol("name").transform(frame));
        assertEquals("output column 'name' already exists; choose another name", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> transformer().setBatchSize(0));
        assertFalse(transformer().transformSchema(schema).getFieldIndex("probability").isEmpty());
    }

    private static Row row(String name, float[] v) {
        List<Float> list = new ArrayList<>();
        for (float f : v) {
            list.add(f);
        }
        return RowFactory.create(name, list);
    }

    private static List<Integer> toList(int[] v) {
        return Arrays.stream(v).boxed().toList();
    }

    private static byte[] jpeg(BufferedImage img) throws IOException {
        var out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(img, "jpeg", out);
        return out.toByteArray();
    }

    /** The PNG with its header's size changed (and the header's checksum fixed), data left as it was. */
    private static byte[] claimSize(byte[] png, int width, int height) {
        byte[] out = png.clone();
        ByteBuffer b = ByteBuffer.wrap(out);
        b.putInt(16, width).putInt(20, height); // IHDR data starts at 16: 8 signature + 4 length + 4 type
        CRC32 crc = new CRC32();
        crc.update(out, 12, 4 + 13);
        b.putInt(29, (int) crc.getValue());
        return out;
    }
}
