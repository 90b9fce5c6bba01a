package io.mlp4j;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bundled model (README says how it was trained) on the real MNIST test set. */
class PretrainedModelTest {

    @Test
    void bundledModelReaches975OnTheTestSet() throws IOException {
        Classifier c = Classifier.pretrained();
        assertSame(c, Classifier.pretrained());
        assertEquals(784, c.network().inputs());
        Evaluation e = c.evaluate(TestData.mnist().test());
        System.out.println("bundled model " + c.network() + ": " + e.line("test"));
        assertTrue(e.accuracy() >= 0.975, e.line("test"));
    }
}
