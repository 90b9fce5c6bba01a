package io.mlp4j;

import io.mlp4j.data.DataSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {

    @TempDir
    Path dir;

    @Test
    void resumedRunEqualsUninterruptedRun() throws IOException {
        DataSet.Split s = TrainerTest.synthetic(900, 6).split(800, 1);
        float[][] straight;
        try (Trainer t = Trainer.builder(Network.of(784, 16, 10)).backend("cpu").threads(1).seed(9).build()) {
            t.fit(s.first(), s.second(), 2, 0.5);
            t.fit(s.first(), s.second(), 2, 0.1);
            straight = t.classifier().parameters().tensors().toArray(float[][]::new);
        }
        Path ckpt = dir.resolve("ckpt.safetensors");
        try (Trainer t = Trainer.builder(Network.of(784, 16, 10)).backend("cpu").threads(1).seed(9).build()) {
            t.fit(s.first(), s.second(), 2, 0.5);
            t.fit(s.first(), s.second(), 1, 0.1);
            t.checkpoint().write(ckpt);
        }
        Checkpoint c = Checkpoint.read(ckpt);
        assertEquals(9, c.seed());
        assertEquals(3, c.epochs());
        try (Trainer t = Trainer.builder(c.model().network()).resumeFrom(c).backend("cpu").threads(1).build()) {
            assertEquals(3, t.history().size());
            assertEquals(c.history(), t.history().epochs());
            EpochRecord next = t.fit(s.first(), s.second(), 1, 0.1).get(0);
            assertEquals(4, next.epoch());
            float[][] resumed = t.classifier().parameters().tensors().toArray(float[][]::new);
            assertEquals(straight.length, resumed.length);
            for (int i = 0; i < straight.length; i++) {
                assertArrayEquals(straight[i], resumed[i]);
            }
        }
    }

    @Test
    void aPlainModelFileIsNotACheckpoint() throws IOException {
        Path model = dir.resolve("model.safetensors");
        try (Trainer t = Trainer.builder(Network.of(784, 4, 10)).backend("cpu").build()) {
            t.classifier().save(model);
        }
        IOException e = assertThrows(IOException.class, () -> Checkpoint.read(model));
        assertTrue(e.getMessage().contains("not a checkpoint"), e.getMessage());
    }

    @Test
    void aCheckpointOfAnotherNetworkIsRefused() {
        try (Trainer t = Trainer.builder(Network.of(784, 4, 10)).backend("cpu").build()) {
            Checkpoint c = t.checkpoint();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Trainer.builder(Network.of(784, 5, 10)).resumeFrom(c));
            assertTrue(e.getMessage().contains("784-4-10"), e.getMessage());
        }
    }
}
