package io.mlp4j.aparapi;

import io.mlp4j.spi.Backend;
import io.mlp4j.spi.DeviceDataset;
import io.mlp4j.spi.IndexBuffer;
import io.mlp4j.spi.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What only the aparapi backend has to get right, on a real OpenCL device (PoCL here): its arena grows without
 * losing device data, every operation runs through OpenCL (no Java fallback), device data stay on the device and
 * survive garbage collection, and lost device data are detected. The operations' results against the scalar
 * reference are checked for every backend alike by the conformance test.
 */
class AparapiBackendTest {

    private static AparapiBackend gpu;

    @BeforeAll
    static void open() {
        gpu = OpenClAssumptions.open();
    }

    @AfterAll
    static void close() {
        if (gpu != null) {
            gpu.close();
        }
    }

    private static Tensor random(Random rnd, int length, float[] values) {
        for (int i = 0; i < length; i++) {
            values[i] = rnd.nextFloat() * 2 - 1;
        }
        Tensor t = gpu.allocate(length);
        gpu.upload(t, values);
        return t;
    }

    private static float[] get(Backend b, Tensor t, int n) {
        float[] out = new float[n];
        b.download(t, out);
        return out;
    }

    @Test
    void arenaGrowthKeepsDeviceResults() {
        Random rnd = new Random(1);
        float[] p = new float[513];
        float[] g = new float[513];
        Tensor tp = random(rnd, 513, p);
        Tensor tg = random(rnd, 513, g);
        gpu.sgdUpdate(tp, tg, 513, 0.1f);
        // Far more than the arena holds: forces a reallocation after device-side results exist.
        Tensor big = gpu.allocate(4_000_000);
        float[] got = get(gpu, tp, 513);
        for (int i = 0; i < 513; i++) {
            assertEquals(p[i] - 0.1f * g[i], got[i], 1e-6f, "parameter " + i + " after the arena grew");
        }
        assertArrayEquals(new float[16], java.util.Arrays.copyOf(get(gpu, big, 4_000_000), 16));
    }

    @Test
    void everyOperationRanThroughOpenClOnTheChosenDevice() {
        // Run each operation once (other tests may run in any order).
        Random rnd = new Random(4);
        DeviceDataset d = gpu.upload(new byte[4 * 3], new byte[4], 4, 3);
        IndexBuffer ix = gpu.allocateIndices(4);
        gpu.upload(ix, new int[]{3, 2, 1, 0});
        Tensor x = random(rnd, 12, new float[12]);
        Tensor w = random(rnd, 6, new float[6]);
        Tensor b = random(rnd, 2, new float[2]);
        Tensor y = random(rnd, 8, new float[8]);
        Tensor dy = random(rnd, 8, new float[8]);
        Tensor dx = random(rnd, 12, new float[12]);
        Tensor m = random(rnd, 2, new float[2]);
        gpu.gather(d, ix, 0, 4, x);
        get(gpu, x, 12); // runs the gather alone (followed by a GEMM, it would be fused into it)
        gpu.linearForward(x, w, b, y, 4, 3, 2, true);
        gpu.softmaxCrossEntropy(y, d, ix, 0, 4, 2, dy, m);
        gpu.linearBackward(x, w, y, dy, dx, w, b, 4, 3, 2, true);
        gpu.sgdUpdate(w, dx, 6, 0.1f);
        get(gpu, w, 6);
        for (int op = 0; op < MlpKernel.OP_COUNT; op++) {
            assertTrue(gpu.verified(op), "operation " + MlpKernel.opName(op) + " confirmed on OpenCL");
        }
        assertTrue(gpu.kernel().isRunningCL(), "Aparapi reports OpenCL execution");
        assertEquals(gpu.openClDevice(), gpu.kernel().getTargetDevice());
        assertTrue(gpu.kernel().getExecutionTime() >= 0);
        // And the Java-thread fallback is refused, not taken.
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> gpu.kernel().executeFallbackAlgorithm(null, 0));
        assertTrue(e.getMessage().contains("refuses"), e.getMessage());
    }

    @Test
    void dataStaysOnTheDeviceBetweenOperations() {
        // Explicit buffers: once uploaded, the device copy is the truth. Scribbling over the host arena must
        // change nothing on the device, and running kernels must not copy results back into the host arena.
        Tensor p = gpu.allocate(64);
        Tensor g = gpu.allocate(64);
        float[] ones = new float[64];
        java.util.Arrays.fill(ones, 1f);
        gpu.upload(p, ones);
        gpu.upload(g, ones);
        float[] host = gpu.kernel().mem;
        int off = ((AparapiBackend.AparapiTensor) p).offset();
        java.util.Arrays.fill(host, off, off + 64, 1000f);
        gpu.sgdUpdate(p, g, 64, 0.25f);
        gpu.sgdUpdate(p, g, 64, 0.25f);
        assertEquals(1000f, host[off], "no implicit device-to-host copy of the arena");
        float[] out = get(gpu, p, 64);
        for (float v : out) {
            assertEquals(0.5f, v, "device data kept, host scribble ignored");
        }
    }

    @Test
    void garbageCollectionDoesNotLoseDeviceData() {
        Tensor p = gpu.allocate(64);
        Tensor g = gpu.allocate(64);
        float[] ones = new float[64];
        java.util.Arrays.fill(ones, 1f);
        gpu.upload(p, ones);
        gpu.upload(g, ones);
        IndexBuffer ix = gpu.allocateIndices(3);
        gpu.upload(ix, new int[]{2, 0, 1});
        DeviceDataset d = gpu.upload(new byte[]{10, 20, 30}, new byte[3], 3, 1);
        gpu.sgdUpdate(p, g, 64, 0.25f);
        for (int i = 0; i < 3; i++) {
            System.gc();
            byte[][] junk = new byte[2000][];
            for (int j = 0; j < junk.length; j++) {
                junk[j] = new byte[1000];
            }
        }
        gpu.sgdUpdate(p, g, 64, 0.25f);
        assertEquals(0.5f, get(gpu, p, 1)[0]);
        Tensor x = gpu.allocate(3);
        gpu.gather(d, ix, 0, 3, x);
        assertArrayEquals(new float[]{30 * (1f / 255f), 10 * (1f / 255f), 20 * (1f / 255f)}, get(gpu, x, 3));
    }

    @Test
    void lostDeviceDataIsDetectedNotReturned() {
        // Replacing the arena array is what a moving GC looks like to Aparapi: the device buffer is re-created
        // from the Java array. The next download must fail loudly instead of returning stale values.
        try (AparapiBackend b = OpenClAssumptions.open()) {
            Tensor t = b.allocate(8);
            b.upload(t, new float[]{1, 2, 3, 4, 5, 6, 7, 8});
            b.kernel().mem = b.kernel().mem.clone();
            b.sgdUpdate(t, t, 8, 0f);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> get(b, t, 8));
            assertTrue(e.getMessage().contains("lost its device data"), e.getMessage());
        }
    }
}
