package io.mlp4j.spark;

import io.mlp4j.Classifier;
import org.apache.spark.broadcast.Broadcast;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The classifiers loaded in this JVM, one per distinct model, shared by every task and thread (a Classifier is
 * immutable and thread-safe). A partition only looks its model up; the first lookup in a JVM reads the broadcast
 * bytes and loads it, and concurrent first lookups wait for that one load. Each task computes its batches on its
 * own thread: Spark already runs one task per executor core, and the classifier's own worker pool would compete
 * with the other tasks for the same cores.
 */
final class ExecutorModels {

    /** A long-lived executor that serves many models forgets them all past this many (they are small to reload). */
    private static final int MAX_MODELS = 8;

    private static final Map<String, Classifier> MODELS = new ConcurrentHashMap<>();
    private static final AtomicLong LOADS = new AtomicLong();
    private static final AtomicLong LOOKUPS = new AtomicLong();

    private ExecutorModels() {
    }

    static Classifier get(String digest, Broadcast<byte[]> bytes) {
        LOOKUPS.incrementAndGet();
        if (MODELS.size() >= MAX_MODELS && !MODELS.containsKey(digest)) {
            MODELS.clear();
        }
        return MODELS.computeIfAbsent(digest, d -> {
            LOADS.incrementAndGet();
            return ModelSource.classifierUnchecked(bytes.value()).withThreads(1);
        });
    }

    /** How many times this JVM loaded a model (for tests and monitoring). */
    static long loads() {
        return LOADS.get();
    }

    /** How many partitions asked for a model in this JVM. */
    static long lookups() {
        return LOOKUPS.get();
    }

    /** Forgets every model (tests start from an empty JVM-wide cache). */
    static void clear() {
        MODELS.clear();
    }
}
