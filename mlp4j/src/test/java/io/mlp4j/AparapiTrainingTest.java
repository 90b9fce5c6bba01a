package io.mlp4j;

import io.mlp4j.backend.aparapi.OpenClAssumptions;
import io.mlp4j.data.DataSet;
import io.mlp4j.data.Mnist;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training with the aparapi backend on real MNIST, on a real OpenCL device: it agrees with the cpu backend step
 * for step, and the tutorial's schedule reaches the tutorial's accuracy.
 */
class AparapiTrainingTest {

    /** ||a - b||_2 / ||b||_2 per parameter tensor. */
    private static double relativeError(float[] a, float[] b) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            num += d * d;
            den += (double) b[i] * b[i];
        }
        return Math.sqrt(num / Math.max(den, 1e-30));
    }

    @Test
    void twentyStepsAgreeWithTheCpuBackend() {
        OpenClAssumptions.assumeOpenCl();
        Mnist mnist = TestData.mnist();
        DataSet.Split split = mnist.train().head(20 * 128 + 1000).split(20 * 128, 7);
        Classifier[] result = new Classifier[2];
        EpochRecord[] records = new EpochRecord[2];
        String[] backends = {"aparapi", "cpu"};
        for (int i = 0; i < 2; i++) {
            try (Trainer t = Trainer.builder(Network.of(784, 32, 10)).backend(backends[i]).threads(1)
                    .option("cpu.vector", "false").seed(42).batchSize(128).build()) {
                assertEquals(backends[i], t.backendName());
                List<EpochRecord> r = t.fit(split.first(), split.second(), 1, 0.5);
                records[i] = r.get(0);
                result[i] = t.classifier();
                System.out.println(backends[i] + " [" + t.device() + "]: " + records[i].tutorialLine());
            }
        }
        float[][] pa = result[0].parameters().tensors().toArray(float[][]::new);
        float[][] pc = result[1].parameters().tensors().toArray(float[][]::new);
        assertEquals(pc.length, pa.length);
        double worst = 0;
        for (int p = 0; p < pc.length; p++) {
            double err = relativeError(pa[p], pc[p]);
            worst = Math.max(worst, err);
            assertTrue(err <= 1e-4, "parameter tensor " + p + " differs by " + err + " (relative L2)");
        }
        System.out.println("worst relative L2 difference of parameters after 20 steps: " + worst);
        assertEquals(records[1].trainLoss(), records[0].trainLoss(), 1e-4 * records[1].trainLoss(), "train loss");
        assertEquals(records[1].valLoss(), records[0].valLoss(), 1e-4 * records[1].valLoss(), "val loss");
        assertEquals(records[1].valAccuracy(), records[0].valAccuracy(), 2e-3, "val accuracy");
    }

    /**
     * The tutorial's whole schedule: 5 epochs at 0.5, 5 at 0.1, on 50,000 / 10,000, batch 128. About 30 s on PoCL
     * on 2 shared vCPUs (1.6 to 3.9 s per epoch), so it runs by default rather than under the "slow" tag.
     */
    @Test
    void tutorialScheduleReachesTheTutorialsAccuracy() {
        OpenClAssumptions.assumeOpenCl();
        Mnist mnist = TestData.mnist();
        DataSet.Split split = mnist.train().split(50_000, 42);
        try (Trainer t = Trainer.builder(Network.of(784, 32, 10)).backend("aparapi").seed(42).build()) {
            t.fit(split.first(), split.second(), 5, 0.5).forEach(r -> System.out.println(r.tutorialLine()));
            t.fit(split.first(), split.second(), 5, 0.1).forEach(r -> System.out.println(r.tutorialLine()));
            EpochRecord last = t.history().epochs().get(9);
            Evaluation test = t.evaluate(mnist.test());
            System.out.println(test.line("test") + "  [" + t.device() + ", median epoch "
                    + String.format("%.3f", t.history().epochs().stream().mapToDouble(EpochRecord::seconds).sorted()
                    .skip(4).findFirst().orElseThrow()) + " s]");
            assertTrue(last.valAccuracy() >= 0.960, "validation accuracy " + last.valAccuracy());
            assertTrue(test.accuracy() >= 0.965, "test accuracy " + test.accuracy());
        }
    }
}
