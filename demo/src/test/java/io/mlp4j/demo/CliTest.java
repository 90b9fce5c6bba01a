package io.mlp4j.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI's options and its failures: one line on stderr, a non-zero exit, no output files left behind. */
class CliTest {

    @TempDir
    Path tmp;

    @Test
    void version() {
        Cli.Result r = Cli.run("--version");
        assertEquals(0, r.exit());
        assertTrue(r.out().matches("(?s)mlp4j \\d+\\.\\d+\\.\\d+\\S* \\(Java .*\\)\\R"), r.out());
        assertEquals(0, Cli.run("train", "--version").exit());
    }

    @Test
    void helpOnEachCommand() {
        for (String cmd : List.of("train", "eval", "predict", "devices", "bench", "selfcheck", "serve")) {
            Cli.Result r = Cli.run(cmd, "--help");
            assertEquals(0, r.exit(), cmd);
            assertTrue(r.out().contains("Usage: mlp4j " + cmd), r.out());
        }
        assertTrue(Cli.run("train", "--help").out().contains("--schedule"));
        assertTrue(Cli.run("--help").out().contains("devices"));
    }

    /** main builds only the subcommand it runs; help, usage and mistakes get all of them. */
    @Test
    void onlyTheSubcommandNamedIsBuilt() {
        assertEquals(List.of("train"), List.copyOf(Main.commandLine(new String[] {"--verbose", "train", "--out", "eval"})
                .getSubcommands().keySet()));
        List<String> all = List.copyOf(Main.commandLine().getSubcommands().keySet());
        assertEquals(all, List.copyOf(Main.commandLine(new String[] {"help", "train"}).getSubcommands().keySet()));
        assertEquals(all, List.copyOf(Main.commandLine(new String[] {"trian"}).getSubcommands().keySet()));
        assertEquals(all, List.copyOf(Main.commandLine(new String[] {"--help"}).getSubcommands().keySet()));
        assertTrue(all.containsAll(List.of("train", "eval", "predict", "export", "devices", "bench", "selfcheck",
                "serve", "help")), all.toString());
        Cli.Result help = Cli.run("help", "train");
        assertEquals(0, help.exit(), help.err());
        assertTrue(help.out().contains("Usage: mlp4j train"), help.out());
        Cli.Result typo = Cli.run("trian");
        assertEquals(Main.EXIT_USAGE, typo.exit());
        assertTrue(typo.err().startsWith("mlp4j: Unmatched argument at index 0: 'trian'"), typo.err());
    }

