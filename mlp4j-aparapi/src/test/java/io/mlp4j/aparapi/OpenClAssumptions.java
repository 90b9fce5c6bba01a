package io.mlp4j.aparapi;

import io.mlp4j.data.Mnist;
import io.mlp4j.testsupport.TestMnist;
import io.mlp4j.spi.Settings;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * OpenCL tests (and their data) run for real where an OpenCL device exists, and are skipped with the reason where none does,
 * unless the system property {@code mlp4j.requireOpenCL=true} (Maven property of the same name; CI sets it):
 * then a missing device fails them.
 */
public final class OpenClAssumptions {

    private static String missing;
    private static boolean checked;

    private OpenClAssumptions() {
    }

    public static boolean required() {
        return Boolean.parseBoolean(System.getProperty("mlp4j.requireOpenCL", "false").trim());
    }

    /** Why no OpenCL device can be used here, or null when one can. */
    public static synchronized String whyNot() {
        if (!checked) {
            checked = true;
            missing = SignalChainingCheck.refusal(); // loading PoCL without signal chaining would crash this JVM later
            if (missing == null) {
                try {
                    if (AparapiDevices.all().isEmpty()) {
                        missing = "no OpenCL device found (install an OpenCL driver, e.g. PoCL)";
                    }
                } catch (LinkageError e) {
                    missing = "Aparapi's native library could not be loaded: " + e;
                }
            }
        }
        return missing;
    }

    /** Skips the calling test (or fails it when OpenCL is required) unless an OpenCL device exists. */
    public static void assumeOpenCl() {
        String why = whyNot();
        if (why == null) {
            return;
        }
        if (required()) {
            fail("OpenCL is required (mlp4j.requireOpenCL=true) but unavailable: " + why);
        }
        assumeTrue(false, "skipped, no OpenCL: " + why + " (set -Dmlp4j.requireOpenCL=true to fail instead)");
    }

    /** The real MNIST (see {@link TestMnist}). */
    public static Mnist mnist() {
        return TestMnist.mnist();
    }

    /** Opens the backend on the default device choice ({@code any}). */
    public static AparapiBackend open() {
        assumeOpenCl();
        return (AparapiBackend) new AparapiProvider().probe(Settings.of(Map.of(), Map.of(), new java.util.Properties()))
                .opener().get();
    }
}
