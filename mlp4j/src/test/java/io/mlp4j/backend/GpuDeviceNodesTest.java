package io.mlp4j.backend;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class GpuDeviceNodesTest {

    @Test
    void aDevWithoutGpuNodesHasNoGpu(@TempDir Path dev) throws IOException {
        Files.createFile(dev.resolve("null"));
        Files.createFile(dev.resolve("tty0"));
        Files.createDirectory(dev.resolve("dri")); // present but empty: no card
        String why = GpuDeviceNodes.noneReason(dev, GpuDeviceNodes.ANY_GPU, "OpenCL");
        assertNotNull(why);
        assertTrue(why.startsWith("no GPU device node in " + dev) && why.endsWith("so OpenCL was not loaded"), why);
    }

    @Test
    void anyKnownGpuNodeMeansMaybe(@TempDir Path root) throws IOException {
        for (String node : new String[] {"nvidia0", "nvidiactl", "kfd", "dxg", "mali0", "kgsl-3d0", "dri/renderD128"}) {
            Path dev = Files.createDirectories(root.resolve(node.replace('/', '_') + "-dev"));
            Path file = dev.resolve(node);
            Files.createDirectories(file.getParent());
            Files.createFile(file);
            assertNull(GpuDeviceNodes.noneReason(dev, GpuDeviceNodes.ANY_GPU, "OpenCL"), node);
        }
        Path amd = Files.createDirectories(root.resolve("amd-dev"));
        Files.createFile(amd.resolve("kfd"));
        assertNotNull(GpuDeviceNodes.noneReason(amd, GpuDeviceNodes.NVIDIA_GPU, "CUDA"), "an AMD GPU is no CUDA GPU");
        assertNull(GpuDeviceNodes.noneReason(root.resolve("absent"), GpuDeviceNodes.ANY_GPU, "OpenCL"),
                "cannot tell: the drivers decide");
    }

    /** Here (CI, this VM): no GPU node, so auto skips cublas and aparapi with that reason, loading neither. */
    @Test
    void autoSkipsGpuBackendsWithoutLoadingDriversWhereNoGpuNodeExists() {
        assumeTrue(GpuDeviceNodes.noneReason(GpuDeviceNodes.ANY_GPU, "x") != null, "this machine has a GPU node");
        BackendRegistry.Selection s = BackendRegistry.open(Settings.of(Map.of(Settings.BACKEND, "auto"), Map.of(),
                new Properties()));
        try (Backend b = s.backend()) {
            assertEquals("cpu", b.name());
            assertTrue(s.why().contains("cublas: no GPU device node") && s.why().contains("so CUDA was not loaded"),
                    s.why());
            assertTrue(s.why().contains("aparapi: no GPU device node") && s.why().contains("so OpenCL was not loaded"),
                    s.why());
        }
    }
}
