package consumer.aparapi;

import io.mlp4j.Network;
import io.mlp4j.Trainer;
import io.mlp4j.data.DataSet;
import io.mlp4j.data.Mnist;
import java.nio.file.Path;

/**
 * Trains one epoch on 10,000 MNIST images with the backend the configuration names (-Dmlp4j.backend=aparapi);
 * exits 1 if another backend ran or the test accuracy on 1,000 images is below 70% (0.761 on PoCL, 2026-12-01).
 */
public final class Main {
    public static void main(String[] args) throws Exception {
        Mnist mnist = Mnist.load(Path.of(args[0]));
        DataSet train = mnist.train().head(10_000);
        DataSet test = mnist.test().head(1000);
        try (Trainer trainer = Trainer.builder(Network.of(784, 32, 10)).seed(42).build()) {
            trainer.fit(train, test, 1, 0.5);
            double accuracy = trainer.evaluate(test).accuracy();
            System.out.printf("backend %s on %s; accuracy after 1 epoch: %.3f; %s%n", trainer.backendName(),
                    trainer.device(), accuracy, Main.class.getModule().isNamed() ? "module path" : "class path");
            if (!trainer.backendName().equals("aparapi") || accuracy < 0.7) System.exit(1);
        }
    }
}
