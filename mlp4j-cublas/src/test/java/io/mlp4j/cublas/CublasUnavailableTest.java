package io.mlp4j.cublas;

import io.mlp4j.BackendStatus;
import io.mlp4j.Network;
import io.mlp4j.Trainer;
import io.mlp4j.spi.BackendProvider;
import io.mlp4j.spi.Settings;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Machines without CUDA (this one, CI): the cublas backend says why quickly, refuses clearly when asked for, and
 * auto selection passes it by. On a CUDA machine these tests are skipped (the conformance test runs it there).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CublasUnavailableTest {

    private static Settings settings(Map<String, String> explicit) {
        return Settings.of(explicit, Map.of(), new Properties());
    }

    private static BackendProvider.Probe probeOrSkip() {
        BackendProvider.Probe probe = new CublasProvider().probe(settings(Map.of()));
        assumeFalse(probe.available(), "a CUDA device is available (" + probe.device() + ")");
        return probe;
    }

    @Test
    @Order(1) // the first probe in this JVM is the one that loads (or fails to load) JavaCPP's natives
    void probeAnswersQuicklyWithAReason() {
        long t0 = System.nanoTime();
        BackendProvider.Probe probe = new CublasProvider().probe(settings(Map.of()));
        double first = (System.nanoTime() - t0) / 1e9;
        assumeFalse(probe.available(), "a CUDA device is available (" + probe.device() + ")");
        long t1 = System.nanoTime();
        BackendProvider.Probe again = new CublasProvider().probe(settings(Map.of()));
        double second = (System.nanoTime() - t1) / 1e9;
        System.out.printf("cublas probe: %.3f s, again %.6f s: %s%n", first, second, probe.reason());
        assertTrue(first < 1.5, "first probe took " + first + " s");
        assertTrue(second < 0.1, "second probe took " + second + " s");
        assertFalse(probe.reason().isBlank());
        assertFalse(probe.auto());
        assertEquals(null, probe.opener());
        // The answer stays the same: later touches of JavaCPP's classes would only say NoClassDefFoundError.
        assertEquals(probe.reason(), again.reason());
    }

    @Test
    void reasonNamesTheMissingPiece() {
        String reason = probeOrSkip().reason();
        boolean named = reason.contains("JNI wrappers")
                || reason.contains("libcudart") || reason.contains("libcublas") || reason.contains("libnvrtc")
                || reason.contains("NVIDIA driver") || reason.contains("CUDA device");
        assertTrue(named, "unclear reason: " + reason);
    }

    @Test
    void explicitChoiceFailsWithTheReason() {
        String reason = probeOrSkip().reason();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Trainer.builder(Network.of(4, 2)).option(Settings.BACKEND, "cublas").build());
        assertTrue(e.getMessage().startsWith("backend 'cublas' (from builder) is not available: "), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void autoSkipsIt() {
        String reason = probeOrSkip().reason();
        try (Trainer t = Trainer.builder(Network.of(4, 2)).option(Settings.BACKEND, "auto").threads(1).build()) {
            // Without an NVIDIA device node, auto does not even load CUDA and says so; otherwise the probe's reason.
            assertNotEquals("cublas", t.backendName());
            assertTrue(t.backendChoice().contains("cublas: no GPU device node in /dev (nvidia*, dxg*), so its driver"
                    + " was not loaded") || t.backendChoice().contains("cublas: " + reason), t.backendChoice());
        }
        BackendStatus status = BackendStatus.list(Map.of()).stream()
                .filter(s -> s.name().equals("cublas")).findFirst().orElseThrow();
        assertFalse(status.available());
        assertEquals(reason, status.reason());
    }

    @Test
    void badDeviceIndexIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CublasProvider().probe(settings(Map.of(Settings.CUDA_DEVICE, "first"))));
        assertTrue(e.getMessage().contains("mlp4j.cuda.device"), e.getMessage());
    }

    @Test
    void kernelSourceIsReadableFromTheModule() {
        // Needs no CUDA: the resource must be packaged and readable through the module's own class.
        String src = CudaKernels.source();
        for (String k : new String[] {"gather_u8", "bias_act", "relu_mask", "column_sums", "softmax_xent", "sgd"}) {
            assertTrue(src.contains("__global__ void " + k + "("), k);
        }
    }
}
