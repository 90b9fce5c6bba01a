package io.mlp4j.backend.cpu;

import io.mlp4j.backend.Backend;
import io.mlp4j.backend.DeviceDataset;
import io.mlp4j.backend.IndexBuffer;
import io.mlp4j.backend.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backpropagation through the backend operations against central finite differences of the mean loss, for a
 * small 12-7-5-4 network (two ReLU layers). Float32 throughout, so the bar is a relative error below 1e-2.
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
            Tensor[] tw = new Tensor[layers], tb = new Tensor[layers], dw = new Tensor[layers], db = new Tensor[layers];
            Tensor[] act = new Tensor[layers + 1], grad = new Tensor[layers + 1];
            for (int l = 0; l < layers; l++) {
                w[l] = CpuKernelsTest.random(r, SIZES[l] * SIZES[l + 1]);
                b[l] = CpuKernelsTest.random(r, SIZES[l + 1]);
                tw[l] = be.allocate(w[l].length);
                tb[l] = be.allocate(b[l].length);
                dw[l] = be.allocate(w[l].length);
                db[l] = be.allocate(b[l].length);
                be.upload(tw[l], w[l]);
                be.upload(tb[l], b[l]);
            }
            for (int l = 0; l <= layers; l++) {
                act[l] = be.allocate(ROWS * SIZES[l]);
                grad[l] = be.allocate(ROWS * SIZES[l]);
            }
            Tensor metrics = be.allocate(2);
            Runnable forward = () -> {
                be.gather(data, idx, 0, ROWS, act[0]);
                for (int l = 0; l < layers; l++) {
                    be.linearForward(act[l], tw[l], tb[l], act[l + 1], ROWS, SIZES[l], SIZES[l + 1], l < layers - 1);
                }
            };
            // A perturbation that moves a hidden unit across zero puts a ReLU kink inside the finite difference:
            // such entries are skipped (and counted), since the difference quotient is meaningless there.
            java.util.function.Supplier<String> pattern = () -> {
                StringBuilder sb = new StringBuilder();
                for (int l = 1; l < layers; l++) {
                    float[] y = new float[ROWS * SIZES[l]];
                    be.download(act[l], y);
                    for (float v : y) {
                        sb.append(v > 0 ? '1' : '0');
                    }
                }
                return sb.toString();
            };
            java.util.function.DoubleSupplier loss = () -> {
                be.upload(metrics, new float[2]);
                forward.run();
                be.softmaxCrossEntropy(act[layers], data, idx, 0, ROWS, SIZES[layers], null, metrics);
                float[] m = new float[2];
                be.download(metrics, m);
                return m[0] / ROWS;
            };
            // analytic
            forward.run();
            String basePattern = pattern.get();
            be.softmaxCrossEntropy(act[layers], data, idx, 0, ROWS, SIZES[layers], grad[layers], metrics);
            for (int l = layers - 1; l >= 0; l--) {
                be.linearBackward(act[l], tw[l], act[l + 1], grad[l + 1], l == 0 ? null : grad[l], dw[l], db[l],
                        ROWS, SIZES[l], SIZES[l + 1], l < layers - 1);
            }
            double worst = 0;
            int checked = 0;
            int skipped = 0;
            float eps = 1e-2f;
            for (int l = 0; l < layers; l++) {
                for (float[][] param : new float[][][] {w, b}) {
                    boolean isW = param == w;
                    float[] analytic = new float[param[l].length];
                    be.download(isW ? dw[l] : db[l], analytic);
                    Tensor target = isW ? tw[l] : tb[l];
                    for (int i = 0; i < param[l].length; i += 3) {
                        float saved = param[l][i];
                        param[l][i] = saved + eps;
                        be.upload(target, param[l]);
                        double up = loss.getAsDouble();
                        boolean kink = !pattern.get().equals(basePattern);
                        param[l][i] = saved - eps;
                        be.upload(target, param[l]);
                        double down = loss.getAsDouble();
                        kink |= !pattern.get().equals(basePattern);
                        param[l][i] = saved;
                        be.upload(target, param[l]);
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
