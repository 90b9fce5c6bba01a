package io.mlp4j.aparapi;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.stream.Collectors;

/**
 * Refuses collectors that move large arrays. Aparapi keeps our device arena bound to a Java array; when a full GC
 * moves that array, Aparapi re-creates the device buffer from the stale host copy and the parameters are lost.
 * G1 (the JVM's default) never moves arrays this large (humongous objects); Serial and Parallel GC do. The backend
 * would notice the loss at its next download, but only after a wasted run: better to say so up front.
 */
final class CollectorCheck {

    private CollectorCheck() {
    }

    /** Null when the collector is safe (or cannot be told: then the backend's own check still guards). */
    static String refusal() {
        String names = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", "));
        if (names.contains("G1") || names.contains("ZGC") || names.contains("Shenandoah") || names.isEmpty()) {
            return null;
        }
        return "the JVM runs a garbage collector that moves large arrays (" + names + "), which would silently"
                + " corrupt the data Aparapi keeps on the device; run with G1: -XX:+UseG1GC (the JVM's default, except on"
                + " machines with 1 CPU or under 1792 MB, where it picks Serial), e.g. in JDK_JAVA_OPTIONS";
    }
}
