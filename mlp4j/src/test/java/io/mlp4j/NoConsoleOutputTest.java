package io.mlp4j;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library writes nothing to standard output or standard error: what it decides goes to System.Logger, which
 * the embedding application routes. Checks the main sources for every way of printing to the console.
 */
class NoConsoleOutputTest {

    /** System.out / System.err in any form, and printStackTrace() without a target (it prints to System.err). */
    static final Pattern CONSOLE = Pattern.compile("System\\s*\\.\\s*(out|err)\\b|printStackTrace\\s*\\(\\s*\\)");

    static List<String> consoleUses(Path root) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    if (CONSOLE.matcher(lines.get(i)).find()) {
                        found.add(root.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).trim());
                    }
                }
            }
        }
        return found;
    }

    @Test
    void mainSourcesNeverPrintToTheConsole() throws IOException {
        Path main = Path.of("mlp4j/src/main/java");
        assertTrue(Files.isRegularFile(main.resolve("module-info.java")), "run from the repository root: " + main);
        assertEquals(List.of(), consoleUses(main), "use System.getLogger(\"io.mlp4j\") instead");
    }

    @Test
    void theCheckFindsEachForm(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("A.java"), """
                class A {
                    void a(Exception e) {
                        System.out.println("x");
                        System.err.print('y');
                        var o = System.out;
                        e.printStackTrace();
                        e.printStackTrace(new java.io.PrintWriter(new java.io.StringWriter())); // allowed
                        System.getLogger("io.mlp4j").log(System.Logger.Level.DEBUG, "fine");
                    }
                }
                """);
        assertEquals(List.of("A.java:3", "A.java:4", "A.java:5", "A.java:6"),
                consoleUses(dir).stream().map(s -> s.substring(0, s.indexOf(": "))).toList());
    }
}
