package io.mlp4j.aparapi;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SignalChainingCheckTest {

    private static final Path JAVA_HOME = Path.of("/opt/jdk");
    private static final String MAPS_PLAIN = "7f00-7f01 r-xp 0 08:01 1 /opt/jdk/lib/server/libjvm.so\n";
    private static final String MAPS_CHAINED = MAPS_PLAIN + "7f02-7f03 r-xp 0 08:01 2 /opt/jdk/lib/libjsig.so\n";

    @Test
    void poclWithoutSignalChainingIsRefusedWithTheFix() {
        String why = SignalChainingCheck.refusal(MAPS_PLAIN,
                List.of("libpocl.so.2 (/etc/OpenCL/vendors/pocl.icd)"), JAVA_HOME);
        assertNotNull(why);
        assertTrue(why.contains("libpocl.so.2 (/etc/OpenCL/vendors/pocl.icd)"), why);
        assertTrue(why.contains("LD_PRELOAD=/opt/jdk/lib/libjsig.so"), why);
    }

    @Test
    void signalChainingOrOtherDriversAreFine() {
        assertNull(SignalChainingCheck.refusal(MAPS_CHAINED, List.of("libpocl.so.2 (pocl.icd)"), JAVA_HOME));
        assertNull(SignalChainingCheck.refusal(MAPS_PLAIN, List.of("libnvidia-opencl.so.1 (nvidia.icd)"), JAVA_HOME));
        assertNull(SignalChainingCheck.refusal(MAPS_PLAIN, List.of(), JAVA_HOME));
    }

    @Test
    void driversComeFromTheVendorFolderAFileOrTheLibraryList(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("pocl.icd"), "libpocl.so.2\n");
        Files.writeString(dir.resolve("nvidia.icd"), "libnvidia-opencl.so.1\n");
        Files.writeString(dir.resolve("README"), "not an icd\n");
        List<String> fromFolder = SignalChainingCheck.registeredDrivers(Map.of("OCL_ICD_VENDORS", dir.toString()));
        assertEquals(2, fromFolder.size(), fromFolder.toString());
        assertTrue(fromFolder.contains("libpocl.so.2 (" + dir.resolve("pocl.icd") + ")"), fromFolder.toString());

        List<String> fromFile = SignalChainingCheck.registeredDrivers(
                Map.of("OCL_ICD_VENDORS", dir.resolve("nvidia.icd").toString()));
        assertEquals(List.of("libnvidia-opencl.so.1 (" + dir.resolve("nvidia.icd") + ")"), fromFile);

        List<String> fromList = SignalChainingCheck.registeredDrivers(Map.of("OCL_ICD_FILENAMES",
                "/x/libpocl.so.2:/y/libOther.so", "OCL_ICD_VENDORS", dir.resolve("missing").toString()));
        assertEquals(List.of("/x/libpocl.so.2 (from OCL_ICD_FILENAMES)", "/y/libOther.so (from OCL_ICD_FILENAMES)"),
                fromList);
    }

    /**
     * The premise, checked on the real driver: a JVM that loads the registered OpenCL drivers through Aparapi has
     * its SIGSEGV handler replaced ({@code -Xcheck:jni} reports it), and with libjsig preloaded it keeps it.
     * Runs where PoCL is registered (CI installs it).
     */
    @Test
    void poclReplacesTheJvmsHandlersUnlessSignalsAreChained() throws Exception {
        boolean pocl = SignalChainingCheck.registeredDrivers(System.getenv()).stream()
                .anyMatch(d -> d.contains("libpocl"));
        assumeTrue(pocl || OpenClAssumptions.required(), "PoCL is not registered here");
        assertTrue(pocl, "OpenCL is required here (CI), but PoCL is not registered");
        Path jsig = Path.of(System.getProperty("java.home"), "lib", "libjsig.so");

        String plain = loadOpenClInAChild(null);
        assertTrue(plain.contains("devices:"), plain);
        assertTrue(plain.contains("SIGSEGV handler modified"), "PoCL no longer takes SIGSEGV? " + plain);

        String chained = loadOpenClInAChild(jsig);
        assertTrue(chained.contains("devices:"), chained);
        assertFalse(chained.contains("handler modified"), chained);
    }

    private static String loadOpenClInAChild(Path preload) throws IOException, InterruptedException {
        List<String> path = new ArrayList<>();
        for (String p : new String[] {System.getProperty("jdk.module.path"), System.getProperty("java.class.path")}) {
            if (p != null && !p.isEmpty()) {
                path.add(p);
            }
        }
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xcheck:jni", "-cp", String.join(File.pathSeparator, path), LoadOpenCl.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("LD_PRELOAD");
        if (preload != null) {
            pb.environment().put("LD_PRELOAD", preload.toString());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child timed out: " + out);
        return out;
    }

    /** The child: lists OpenCL devices through Aparapi, then idles while -Xcheck:jni inspects the handlers. */
    public static final class LoadOpenCl {
        public static void main(String[] args) throws InterruptedException {
            System.out.println("devices: " + AparapiDevices.all().size());
            Thread.sleep(1500);
        }
    }
}
