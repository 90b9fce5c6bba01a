package io.mlp4j.cublas;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * kernels.cu compiled by the CUDA toolkit's nvcc (no GPU needed) for Ampere and Hopper with NVRTC's options, and
 * every kernel name CudaKernels looks up found among the CUBIN's exported symbols. Skipped, saying so, where no
 * nvcc is installed (PATH, then /usr/local/cuda*).
 */
class KernelsCompileTest {

    /**
     * NVRTC's options as nvcc spells them. {@code -default-device} (unannotated functions are device functions)
     * has no nvcc form; kernels.cu annotates every function, so nothing is lost. A new NVRTC option must be added
     * here, or the test fails.
     */
    private static final Map<String, List<String>> AS_NVCC = Map.of(
            "--std=c++17", List.of("--std=c++17"),
            "-default-device", List.of());

    private static Path nvcc;

    @TempDir
    Path tmp;

    @BeforeAll
    static void findNvcc() {
        nvcc = locateNvcc();
        if (nvcc == null) {
            System.out.println("KernelsCompileTest skipped: no nvcc on PATH or in /usr/local/cuda*/bin");
        }
        assumeTrue(nvcc != null, "no nvcc on PATH or in /usr/local/cuda*/bin: kernels.cu not compiled");
    }

    static Path locateNvcc() {
        List<Path> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, "nvcc"));
            }
        }
        try (Stream<Path> cudas = Files.list(Path.of("/usr/local"))) {
            cudas.filter(p -> p.getFileName().toString().startsWith("cuda")).sorted()
                    .forEach(p -> candidates.add(p.resolve("bin/nvcc")));
        } catch (IOException e) {
            // no /usr/local: PATH only
        }
        return candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"80", "90"})
    void compilesAndExportsEveryKernel(String sm) throws Exception {
        Path source = tmp.resolve(CudaKernels.SOURCE);
        Files.writeString(source, CudaKernels.source());
        Path cubin = tmp.resolve("kernels_sm" + sm + ".cubin");
        List<String> cmd = new ArrayList<>(List.of(nvcc.toString(), "-cubin", "--gpu-architecture=sm_" + sm));
        for (String option : CudaKernels.NVRTC_OPTIONS) {
            assertTrue(AS_NVCC.containsKey(option), "NVRTC option " + option + " has no nvcc spelling in this test");
            cmd.addAll(AS_NVCC.get(option));
        }
        cmd.addAll(List.of("-o", cubin.toString(), source.toString()));
        long t0 = System.nanoTime();
        String out = run(cmd);
        System.out.printf("nvcc sm_%s: %.2f s (%s)%n", sm, (System.nanoTime() - t0) / 1e9, nvcc);
        assertTrue(Files.size(cubin) > 0, out);

        Set<String> exported = new HashSet<>();
        for (String line : run(List.of("readelf", "-sW", cubin.toString())).split("\\R")) {
            String[] f = line.trim().split("\\s+");
            // Num: Value Size Type Bind Vis Ndx Name; Vis may hold spaces ("DEFAULT [<other>: 10]")
            if (f.length >= 8 && f[3].equals("FUNC") && f[4].equals("GLOBAL") && !f[f.length - 2].equals("UND")) {
                exported.add(f[f.length - 1]);
            }
        }
        for (String name : CudaKernels.KERNEL_NAMES) {
            assertTrue(exported.contains(name), name + " is not exported by the sm_" + sm + " CUBIN: " + exported);
        }
        assertEquals(6, CudaKernels.KERNEL_NAMES.size());
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + cmd);
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + text);
        return text;
    }
}
