package io.mlp4j.backend;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Whether a Linux machine could have a GPU at all, from its device nodes, without loading any driver.
 * {@code auto} only takes a GPU backend on a GPU, and loading drivers just to find none costs: PoCL's OpenCL
 * (LLVM) stays resident for the rest of the process (+165 MB) and takes the JVM's signal handlers, and JavaCPP's
 * CUDA loader adds ~90 MB. Every GPU driver we know of exposes a node in /dev: NVIDIA ({@code nvidia0},
 * {@code nvidiactl}), DRM card and render nodes (AMD, Intel, Mesa, Raspberry Pi: {@code dri/}), AMD ROCm
 * ({@code kfd}), WSL2 ({@code dxg}, which also carries CUDA), ARM Mali ({@code mali0}), Qualcomm Adreno
 * ({@code kgsl-3d0}). Each provider names its kinds ({@code BackendProvider.deviceNodes()}); a backend asked for
 * by name does not use this check.
 */
public final class GpuDeviceNodes {

    private GpuDeviceNodes() {
    }

    /**
     * Null when /dev has a node of one of these kinds ({@code dri/}: a non-empty /dev/dri), or this is not Linux,
     * or it cannot be told; else a sentence saying that none exists.
     */
    public static String noneReason(List<String> kinds) {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return null;
        }
        return noneReason(Path.of("/dev"), kinds);
    }

    static String noneReason(Path dev, List<String> kinds) {
        if (!Files.isDirectory(dev)) {
            return null;
        }
        try {
            for (String kind : kinds) {
                if (kind.endsWith("/") ? nonEmptyDirectory(dev.resolve(kind)) : hasEntryStartingWith(dev, kind)) {
                    return null;
                }
            }
        } catch (IOException | RuntimeException e) {
            return null; // cannot tell: let the drivers answer
        }
        StringBuilder names = new StringBuilder();
        for (String kind : kinds) {
            names.append(names.length() == 0 ? "" : ", ").append(kind).append('*');
        }
        return "no GPU device node in " + dev + " (" + names + ")";
    }

    private static boolean hasEntryStartingWith(Path dir, String prefix) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, prefix + "*")) {
            return entries.iterator().hasNext();
        }
    }

    private static boolean nonEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            return entries.iterator().hasNext();
        }
    }
}
