package io.mlp4j.demo;

import io.mlp4j.Evaluation;
import io.mlp4j.Network;
import io.mlp4j.Trainer;
import io.mlp4j.data.DataSet;
import io.mlp4j.data.Mnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** train's warm-up: it runs beside the job without changing its results, stops when told, and keeps out of the way. */
class WarmUpTest {

    @TempDir
    Path tmp;

    /** Validation before training, one epoch, validation after: the numbers, the history and the model file. */
    private List<Object> job(DataSet train, DataSet val, String name) throws IOException {
        try (Trainer t = Trainer.builder(Network.of(784, 32, 10)).seed(7).threads(2).backend("cpu").build()) {
            Evaluation before = t.evaluate(val);
            t.fit(train, val, 1, 0.5);
            Evaluation after = t.evaluate(val);
            Path model = tmp.resolve(name + ".safetensors");
            t.classifier().save(model, Map.of());
            return List.of(before.loss(), before.accuracy(), after.loss(), after.accuracy(), strip(t.history().toCsv()),
                    Files.readAllBytes(model));
        }
    }

    @Test
    void theJobsResultsAreTheSameWithAWarmUpBesideIt() throws IOException, InterruptedException {
        Mnist mnist = Mnist.load(Cli.dataDir());
        DataSet.Split split = mnist.train().split(50_000, 7);
        DataSet train = split.first().head(3_000);
        DataSet val = split.second();
        List<Object> alone = job(train, val, "alone");

        WarmUp w = WarmUp.start(new int[] {32}, 128, Map.of("backend", "cpu", "threads", "2"));
        assertNotNull(w.thread());
        List<Object> beside;
        try {
            beside = job(train, val, "beside"); // the warm-up runs through the validation before training at least
        } finally {
            w.stop();
        }
        w.thread().join(TimeUnit.SECONDS.toMillis(60));
        assertFalse(w.thread().isAlive(), "the warm-up stops after its step");
        assertEquals(alone.subList(0, 5), beside.subList(0, 5));
        assertArrayEquals((byte[]) alone.get(5), (byte[]) beside.get(5), "the model files differ");
    }

    /** history.csv without its timing columns. */
    private static String strip(String csv) {
        return csv.lines().map(l -> l.substring(0, nthComma(l, 5))).toList().toString();
    }

    private static int nthComma(String s, int n) {
        int at = -1;
        for (int i = 0; i < n; i++) {
            at = s.indexOf(',', at + 1);
        }
        return at;
    }

    @Test
    void noWarmUpForAnotherBackendOrABigNetwork() {
        assertNull(WarmUp.start(new int[] {32}, 128, Map.of("backend", "aparapi")).thread());
        assertNull(WarmUp.start(new int[] {512, 512}, 128, Map.of("backend", "cpu")).thread());
        WarmUp small = WarmUp.start(new int[] {32}, 128, Map.of("backend", "auto"));
        small.stop();
        assertNotNull(small.thread(), "auto may pick the cpu backend");
    }
}
