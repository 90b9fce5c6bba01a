package io.mlp4j.cublas;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The probe's judgement of driver versions and link errors, from the numbers and messages alone (no GPU). */
class CudaProbeTest {

    @Test
    void sameMajorDriverIsAcceptedWithANote() {
        assertNull(CudaProbe.driverTooOld(13000, 13010));
        assertNull(CudaProbe.driverTooOld(13010, 13010));
        assertNull(CudaProbe.driverTooOld(13020, 13010));
        assertNull(CudaProbe.driverTooOld(14000, 13010));
        assertEquals("; driver CUDA 13.0 is older than runtime 13.1: runs by CUDA's minor-version compatibility"
                + " (kernels are CUBINs, no PTX)", CudaProbe.compatibilityNote(13000, 13010));
        assertEquals("", CudaProbe.compatibilityNote(13010, 13010));
        assertEquals("", CudaProbe.compatibilityNote(13020, 13010));
    }

    @Test
    void olderMajorDriverIsRefusedNamingBothVersions() {
        String why = CudaProbe.driverTooOld(12080, 13010);
        assertTrue(why.contains("CUDA 12.8"), why);
        assertTrue(why.contains("CUDA 13.1 runtime"), why);
        assertTrue(why.contains("update the driver"), why);
    }

    @Test
    void linkErrorsNameTheMissingPiece() {
        String glibc = CudaProbe.explainLinkFailure("the CUDA runtime", "libcudart.so.13", new UnsatisfiedLinkError(
                "/tmp/libjnicudart.so: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.34' not found (required by"
                        + " /tmp/libjnicudart.so)"));
        assertTrue(glibc.contains("glibc 2.34 or newer"), glibc);
        String driver = CudaProbe.explainLinkFailure("the CUDA runtime", "libcudart.so.13", new UnsatisfiedLinkError(
                "libcuda.so.1: cannot open shared object file: No such file or directory"));
        assertEquals("no NVIDIA driver (libcuda.so.1 cannot be loaded)", driver);
        String runtime = CudaProbe.explainLinkFailure("the CUDA runtime", "libcudart.so.13", new UnsatisfiedLinkError(
                "libcudart.so.13: cannot open shared object file: No such file or directory"));
        assertTrue(runtime.startsWith("cannot load the CUDA runtime library (libcudart.so.13)"), runtime);
    }
}
