package io.mlp4j.spark;

import io.mlp4j.Classifier;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A model file read once, on the driver: its bytes (broadcast to the executors), their SHA-256 (the executors'
 * cache key, so a JVM loads each distinct model once however many jobs use it) and the classifier, loaded here
 * so that a bad file fails on the driver before any task starts.
 */
record ModelSource(byte[] bytes, String digest, Classifier classifier) {

    /** Far above any MLP this library trains (784-256-10 is 0.8 MB), far below what would strain a driver. */
    static final long MAX_BYTES = 1L << 30;

    static ModelSource read(String path, Configuration conf) {
        byte[] bytes = HadoopFiles.read(path, conf, MAX_BYTES, "model file");
        try {
            return new ModelSource(bytes, sha256(bytes), classifier(bytes));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("model file " + path + " is not a usable mlp4j model: "
                    + e.getMessage(), e);
        }
    }

    /** Loads a classifier from a model file's bytes (the core reads models from files). */
    static Classifier classifier(byte[] bytes) throws IOException {
        return HadoopFiles.viaTempFile(bytes, ".safetensors", Classifier::load);
    }

    static Classifier classifierUnchecked(byte[] bytes) {
        try {
            return classifier(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("loading the broadcast mlp4j model", e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
