package io.mlp4j;

import io.mlp4j.data.DataSet;
import io.mlp4j.data.Mnist;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tutorial reproduced on real MNIST with the cpu backend: the accuracy bar of issue 2. */
class TutorialAccuracyTest {

    @Test
    void tutorialScheduleReachesTheTutorialsAccuracy() {
        Mnist mnist = TestData.mnist();
        DataSet.Split split = mnist.train().split(50_000, 42);
        try (Trainer t = Trainer.builder(Network.of(784, 32, 10)).backend("cpu").seed(42).build()) {
            Evaluation before = t.evaluate(split.second());
            System.out.println("before training: " + before.line("val"));
            assertTrue(before.accuracy() < 0.3, "an untrained model should be near chance");
            t.fit(split.first(), split.second(), 5, 0.5).forEach(r -> System.out.println(r.tutorialLine()));
            t.fit(split.first(), split.second(), 5, 0.1).forEach(r -> System.out.println(r.tutorialLine()));
            EpochRecord last = t.history().epochs().get(9);
            Evaluation test = t.evaluate(mnist.test());
            System.out.println(test.line("test") + "  [" + t.device() + ", median epoch "
                    + String.format("%.3f", t.history().epochs().stream().mapToDouble(EpochRecord::seconds).sorted()
                    .skip(4).findFirst().orElseThrow()) + " s]");
            assertEquals(10, t.history().size());
            assertTrue(last.valAccuracy() >= 0.960, "validation accuracy " + last.valAccuracy());
            assertTrue(test.accuracy() >= 0.965, "test accuracy " + test.accuracy());
        }
    }

    @Test
    void widerHiddenLayerReaches975OnTest() {
        Mnist mnist = TestData.mnist();
        DataSet.Split split = mnist.train().split(50_000, 42);
        try (Trainer t = Trainer.builder(Network.of(784, 128, 10)).backend("cpu").seed(42).build()) {
            t.fit(split.first(), split.second(), 5, 0.5);
            t.fit(split.first(), split.second(), 5, 0.1);
            Evaluation test = t.evaluate(mnist.test());
            System.out.println("784-128-10 " + test.line("test"));
            assertTrue(test.accuracy() >= 0.975, "test accuracy " + test.accuracy());
        }
    }
}