    @Test
    void devicesListsEveryBackendAndTheChoice() {
        Cli.Result r = Cli.run("devices");
        assertEquals(0, r.exit(), r.err());
        for (String b : List.of("cublas", "aparapi", "cpu")) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(b + " ")), r.out());
        }
        assertTrue(r.out().lines().anyMatch(l -> l.matches("cpu +available +CPU.*")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("selected: ")), r.out());
    }

    /** An unavailable backend is reported with the option the user typed, not the library's word "builder". */
    @Test
    void anUnavailableBackendNamesTheOption() {
        Cli.Result r = Cli.run("devices", "--backend", "cublas");
        org.junit.jupiter.api.Assumptions.assumeTrue(r.exit() != 0, "cublas runs here");
        assertTrue(r.err().startsWith("mlp4j devices: backend 'cublas' (from --backend) is not available: "), r.err());
    }

    @Test
    void devicesShowsWhichSettingWon() throws IOException {
        Cli.Result r = Cli.run("devices", "--backend", "cpu");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("selected: cpu on CPU"), r.out());
        assertTrue(r.out().contains("chosen by cpu (--backend)"), r.out());

        Path config = Files.writeString(tmp.resolve("my.properties"), "mlp4j.backend=cpu\nmlp4j.threads=1\n");
        r = Cli.run("devices", "--config", config.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("chosen by cpu (file " + config), r.out());
        assertTrue(r.out().contains("1 thread"), r.out());
    }

    @Test
    void badScheduleHiddenBackendAndOptions() {
        assertTrue(Cli.run("train", "--schedule", "5x0.5").failedWithOneLine(Main.EXIT_USAGE)
                .startsWith("mlp4j train: bad --schedule '5x0.5'"));
        assertTrue(Cli.run("train", "--schedule", "5@-1").failedWithOneLine(Main.EXIT_USAGE)
                .contains("bad --schedule"));
        assertTrue(Cli.run("train", "--schedule", "0@0.5").failedWithOneLine(Main.EXIT_USAGE)
                .contains("bad --schedule"));
        assertTrue(Cli.run("train", "--hidden", "32,x").failedWithOneLine(Main.EXIT_USAGE)
                .startsWith("mlp4j train: bad --hidden '32,x'"));
        assertTrue(Cli.run("train", "--hidden", "0").failedWithOneLine(Main.EXIT_USAGE).contains("bad --hidden"));
        assertTrue(Cli.run("train", "--backend", "gpu").failedWithOneLine(Main.EXIT_USAGE)
                .startsWith("mlp4j train: unknown backend 'gpu'"));
        assertTrue(Cli.run("devices", "--threads", "0").failedWithOneLine(Main.EXIT_USAGE).contains("--threads"));
        assertTrue(Cli.run("train", "--no-such-option").failedWithOneLine(Main.EXIT_USAGE)
                .contains("--no-such-option"));
        assertTrue(Cli.run("frobnicate").failedWithOneLine(Main.EXIT_USAGE).contains("frobnicate"));
    }

    @Test
    void missingDataDirectory() {
        Path out = tmp.resolve("out");
        String line = Cli.run("train", "--data", tmp.resolve("nowhere").toString(), "--out", out.toString())
                .failedWithOneLine(Main.EXIT_FAILURE);
        assertTrue(line.startsWith("mlp4j train: MNIST directory ") && line.contains("nowhere"), line);
        assertFalse(Files.exists(out));
        line = Cli.run("eval", "--data", tmp.resolve("nowhere").toString(), "--model", "x.safetensors")
                .failedWithOneLine(Main.EXIT_FAILURE);
        assertTrue(line.contains("x.safetensors"), line);
    }

    @Test
    void corruptIdxFile() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("mnist"));
        Files.write(dir.resolve("train-images-idx3-ubyte"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        Files.write(dir.resolve("train-labels-idx1-ubyte"), new byte[] {0, 0, 8, 1, 0, 0, 0, 0});
        for (String f : List.of("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")) {
            Files.write(dir.resolve(f), new byte[] {0, 0, 8, 1, 0, 0, 0, 0});
        }
        Path out = tmp.resolve("out");
        String line = Cli.run("train", "--data", dir.toString(), "--out", out.toString())
                .failedWithOneLine(Main.EXIT_FAILURE);
        assertTrue(line.contains("train-images-idx3-ubyte") && line.contains("not an IDX file"), line);
        assertFalse(Files.exists(out));
    }

    @Test
    void predictNamesUnreadableFiles() throws IOException {
        Path text = Files.writeString(tmp.resolve("notes.png"), "this is not a picture");
        Path missing = tmp.resolve("missing.png");
        Cli.Result r = Cli.run("predict", text.toString(), missing.toString());
        assertEquals(Main.EXIT_FAILURE, r.exit());
        assertEquals(2, r.errLines().size(), r.err());
        assertTrue(r.errLines().get(0).startsWith("mlp4j predict: " + text + ": not a picture"), r.err());
        assertTrue(r.errLines().get(1).startsWith("mlp4j predict: " + missing + ": no such file"), r.err());
        assertEquals("", r.out());
        assertTrue(Cli.run("predict").failedWithOneLine(Main.EXIT_USAGE).contains("IMAGE"));
    }

    @Test
    void predictRefusesADecompressionBombFromItsHeaderAndSaysBlank() throws Exception {
        Path bomb = Files.write(tmp.resolve("bomb.png"), ServeTest.bomb(20_000, 20_000)); // ~400 KB
        Path white = tmp.resolve("white.png");
        java.awt.image.BufferedImage paper = new java.awt.image.BufferedImage(40, 30,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                paper.getRaster().setSample(x, y, 0, 250);
            }
        }
        javax.imageio.ImageIO.write(paper, "png", white.toFile());
        Path seven = tmp.resolve("seven.png");
        javax.imageio.ImageIO.write(Digits.asIs(Cli.mnist().test(), 0), "png", seven.toFile());
        Cli.Result r = Cli.run("predict", bomb.toString(), white.toString(), seven.toString());
        assertEquals(Main.EXIT_FAILURE, r.exit());
        assertEquals(List.of("mlp4j predict: " + bomb + ": the picture is 20000x20000 = 400,000,000 pixels, over the"
                + " limit of 16,777,216; scale it down first"), r.errLines());
        assertEquals(white + ": blank", r.outLines().get(0));
        assertTrue(r.outLines().get(1).startsWith(seven + ": 7 ("), r.out());
    }

    @Test
    void serveRefusesBadOptions() {
        assertTrue(Cli.run("serve", "--port", "70000").failedWithOneLine(Main.EXIT_FAILURE).contains("--port 70000"));
        assertTrue(Cli.run("serve", "--threads", "0").failedWithOneLine(Main.EXIT_FAILURE).contains("--threads 0"));
        assertTrue(Cli.run("serve", "--read-timeout", "0").failedWithOneLine(Main.EXIT_FAILURE)
                .contains("--read-timeout"));
    }

    @Test
    void missingModelFile() {
        String line = Cli.run("predict", "--model", tmp.resolve("none.safetensors").toString(), "x.png")
                .failedWithOneLine(Main.EXIT_FAILURE);
        assertTrue(line.contains("x.png"), line); // the picture is checked first
    }

    @Test
    void divergedTrainingLeavesNoFiles() throws IOException {
        Path out = tmp.resolve("run");
        Cli.Result r = Cli.run("train", "--data", Cli.dataDir().toString(), "--limit", "512", "--schedule",
                "1@1e30", "--backend", "cpu", "--out", out.toString());
        String line = r.failedWithOneLine(Main.EXIT_FAILURE);
        assertTrue(line.startsWith("mlp4j train: training diverged"), line);
        assertFalse(Files.exists(out), "the output directory this run created is removed again");

        // An existing directory keeps its old files and gets no new (or partial) ones.
        Files.createDirectories(out);
        Files.writeString(out.resolve("history.csv"), "old");
        r = Cli.run("train", "--data", Cli.dataDir().toString(), "--limit", "512", "--schedule", "1@1e30",
                "--backend", "cpu", "--out", out.toString());
        r.failedWithOneLine(Main.EXIT_FAILURE);
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of(out.resolve("history.csv")), files.toList());
        }
        assertEquals("old", Files.readString(out.resolve("history.csv")));
    }

    @Test
    void outIsAFile() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        String line = Cli.run("train", "--data", Cli.dataDir().toString(), "--limit", "256", "--schedule", "1@0.5",
                "--backend", "cpu", "--out", file.toString()).failedWithOneLine(Main.EXIT_FAILURE);
        assertTrue(line.contains("is not a directory"), line);
        assertEquals("x", Files.readString(file));
    }

    @Test
    void configuredBackendThatIsUnknown() throws IOException {
        Path config = Files.writeString(tmp.resolve("bad.properties"), "mlp4j.backend=quantum\n");
        String line = Cli.run("devices", "--config", config.toString()).failedWithOneLine(Main.EXIT_FAILURE);
        assertTrue(line.contains("unknown backend 'quantum'") && line.contains(config.toString()), line);
        line = Cli.run("devices", "--config", tmp.resolve("none.properties").toString())
                .failedWithOneLine(Main.EXIT_FAILURE);
        assertTrue(line.contains("none.properties: no such file"), line);
    }
}
