package io.mlp4j;

import io.mlp4j.spi.Backend;
import io.mlp4j.spi.Settings;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The core alone: only the cpu provider is installed, and the GPU backends are artifacts to add. */
class BackendRegistryTest {

    private static Settings settings(Map<String, String> explicit) {
        return Settings.of(explicit, Map.of(), new Properties());
    }

    @Test
    void cpuIsTheOnlyInstalledProviderAndIsPickedByNameInAnyCase() {
        assertEquals(List.of("auto", "cpu"), BackendRegistry.names());
        BackendRegistry.Selection s = BackendRegistry.open(settings(Map.of(Settings.BACKEND, "CPU")));
        try (Backend b = s.backend()) {
            assertEquals("cpu", b.name());
            assertEquals("cpu (builder)", s.why());
        }
    }

    @Test
    void autoTakesCpuAndSaysWhy() {
        BackendRegistry.Selection s = BackendRegistry.open(settings(Map.of()));
        try (Backend b = s.backend()) {
            assertEquals("cpu", b.name());
            assertEquals("auto (default)", s.why());
        }
    }

    @Test
    void aProjectBackendThatIsNotInstalledNamesItsArtifact() {
        for (String name : List.of("aparapi", "cublas")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BackendRegistry.open(settings(Map.of(Settings.BACKEND, name))));
            assertEquals("backend '" + name + "' (from builder) is not installed: add io.mlp4j:mlp4j-" + name
                    + " (module io.mlp4j." + name + ") to the module path", e.getMessage());
        }
        List<BackendStatus> all = BackendRegistry.list(settings(Map.of()));
        assertEquals(List.of("cpu", "aparapi", "cublas"), all.stream().map(BackendStatus::name).toList());
        assertTrue(all.get(0).available(), all.get(0).toString());
        for (BackendStatus s : all.subList(1, 3)) {
            assertFalse(s.available());
            assertTrue(s.reason().startsWith("not installed: add io.mlp4j:mlp4j-" + s.name()), s.reason());
        }
    }

    @Test
    void anUnknownNameListsWhatIsInstalledAndWhatCouldBe() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackendRegistry.open(settings(Map.of(Settings.BACKEND, "gpu9"))));
        assertEquals("unknown backend 'gpu9' (from builder); installed: auto, cpu; not installed: aparapi, cublas",
                e.getMessage());
    }

    @Test
    void aBadValueOfAProviderKeyIsTheUsersToFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackendRegistry.open(settings(Map.of(Settings.BACKEND, "cpu", Settings.CPU_VECTOR, "maybe"))));
        assertEquals("mlp4j.cpu.vector must be auto, true, false, got 'maybe' (from builder)", e.getMessage());
    }
}
