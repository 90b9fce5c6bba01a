package io.mlp4j.aparapi;

import io.mlp4j.Network;
import io.mlp4j.Trainer;
import io.mlp4j.spi.BackendProvider;
import io.mlp4j.spi.Settings;
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
        System.out.println("io.mlp4j.aparapi module: " + m + ", aparapi: " + ModuleLayer.boot().findModule("aparapi"));
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
        assertEquals(hasGpu, gpu.auto());
        assertEquals(hasCpu, cpu.available(), cpu.toString());
        assertFalse(cpu.auto());
        assertEquals(hasGpu, any.auto(), "any prefers a GPU, and auto takes only a GPU");
        if (!hasGpu) {
            assertTrue(gpu.reason().contains("no OpenCL GPU device"), gpu.reason());
        }
    }

    @Test
    void foundAsAServiceByNameAndByAutoOnlyForAGpu() {
        OpenClAssumptions.assumeOpenCl();
        try (Trainer t = Trainer.builder(Network.of(4, 2)).option(Settings.BACKEND, "aparapi").build()) {
            assertEquals("aparapi", t.backendName());
            System.out.println("opened: " + t.device() + " (" + t.backendChoice() + ")");
        }
        boolean hasGpu = new AparapiProvider().probe(settings(Map.of())).auto();
        try (Trainer t = Trainer.builder(Network.of(4, 2)).option(Settings.BACKEND, "auto").build()) {
            assertEquals(hasGpu, t.backendName().equals("aparapi"), "auto takes aparapi only on a GPU: "
                    + t.backendChoice());
        }
    }
}
