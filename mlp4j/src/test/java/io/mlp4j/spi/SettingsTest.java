package io.mlp4j.spi;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest {

    @TempDir
    Path dir;

    @Test
    void precedenceIsBuilderThenPropertyThenEnvironmentThenFileThenDefault() throws IOException {
        Path file = dir.resolve("mlp4j.properties");
        Files.writeString(file, "mlp4j.backend=aparapi\nthreads=3\n");
        Properties props = new Properties();
        props.setProperty("user.home", dir.toString());
        Map<String, String> env = Map.of("MLP4J_CONFIG", file.toString());

        Settings s = Settings.of(Map.of(), env, props);
        assertEquals("aparapi", s.get("backend", "auto").value());
        assertTrue(s.get("backend", "auto").source().contains(file.toString()));
        assertEquals(3, s.getInt("threads", 1, 1));

        s = Settings.of(Map.of(), Map.of("MLP4J_CONFIG", file.toString(), "MLP4J_BACKEND", "cublas"), props);
        assertEquals(new Settings.Value("cublas", "environment MLP4J_BACKEND"), s.get("backend", "auto"));

        props.setProperty("mlp4j.backend", "cpu");
        s = Settings.of(Map.of(), Map.of("MLP4J_BACKEND", "cublas"), props);
        assertEquals(new Settings.Value("cpu", "system property mlp4j.backend"), s.get("backend", "auto"));

        s = Settings.of(Map.of("backend", "aparapi"), Map.of("MLP4J_BACKEND", "cublas"), props);
        assertEquals(new Settings.Value("aparapi", "builder"), s.get("backend", "auto"));

        s = Settings.of(Map.of(), Map.of(), new Properties());
        assertEquals(new Settings.Value("auto", "default"), s.get("backend", "auto"));
    }

    @Test
    void userConfigDirectoryIsRead() throws IOException {
        Files.createDirectories(dir.resolve("mlp4j"));
        Files.writeString(dir.resolve("mlp4j/mlp4j.properties"), "mlp4j.aparapi.device=cpu\n");
        Settings s = Settings.of(Map.of(), Map.of("XDG_CONFIG_HOME", dir.toString()), new Properties());
        assertEquals("cpu", s.get("aparapi.device", "gpu").value());
    }

    @Test
    void badValuesNameTheKeyAndSource() {
        Settings s = Settings.of(Map.of(), Map.of("MLP4J_THREADS", "many"), new Properties());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.getInt("threads", 1, 1));
        assertTrue(e.getMessage().contains("mlp4j.threads") && e.getMessage().contains("MLP4J_THREADS"), e.getMessage());
        Settings missing = Settings.of(Map.of("config", dir.resolve("nope.properties").toString()), Map.of(),
                new Properties());
        e = assertThrows(IllegalArgumentException.class, () -> missing.get("backend", "auto"));
        assertTrue(e.getMessage().contains("nope.properties"), e.getMessage());
    }
}
