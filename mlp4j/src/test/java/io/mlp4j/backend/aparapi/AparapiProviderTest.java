package io.mlp4j.backend.aparapi;

import io.mlp4j.backend.Backend;
import io.mlp4j.backend.BackendProvider;
import io.mlp4j.backend.BackendRegistry;
import io.mlp4j.backend.Settings;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AparapiProviderTest {

    private static Settings settings(Map<String, String> explicit) {
        return Settings.of(explicit, Map.of(), new Properties());
    }

    @Test
    void runsOnTheModulePathWithAparapiResolved() {
        OpenClAssumptions.assumeOpenCl();
        Module m = AparapiProvider.class.getModule();
        System.out.println("io.mlp4j module: " + m + ", aparapi: " + ModuleLayer.boot().findModule("aparapi"));
        assertTrue(m.isNamed(), "tests run on the module path");
        assertTrue(ModuleLayer.boot().findModule("aparapi").isPresent());
    }

    @Test
    void probeNamesTheOpenClDevice() {
        OpenClAssumptions.assumeOpenCl();
        long t0 = System.nanoTime();
        BackendProvider.Probe p = new AparapiProvider().probe(settings(Map.of()));
        System.out.printf("probe: %s (%.0f ms)%n", p, (System.nanoTime() - t0) / 1e6);
        assertTrue(p.available(), p.reason());
        assertTrue(p.device().contains("(OpenCL "), p.device());
    }

    @Test
    void deviceKindIsValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AparapiProvider().probe(settings(Map.of(Settings.APARAPI_DEVICE, "fpga"))));
        assertTrue(e.getMessage().contains("mlp4j.aparapi.device") && e.getMessage().contains("fpga"),
                e.getMessage());
    }

    @Test
    void eachDeviceKindFindsOnlyThatKind() {
        OpenClAssumptions.assumeOpenCl();
        boolean hasGpu = AparapiDevices.all().stream()
                .anyMatch(d -> d.getType() == com.aparapi.device.Device.TYPE.GPU);
        boolean hasCpu = AparapiDevices.all().stream()
                .anyMatch(d -> d.getType() == com.aparapi.device.Device.TYPE.CPU);
        BackendProvider.Probe gpu = new AparapiProvider().probe(settings(Map.of(Settings.APARAPI_DEVICE, "gpu")));
        BackendProvider.Probe cpu = new AparapiProvider().probe(settings(Map.of(Settings.APARAPI_DEVICE, "CPU")));
        BackendProvider.Probe any = new AparapiProvider().probe(settings(Map.of()));
        assertEquals(hasGpu, gpu.available(), gpu.toString());
        assertEquals(hasGpu, gpu.isGpu());
        assertEquals(hasCpu, cpu.available(), cpu.toString());
        assertFalse(cpu.isGpu());
        assertEquals(hasGpu, any.isGpu(), "any prefers a GPU");
        if (!hasGpu) {
            assertTrue(gpu.reason().contains("no OpenCL GPU device"), gpu.reason());
        }
    }

    @Test
    void registryOpensAparapiWhenAskedAndAutoOnlyForAGpu() {
        OpenClAssumptions.assumeOpenCl();
        BackendRegistry.Selection s = BackendRegistry.open(settings(Map.of(Settings.BACKEND, "aparapi")));
        try (Backend b = s.backend()) {
            assertEquals("aparapi", b.name());
            System.out.println("opened: " + b.device() + " (" + s.why() + ")");
        }
        boolean hasGpu = new AparapiProvider().probe(settings(Map.of())).isGpu();
        BackendRegistry.Selection auto = BackendRegistry.open(settings(Map.of(Settings.BACKEND, "auto")));
        try (Backend b = auto.backend()) {
            if (!hasGpu) {
                assertFalse(b.name().equals("aparapi"), "auto must not pick an OpenCL CPU device: " + auto.why());
            }
        }
    }
}
