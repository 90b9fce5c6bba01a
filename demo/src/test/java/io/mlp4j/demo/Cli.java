package io.mlp4j.demo;

import io.mlp4j.data.Mnist;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs the CLI in-process with captured output, and finds the real MNIST. */
final class Cli {

    record Result(int exit, String out, String err) {
        List<String> errLines() {
            return err.isEmpty() ? List.of() : Arrays.asList(err.split("\\R"));
        }

        List<String> outLines() {
            return out.isEmpty() ? List.of() : Arrays.asList(out.split("\\R"));
        }

        /** Exit status {@code exit} and exactly one line on stderr, which is returned. */
        String failedWithOneLine(int exit) {
            assertEquals(exit, this.exit, () -> "exit status; out=" + out + " err=" + err);
            assertEquals(1, errLines().size(), () -> "expected one line on stderr, got:\n" + err);
            return errLines().get(0);
        }
    }

    private static Mnist mnist;

    private Cli() {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(args); // as main builds it
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    /** MNIST from -Dmlp4j.data / MLP4J_DATA (CI: ../shared/mnist from the repository root). */
    static Path dataDir() {
        String d = System.getProperty("mlp4j.data");
        if (d == null || d.isBlank() || d.contains("${")) {
            d = System.getenv("MLP4J_DATA");
        }
        if (d == null || d.isBlank()) {
            d = "../shared/mnist";
        }
        Path dir = Path.of(d).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("MNIST not found at " + dir + " (set MLP4J_DATA)");
            }
            assumeTrue(false, "MNIST not found at " + dir + "; set MLP4J_DATA to run this test");
        }
        return dir;
    }

    static synchronized Mnist mnist() {
        if (mnist == null) {
            try {
                mnist = Mnist.load(dataDir());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return mnist;
    }
}
