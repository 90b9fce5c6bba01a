package io.mlp4j.backend;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GpuDeviceNodesTest {

    /** The kinds the aparapi provider names: any GPU. */
    private static final List<String> ANY_GPU = List.of("nvidia", "dri/", "kfd", "dxg", "mali", "kgsl");

    @Test
    void aDevWithoutGpuNodesHasNoGpu(@TempDir Path dev) throws IOException {
        Files.createFile(dev.resolve("null"));
        Files.createFile(dev.resolve("tty0"));
        Files.createDirectory(dev.resolve("dri")); // present but empty: no card
        String why = GpuDeviceNodes.noneReason(dev, ANY_GPU);
        assertNotNull(why);
        assertTrue(why.equals("no GPU device node in " + dev + " (nvidia*, dri/*, kfd*, dxg*, mali*, kgsl*)"), why);
    }

    @Test
    void anyKnownGpuNodeMeansMaybe(@TempDir Path root) throws IOException {
        for (String node : new String[] {"nvidia0", "nvidiactl", "kfd", "dxg", "mali0", "kgsl-3d0", "dri/renderD128"}) {
            Path dev = Files.createDirectories(root.resolve(node.replace('/', '_') + "-dev"));
            Path file = dev.resolve(node);
            Files.createDirectories(file.getParent());
            Files.createFile(file);
            assertNull(GpuDeviceNodes.noneReason(dev, ANY_GPU), node);
        }
        Path amd = Files.createDirectories(root.resolve("amd-dev"));
        Files.createFile(amd.resolve("kfd"));
        assertNotNull(GpuDeviceNodes.noneReason(amd, List.of("nvidia", "dxg")), "an AMD GPU is no CUDA GPU");
        assertNull(GpuDeviceNodes.noneReason(root.resolve("absent"), ANY_GPU),
                "cannot tell: the drivers decide");
    }
}
