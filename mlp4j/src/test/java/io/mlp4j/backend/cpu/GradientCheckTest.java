package io.mlp4j.backend.cpu;

import io.mlp4j.spi.Backend;
import io.mlp4j.spi.DeviceDataset;
import io.mlp4j.spi.IndexBuffer;
import io.mlp4j.spi.Tensor;
import io.mlp4j.training.Parameters;
import io.mlp4j.training.TrainingStep;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backpropagation of the training step ({@link TrainingStep#gradients}) against central finite differences of
 * the mean loss ({@link TrainingStep#evaluate}), for a small 12-7-5-4 network (two ReLU layers). Float32
 * throughout, so the bar is a relative error below 1e-2.
 */
class GradientCheckTest {

    static final int[] SIZES = {12, 7, 5, 4};
    static final int ROWS = 6;

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void gradientsMatchFiniteDifferences(boolean vectorApi) {
        try (Backend be = new CpuBackend(1, vectorApi)) {
            Random r = new Random(11);
            int layers = SIZES.length - 1;
            byte[] pixels = new byte[ROWS * SIZES[0]];
            r.nextBytes(pixels);
            byte[] labels = new byte[ROWS];
            for (int i = 0; i < ROWS; i++) {
                labels[i] = (byte) r.nextInt(SIZES[layers]);
            }
            DeviceDataset data = be.upload(pixels, labels, ROWS, SIZES[0]);
            IndexBuffer idx = be.allocateIndices(ROWS);
            be.upload(idx, new int[] {0, 1, 2, 3, 4, 5});
            float[][] w = new float[layers][], b = new float[layers][];
            for (int l = 0; l < layers; l++) {
                w[l] = CpuKernelsTest.random(r, SIZES[l] * SIZES[l + 1]);
                b[l] = CpuKernelsTest.random(r, SIZES[l + 1]);
            }
            TrainingStep step = new TrainingStep(be, SIZES, ROWS);
            step.upload(new Parameters(w, b));
            // A perturbation that moves a hidden unit across zero puts a ReLU kink inside the finite difference:
            // such entries are skipped (and counted), since the difference quotient is meaningless there.
            Supplier<String> pattern = () -> {
                StringBuilder sb = new StringBuilder();
                for (int l = 1; l < layers; l++) {
                    float[] y = new float[ROWS * SIZES[l]];
                    be.download(step.activation(l), y);
                    for (float v : y) {
                        sb.append(v > 0 ? '1' : '0');
                    }
                }
                return sb.toString();
            };
            DoubleSupplier loss = () -> {
                step.resetMetrics();
                step.evaluate(data, idx, 0, ROWS);
                return step.metrics()[0] / ROWS;
            };
            step.gradients(data, idx, 0, ROWS); // analytic
            String basePattern = pattern.get();
            double worst = 0;
            int checked = 0;
            int skipped = 0;
            float eps = 1e-2f;
            for (int l = 0; l < layers; l++) {
                for (boolean isW : new boolean[] {true, false}) {
                    float[] param = isW ? w[l] : b[l];
                    float[] analytic = new float[param.length];
                    be.download(isW ? step.weightGradient(l) : step.biasGradient(l), analytic);
                    Tensor target = isW ? step.weight(l) : step.bias(l);
                    for (int i = 0; i < param.length; i += 3) {
                        float saved = param[i];
                        param[i] = saved + eps;
                        be.upload(target, param);
                        double up = loss.getAsDouble();
                        boolean kink = !pattern.get().equals(basePattern);
                        param[i] = saved - eps;
                        be.upload(target, param);
                        double down = loss.getAsDouble();
                        kink |= !pattern.get().equals(basePattern);
                        param[i] = saved;
                        be.upload(target, param);
                        if (kink) {
                            skipped++;
                            continue;
                        }
                        double numeric = (up - down) / (2 * eps);
                        double err = Math.abs(numeric - analytic[i]) / Math.max(1e-2, Math.abs(numeric) + Math.abs(analytic[i]));
                        worst = Math.max(worst, err);
                        checked++;
                    }
                }
            }
            assertTrue(checked > 40 && skipped <= checked / 10, "checked " + checked + ", skipped " + skipped);
            assertTrue(worst < 1e-2, "worst relative error " + worst);
        }
    }
}
