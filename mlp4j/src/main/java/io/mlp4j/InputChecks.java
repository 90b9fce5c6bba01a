package io.mlp4j;

import io.mlp4j.backend.cpu.CpuInference;
import io.mlp4j.data.DataSet;

import java.util.Objects;

/** The checks of what a classifier is given: sizes, nulls and non-finite values, each named in the message. */
final class InputChecks {

    private InputChecks() {
    }

    static void stage(CpuInference inference, float[] input, int row, float[] x, int at) {
        System.arraycopy(input, 0, x, at, input.length);
        if (!inference.allFinite(input)) {
            throw new IllegalArgumentException("input " + row + " contains " + firstNonFinite(input)
                    + "; expected finite values in [0, 1]");
        }
    }

    static void batch(Network net, Object[] rows) {
        Objects.requireNonNull(rows, "inputs");
        for (int i = 0; i < rows.length; i++) {
            Object r = rows[i];
            int length = r instanceof float[] f ? f.length : r instanceof byte[] p ? p.length : -1;
            if (r == null) {
                throw new NullPointerException("input " + i + " is null");
            }
            if (length != net.inputs()) {
                throw new IllegalArgumentException("input " + i + " has " + length + " values; the model " + net
                        + " takes " + net.inputs());
            }
        }
    }

    static void dataSet(Network net, DataSet data) {
        Objects.requireNonNull(data, "data");
        if (data.features() != net.inputs()) {
            throw new IllegalArgumentException(data.name() + " has " + data.features() + " pixels per image, but the"
                    + " model " + net + " takes " + net.inputs());
        }
    }

    static void pixels(Network net, byte[] pixels) {
        Objects.requireNonNull(pixels, "pixels");
        if (pixels.length != net.inputs()) {
            throw new IllegalArgumentException("expected " + net.inputs() + " pixels, got " + pixels.length);
        }
    }

    static void input(Network net, CpuInference inference, float[] input) {
        Objects.requireNonNull(input, "input");
        if (input.length != net.inputs()) {
            throw new IllegalArgumentException("expected " + net.inputs() + " inputs, got " + input.length);
        }
        if (!inference.allFinite(input)) {
            throw new IllegalArgumentException("input contains " + firstNonFinite(input)
                    + "; expected finite values in [0, 1]");
        }
    }

    private static float firstNonFinite(float[] v) {
        for (float x : v) {
            if (!Float.isFinite(x)) {
                return x;
            }
        }
        return 0f;
    }
}
