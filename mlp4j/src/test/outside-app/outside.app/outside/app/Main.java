package outside.app;

import io.mlp4j.Checkpoint;
import io.mlp4j.Classifier;
import io.mlp4j.Network;
import io.mlp4j.Trainer;
import io.mlp4j.data.DataSet;
import io.mlp4j.data.Mnist;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Trains from arrays, from data set views and from IDX files, saves, loads and classifies, printing one
 * {@code key: value} line per result for the test to check. Arguments: a directory of MNIST-named IDX files,
 * and a directory to write to.
 */
public final class Main {

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        Path out = Path.of(args[1]);
        System.out.println("modules: " + ModuleLayer.boot().modules().stream().map(Module::getName).sorted()
                .collect(Collectors.joining(",")));

        DataSet arrays = DataSet.of("arrays", pixels(600, 1), labels(600, 1), 28, 28);
        try (Trainer t = Trainer.builder(Network.of(784, 16, 10)).seed(42).build()) {
            System.out.println("backend: " + t.backendName());
            t.fit(arrays, null, 2, 0.5);
            System.out.println("arrays accuracy: " + t.evaluate(arrays).accuracy());
        }

        Mnist mnist = Mnist.load(data);
        DataSet.Split split = mnist.train().split(500, 42);
        Classifier trained;
        try (Trainer t = Trainer.builder(Network.of(784, 16, 10)).seed(42).build()) {
            t.fit(split.first().head(400), split.second(), 6, 0.5);
            System.out.println("val accuracy: " + t.history().epochs().get(5).valAccuracy());
            t.checkpoint().write(out.resolve("checkpoint.safetensors"));
            trained = t.classifier();
        }
        Checkpoint c = Checkpoint.read(out.resolve("checkpoint.safetensors"));
        try (Trainer t = Trainer.builder(c.model().network()).resumeFrom(c).build()) {
            t.fit(split.first().head(400), split.second(), 1, 0.1);
            System.out.println("resumed epochs: " + t.history().size());
        }

        trained.save(out.resolve("model.safetensors"));
        Classifier loaded = Classifier.load(out.resolve("model.safetensors"));
        DataSet test = mnist.test();
        System.out.println("engine: " + loaded.engine());
        System.out.println("test accuracy: " + loaded.evaluate(test).accuracy());
        System.out.println("same predictions: " + Arrays.equals(trained.predict(test), loaded.predict(test)));
        System.out.println("top: " + loaded.top(test.image(0), 1).get(0).index() + " "
                + loaded.predict(test.imageAsFloats(0)));
        System.out.println("pretrained: " + Classifier.pretrained().predict(test.image(0)));
    }

    /** Ten classes of noise, each with a bright band of rows of its own. */
    static byte[] pixels(int n, long seed) {
        Random r = new Random(seed);
        byte[] px = new byte[n * 784];
        for (int i = 0; i < n; i++) {
            int label = i % 10;
            for (int j = 0; j < 784; j++) {
                px[i * 784 + j] = (byte) (r.nextInt(60) + (j / 79 == label ? 150 : 0));
            }
        }
        return px;
    }

    static byte[] labels(int n, long seed) {
        byte[] lb = new byte[n];
        for (int i = 0; i < n; i++) {
            lb[i] = (byte) (i % 10);
        }
        return lb;
    }
}
