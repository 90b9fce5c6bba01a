package io.mlp4j.io;

import io.mlp4j.spi.ModelData;
import io.mlp4j.Classifier;
import io.mlp4j.Network;
import io.mlp4j.Trainer;
import io.mlp4j.data.DataSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Classifier.save and Classifier.load go through ModelFormats and give back the same predictions, bit for bit. */
class ClassifierFileTest {

    @TempDir
    Path dir;

    @Test
    void aSavedClassifierLoadsBackIdentical() throws IOException {
        Random r = new Random(3);
        byte[] px = new byte[64 * 16];
        r.nextBytes(px);
        byte[] lb = new byte[64];
        for (int i = 0; i < lb.length; i++) {
            lb[i] = (byte) (i % 3);
        }
        DataSet data = DataSet.of("random", px, lb, 4, 4);
        Classifier c;
        try (Trainer t = Trainer.builder(Network.of(16, 5, 3)).backend("cpu").threads(1).seed(1).batchSize(16)
                .build()) {
            t.fit(data, data, 1, 0.1);
            c = t.classifier();
        }
        Path f = dir.resolve("model.safetensors");
        c.save(f);
        ModelData raw = ModelFile.read(f);
        assertArrayEquals(new int[] {16, 5, 3}, raw.layerSizes());
        assertEquals("0,1,2", raw.metadata().get("labels"));
        Classifier back = Classifier.load(f);
        assertEquals(c.network(), back.network());
        assertEquals(c.labels(), back.labels());
        for (int i = 0; i < data.size(); i++) {
            float[] x = data.imageAsFloats(i);
            assertArrayEquals(c.logits(x), back.logits(x));
        }
    }

    /** Without the io.mlp4j.onnx module (this module's tests run without it), .onnx names the artifact to add. */
    @Test
    void onnxWithoutItsModuleNamesTheArtifact() throws IOException {
        Path f = dir.resolve("model.ONNX");
        IOException load = assertThrows(IOException.class, () -> Classifier.load(f));
        assertEquals(f + ": ONNX model files need the module io.mlp4j.onnx (artifact io.mlp4j:mlp4j-onnx): add it"
                + " beside io.mlp4j on the module path or class path", load.getMessage());
        Classifier c = Classifier.pretrained();
        IOException save = assertThrows(IOException.class, () -> c.save(f));
        assertEquals(load.getMessage(), save.getMessage());
        try (var files = java.nio.file.Files.list(dir)) {
            assertEquals(0, files.count(), "nothing written");
        }
    }
}
