package io.mlp4j.demo;

import io.mlp4j.Classifier;
import io.mlp4j.data.DataSet;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole workflow on real MNIST: a short {@code train}, then {@code eval} and {@code predict} with the saved
 * model, and the same after {@code export} to ONNX.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainEvalPredictTest {

    private static final String NUM = "\\d+\\.\\d{4}";

    @TempDir
    static Path tmp;

    private static Path run() {
        return tmp.resolve("run");
    }

    @Test
    @Order(1)
    void train() throws IOException {
        Cli.Result r = Cli.run("train", "--data", Cli.dataDir().toString(), "--limit", "5000", "--schedule", "2@0.5",
                "--backend", "cpu", "--seed", "7", "--out", run().toString(), "--verbose");
        assertEquals(0, r.exit(), r.err());
        phases(r.err());
        List<String> lines = r.outLines();
        assertTrue(lines.get(0).matches("backend: cpu on CPU.*, chosen by cpu \\(--backend\\)"), lines.get(0));
        assertTrue(r.out().contains("5,000 training, 10,000 validation, 10,000 test images"), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("before training: val_loss: " + NUM + ", val_acc: " + NUM)));
        assertTrue(lines.stream().anyMatch(l -> l.matches("Epoch \\[1\\], val_loss: " + NUM + ", val_acc: " + NUM)),
                r.out());
        // README: the test line comes as soon as the test set is evaluated, then the files are written
        String testLine = lines.get(lines.size() - 2);
        assertTrue(testLine.startsWith("test_loss"), r.out());
        assertTrue(lines.get(lines.size() - 1).startsWith("wrote model.safetensors, "), r.out());
        Matcher m = Pattern.compile("test_loss: (" + NUM + "), test_acc: (" + NUM + ")").matcher(testLine);
        assertTrue(m.matches(), testLine);
        assertTrue(Double.parseDouble(m.group(2)) > 0.7, testLine);

        Path out = run();
        for (String f : List.of("model.safetensors", "history.csv", "history.json", "loss.png", "accuracy.png",
                "batch.png", "confusion.png")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        try (var files = Files.list(out)) {
            assertEquals(7, files.count(), "no staging leftovers");
        }
        List<String> csv = Files.readAllLines(out.resolve("history.csv"));
        assertEquals(3, csv.size(), "header + 2 epochs");
        assertTrue(csv.get(0).startsWith("epoch,"));
        assertTrue(Files.readString(out.resolve("history.json")).trim().startsWith("["));
        image(out.resolve("loss.png"), Charts.LINE_WIDTH, Charts.LINE_HEIGHT);
        image(out.resolve("accuracy.png"), Charts.LINE_WIDTH, Charts.LINE_HEIGHT);
        image(out.resolve("batch.png"), 16 * 30 + 2, 8 * 30 + 2);
        image(out.resolve("confusion.png"), Charts.CONFUSION_SIZE, Charts.CONFUSION_SIZE);
    }

    /** --verbose: the phases of the run, in order, that add up to the total, and when the test line came. */
    private static void phases(String err) {
        List<String> lines = err.lines().dropWhile(l -> !l.equals("phases (wall clock, from launch):")).toList();
        assertEquals(11, lines.size(), err);
        Pattern phase = Pattern.compile(" +(\\d+\\.\\d{3}) s +\\d+\\.\\d% +(.+)");
        List<String> names = new ArrayList<>();
        double sum = 0;
        for (String l : lines.subList(1, 9)) {
            Matcher m = phase.matcher(l);
            assertTrue(m.matches(), l);
            sum += Double.parseDouble(m.group(1));
            names.add(m.group(2).split("[ :,]")[0]);
        }
        assertEquals(List.of("JVM", "command", "data", "backend", "validation", "epochs", "test", "outputs"),
                names, err);
        Matcher total = Pattern.compile(" +(\\d+\\.\\d{3}) s +total").matcher(lines.get(9));
        assertTrue(total.matches(), lines.get(9));
        assertEquals(Double.parseDouble(total.group(1)), sum, 0.01, err);
        assertTrue(lines.get(10).matches(" +first training batch ended \\d+\\.\\d{3} s after launch, the test line"
                + " \\d+\\.\\d{3} s after launch"), lines.get(10));
    }

    @Test
    @Order(2)
    void eval() {
        Cli.Result r = Cli.run("eval", "--data", Cli.dataDir().toString(), "--model",
                run().resolve("model.safetensors").toString());
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.outLines();
        assertTrue(lines.get(0).matches("test_loss: " + NUM + ", test_acc: " + NUM), lines.get(0));
        assertEquals(11, lines.size(), r.out());
        for (int k = 0; k < 10; k++) {
            assertTrue(lines.get(k + 1).matches("class " + k + ": acc " + NUM + " \\(\\d+/\\d+\\)"), lines.get(k + 1));
        }
    }

    @Test
    @Order(3)
    void predict() throws IOException {
        DataSet test = Cli.mnist().test();
        List<String> args = new ArrayList<>(List.of("predict", "--model", run().resolve("model.safetensors").toString()));
        List<Integer> labels = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            BufferedImage img = Digits.onPaper(test, i, 4, 320, 240, 15 + 9 * i, 10 + 5 * i);
            Path png = tmp.resolve("digit-" + i + ".png");
            ImageIO.write(img, "png", png.toFile());
            args.add(png.toString());
            labels.add(test.label(i));
        }
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.outLines();
        assertEquals(20, lines.size(), r.out());
        int right = 0;
        for (int i = 0; i < 20; i++) {
            Matcher m = Pattern.compile(Pattern.quote(tmp.resolve("digit-" + i + ".png").toString())
                    + ": (\\d) \\((\\d\\.\\d{3})\\), \\d \\(\\d\\.\\d{3}\\), \\d \\(\\d\\.\\d{3}\\)").matcher(lines.get(i));
            assertTrue(m.matches(), lines.get(i));
            right += Integer.parseInt(m.group(1)) == labels.get(i) ? 1 : 0;
        }
        assertTrue(right >= 14, right + " of 20 right");
    }

    @Test
    @Order(4)
    void exportToOnnxThenEvalAndPredictGiveTheSameResults() throws IOException {
        Path safetensors = run().resolve("model.safetensors");
        Path onnx = tmp.resolve("model.onnx");
        Cli.Result r = Cli.run("export", "--model", safetensors.toString(), "--out", onnx.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("wrote " + onnx + " (ONNX, network 784-32-10)", r.out().strip());
        Map<String, String> meta = Classifier.metadata(onnx);
        assertEquals("7", meta.get("seed"), meta.toString());
        assertEquals("2@0.5", meta.get("schedule"));
        assertTrue(meta.get("test_accuracy").matches(NUM), meta.toString());
        assertEquals("model.safetensors", meta.get("exported_from"));

        Cli.Result fromSafetensors = Cli.run("eval", "--data", Cli.dataDir().toString(), "--model", safetensors.toString());
        Cli.Result fromOnnx = Cli.run("eval", "--data", Cli.dataDir().toString(), "--model", onnx.toString());
        assertEquals(0, fromOnnx.exit(), fromOnnx.err());
        assertTrue(fromOnnx.out().startsWith("test_loss: "), fromOnnx.out());
        assertEquals(fromSafetensors.out(), fromOnnx.out(), "same accuracy, loss and per-class accuracy");

        Path png = tmp.resolve("digit-0.png");
        Cli.Result p1 = Cli.run("predict", "--model", safetensors.toString(), png.toString());
        Cli.Result p2 = Cli.run("predict", "--model", onnx.toString(), png.toString());
        assertEquals(0, p2.exit(), p2.err());
        assertEquals(p1.out(), p2.out());

        Path back = tmp.resolve("back.safetensors");
        assertEquals(0, Cli.run("export", "--model", onnx.toString(), "--out", back.toString()).exit());
        assertEquals(fromSafetensors.out(), Cli.run("eval", "--data", Cli.dataDir().toString(), "--model",
                back.toString()).out(), "ONNX back to safetensors");
    }

    @Test
    void exportRefusesAnOutputNameWithoutAFormat() {
        String err = Cli.run("export", "--out", tmp.resolve("model.bin").toString()).failedWithOneLine(1);
        assertTrue(err.contains("the name must end in .onnx or .safetensors"), err);
    }

    private static void image(Path file, int width, int height) throws IOException {
        BufferedImage img = ImageIO.read(file.toFile());
        assertNotNull(img, file + " decodes");
        assertEquals(width, img.getWidth(), file + " width");
        assertEquals(height, img.getHeight(), file + " height");
    }
}
