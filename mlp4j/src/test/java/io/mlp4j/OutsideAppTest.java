package io.mlp4j;

import io.mlp4j.data.DataSet;
import io.mlp4j.data.IdxFiles;
import io.mlp4j.data.Mnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An application outside the project ({@code src/test/outside-app}: module {@code outside.app}, which requires
 * only {@code io.mlp4j}) is compiled against the core and run in a JVM of its own with
 * {@code --limit-modules java.base,io.mlp4j}: it trains from arrays, from data set views and from IDX files,
 * writes and resumes a checkpoint, saves, loads and classifies. Then again with the Vector API resolved.
 */
class OutsideAppTest {

    static final Path CORE = Path.of("mlp4j/target/classes");
    static final Path APP = Path.of("mlp4j/src/test/outside-app/outside.app");

    @TempDir
    Path dir;

    @Test
    void runsWithOnlyJavaBaseAndTheCore() throws Exception {
        Map<String, String> out = run(List.of("--limit-modules", "java.base,io.mlp4j"));
        assertEquals("io.mlp4j,java.base,outside.app", out.get("modules"));
        assertTrue(out.get("engine").startsWith("plain loops"), out.get("engine"));
        checkResults(out);
    }

    @Test
    void runsWithTheVectorApiWhenItIsResolved() throws Exception {
        Map<String, String> out = run(List.of("--limit-modules", "java.base,io.mlp4j,jdk.incubator.vector",
                "--add-modules", "jdk.incubator.vector"));
        assertEquals("io.mlp4j,java.base,jdk.incubator.vector,outside.app", out.get("modules"));
        assertTrue(out.get("engine").startsWith("Vector API"), out.get("engine"));
        checkResults(out);
    }

    private void checkResults(Map<String, String> out) throws IOException {
        assertEquals("cpu", out.get("backend"));
        for (String key : List.of("arrays accuracy", "val accuracy", "test accuracy")) {
            assertTrue(Double.parseDouble(out.get(key)) > 0.9, key + " " + out.get(key));
        }
        assertEquals("7", out.get("resumed epochs"));
        assertEquals("true", out.get("same predictions"));
        String[] top = out.get("top").split(" ");
        assertEquals(top[0], top[1], "top(bytes) and predict(floats) of test image 0");
        DataSet test = Mnist.load(dir.resolve("data")).test();
        assertEquals(Integer.toString(Classifier.pretrained().predict(test.image(0))), out.get("pretrained"));
    }

    /** Writes the data, compiles the app against the core's classes, runs it, and returns its key: value lines. */
    private Map<String, String> run(List<String> jvmOptions) throws Exception {
        assertTrue(Files.isRegularFile(CORE.resolve("module-info.class")), "build the core first: " + CORE);
        Path data = Files.createDirectories(dir.resolve("data"));
        writeIdx(data, Mnist.TRAIN_IMAGES, Mnist.TRAIN_LABELS, TrainerTest.synthetic(600, 1));
        writeIdx(data, Mnist.TEST_IMAGES, Mnist.TEST_LABELS, TrainerTest.synthetic(200, 2));
        Path classes = dir.resolve("classes");
        List<String> javac = new ArrayList<>(List.of(tool("javac"), "--module-path", CORE.toString(), "-d",
                classes.toString()));
        try (Stream<Path> files = Files.walk(APP)) {
            files.filter(p -> p.toString().endsWith(".java")).forEach(p -> javac.add(p.toString()));
        }
        // javac resolves the core's optional Vector API to compile against it, and says so; nothing else is expected
        assertEquals(List.of(), exec(javac).lines().filter(l -> !l.equals("1 warning")
                && !l.startsWith("warning: using incubating module(s)")).toList(), "javac");
        Path work = Files.createDirectories(dir.resolve("out"));
        List<String> app = new ArrayList<>(List.of(tool("java"), "--module-path", CORE + File.pathSeparator + classes));
        app.addAll(jvmOptions);
        app.addAll(List.of("-m", "outside.app/outside.app.Main", data.toString(), work.toString()));
        Map<String, String> out = new HashMap<>();
        for (String line : exec(app).split("\n")) {
            int colon = line.indexOf(": ");
            if (colon > 0) {
                out.put(line.substring(0, colon), line.substring(colon + 2).trim());
            }
        }
        return out;
    }

    private static void writeIdx(Path dir, String images, String labels, DataSet set) throws IOException {
        Files.write(dir.resolve(images), IdxFiles.gzip(IdxFiles.idx(0x803, new int[] {set.size(), 28, 28},
                set.pixels())));
        Files.write(dir.resolve(labels), IdxFiles.gzip(IdxFiles.idx(0x801, new int[] {set.size()}, set.labels())));
    }

    private static String tool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    /** Runs a command (no configuration from the environment), returns its output; fails unless it exits 0. */
    private static String exec(List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("MLP4J_") || k.equals("JAVA_TOOL_OPTIONS"));
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] output = p.getInputStream().readAllBytes(); // the app ends on its own; the timeout is a guard
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "still running: " + command);
        String text = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", command) + "\n" + text);
        return text;
    }
}
