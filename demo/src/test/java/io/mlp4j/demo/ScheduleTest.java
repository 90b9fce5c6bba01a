package io.mlp4j.demo;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScheduleTest {

    @Test
    void parsesTheTutorialsSchedule() {
        Schedule s = Schedule.parse("5@0.5, 5@0.1");
        assertEquals(List.of(new Schedule.Stage(5, 0.5), new Schedule.Stage(5, 0.1)), s.stages());
        assertEquals(10, s.epochs());
        assertEquals("5@0.5,5@0.1", s.toString());
    }

    @Test
    void refusesMalformedSchedules() {
        for (String bad : List.of("", "5", "5@", "@0.5", "5@0.5,", "x@0.5", "5@abc", "0@0.5", "-1@0.5", "5@0",
                "5@-0.1", "5@NaN", "5@Infinity", "5@0.5@1")) {
            assertThrows(CommandLine.TypeConversionException.class, () -> Schedule.parse(bad), bad);
        }
    }

    @Test
    void hiddenWidths() {
        Schedule.HiddenConverter c = new Schedule.HiddenConverter();
        assertArrayEquals(new int[] {64, 32}, c.convert("64,32").widths());
        for (String bad : List.of("", "0", "-3", "32,", "a", "32;32")) {
            assertThrows(CommandLine.TypeConversionException.class, () -> c.convert(bad), bad);
        }
    }

    @Test
    void stagedOutputIsAllOrNothing(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("a/b");
        try (StagedOutput o = new StagedOutput(out)) {
            o.write("x.txt", new byte[] {1});
        }
        assertFalse(Files.exists(out), "not committed: nothing left, not even the directory it made");
        try (StagedOutput o = new StagedOutput(out)) {
            o.write("x.txt", new byte[] {1});
            o.write("y.txt", new byte[] {2});
            o.commit();
        }
        try (var files = Files.list(out)) {
            assertEquals(2, files.count());
        }
        assertTrue(Files.isRegularFile(out.resolve("y.txt")));
    }
}
