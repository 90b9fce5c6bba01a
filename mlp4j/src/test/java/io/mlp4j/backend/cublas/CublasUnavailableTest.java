package io.mlp4j.backend.cublas;

import io.mlp4j.backend.BackendProvider;
import io.mlp4j.backend.BackendRegistry;
import io.mlp4j.backend.Settings;
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
 * auto selection passes it by. On a CUDA machine these tests are skipped (see {@link CublasBackendTest}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CublasUnavailableTest {

    private static Settings settings(Map<String, String> explicit) {
        return Settings.of(explicit, Map.of(), new Properties());
    }

    private static BackendProvider.Probe probeOrSkip() {
        BackendProvider.Probe probe = new CublasProvider().probe(settings(Map.of()));
        assumeFalse(probe.available(), "a CUDA device is available (" + probe.device() + "): see CublasBackendTest");
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
        assertFalse(probe.isGpu());
        // The answer stays the same: later touches of JavaCPP's classes would only say NoClassDefFoundError.
        assertEquals(probe.reason(), again.reason());
    }

    @Test
    void reasonNamesTheMissingPiece() {
        String reason = probeOrSkip().reason();
        boolean named = reason.contains("module org.bytedeco.cuda is not resolved")
                || reason.contains("not on the class path")
                || reason.contains("JNI wrappers")
                || reason.contains("libcudart") || reason.contains("libcublas") || reason.contains("libnvrtc")
                || reason.contains("NVIDIA driver") || reason.contains("CUDA device");
        assertTrue(named, "unclear reason: " + reason);
        if ("true".equals(System.getProperty("mlp4j.expectNoCudaJars"))) {
            assertTrue(reason.contains("org.bytedeco.cuda") || reason.contains("class path"), reason);
        }
    }

    @Test
    void explicitChoiceFailsWithTheReason() {
        String reason = probeOrSkip().reason();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> BackendRegistry.open(settings(Map.of(Settings.BACKEND, "cublas"))));
        assertTrue(e.getMessage().contains("'cublas'"), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        IllegalStateException direct = assertThrows(IllegalStateException.class,
                () -> new CublasProvider().open(settings(Map.of())));
        assertTrue(direct.getMessage().contains(reason), direct.getMessage());
    }

    @Test
    void autoSkipsIt() {
        String reason = probeOrSkip().reason();
        BackendRegistry.Selection sel = BackendRegistry.open(settings(Map.of(Settings.BACKEND, "auto",
                Settings.THREADS, "1")));
        // Without an NVIDIA device node, auto does not even load CUDA and says so; otherwise the probe's reason.
        String noGpu = new CublasProvider().noGpuHere();
        try {
            assertNotEquals("cublas", sel.backend().name());
            assertTrue(sel.why().contains("cublas: " + (noGpu != null ? noGpu : reason)), sel.why());
        } finally {
            sel.backend().close();
        }
        BackendRegistry.Status status = BackendRegistry.list(settings(Map.of())).stream()
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
        String src = CublasProvider.missingJavaCpp() == null ? CudaKernels.source() : null;
        if (src != null) {
            for (String k : new String[] {"gather_u8", "bias_act", "relu_mask", "column_sums", "softmax_xent", "sgd"}) {
                assertTrue(src.contains("__global__ void " + k + "("), k);
            }
        }
    }
}
