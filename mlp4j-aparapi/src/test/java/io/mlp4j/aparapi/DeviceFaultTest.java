package io.mlp4j.aparapi;

import com.aparapi.device.OpenCLDevice;
import io.mlp4j.Network;
import io.mlp4j.Trainer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Injected device faults are reported with the device and the kernel (or its operation) named, and leave no
 * half-open backend behind.
 */
class DeviceFaultTest {

    /** A kernel Aparapi cannot translate to OpenCL: it allocates an array inside the kernel. */
    static final class UntranslatableKernel extends MlpKernel {
        @Override
        public void run() {
            float[] scratch = new float[4 + getGlobalId()];
            mem[0] = scratch.length;
        }
    }

    /**
     * A kernel that asks for far more local memory (64 MiB of floats per work-group) than any device has. PoCL
     * (built with assertions, as Debian's is) aborts the whole JVM when such a kernel is launched, so the backend
     * must refuse it before: this test would crash the test JVM otherwise.
     */
    static final class OversizedLocalMemoryKernel extends MlpKernel {
        @Local
        final float[] huge = new float[16 << 20];

        @Override
        public void run() {
            int t = getLocalId();
            huge[t] = t;
            localBarrier();
            mem[getGlobalId()] = huge[(t + 1) % getLocalSize()];
        }
    }

    private static OpenCLDevice device() {
        OpenClAssumptions.assumeOpenCl();
        return AparapiDevices.choose("any").device();
    }

    private static void assertNames(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), () -> "'" + p + "' not in: " + message);
        }
    }

    @Test
    void aKernelThatDoesNotTranslateNamesTheKernelAndTheDevice() {
        OpenCLDevice d = device();
        UntranslatableKernel k = new UntranslatableKernel();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new AparapiBackend(d, k));
        System.out.println("[fault] untranslatable kernel: " + e.getMessage());
        assertNames(e.getMessage(), AparapiDevices.describe(d), "UntranslatableKernel", "did not compile");
    }

    @Test
    void aKernelNeedingMoreLocalMemoryThanTheDeviceHasIsRefusedBeforeLaunch() {
        OpenCLDevice d = device();
        OversizedLocalMemoryKernel k = new OversizedLocalMemoryKernel();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new AparapiBackend(d, k));
        System.out.println("[fault] oversized local memory: " + e.getMessage());
        assertNames(e.getMessage(), AparapiDevices.describe(d), "OversizedLocalMemoryKernel", "local memory",
                Long.toString(d.getLocalMemSize()));
    }

    @Test
    void theRealKernelFitsTheDevicesLocalMemory() {
        OpenCLDevice d = device();
        long need = AparapiBackend.localMemoryBytes(new MlpKernel());
        assertTrue(need > 0 && need <= d.getLocalMemSize(), need + " bytes on " + AparapiDevices.describe(d));
    }

    @Test
    void aDeviceKindThatIsNotThereIsNamedWithWhatIsThere() {
        OpenCLDevice d = device();
        assumeTrue(AparapiDevices.choose("gpu").device() == null, "this machine has an OpenCL GPU");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Trainer.builder(Network.of(784, 32, 10)).backend("aparapi").option("aparapi.device", "gpu")
                        .build());
        System.out.println("[fault] no GPU: " + e.getMessage());
        assertNames(e.getMessage(), "aparapi", "no OpenCL GPU device", d.getName().trim());
    }
}
