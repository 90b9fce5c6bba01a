package consumer.core;

import io.mlp4j.Classifier;
import io.mlp4j.data.DataSet;
import io.mlp4j.data.Mnist;
import java.nio.file.Path;

/** Classifies MNIST test digits with the bundled model; exits 1 below 97% on the first 1,000. */
public final class Main {
    public static void main(String[] args) throws Exception {
        DataSet test = Mnist.load(Path.of(args[0])).test().head(1000);
        Classifier classifier = Classifier.pretrained();
        int digit = classifier.predict(test.image(0));
        int[] predicted = classifier.predict(test);
        int correct = 0;
        for (int i = 0; i < predicted.length; i++) {
            if (predicted[i] == test.label(i)) correct++;
        }
        double accuracy = correct / (double) predicted.length;
        System.out.printf("first test image: predicted %d, label %d; accuracy on %d: %.3f; %s%n", digit,
                test.label(0), predicted.length, accuracy,
                Main.class.getModule().isNamed() ? "module path" : "class path");
        if (digit != test.label(0) || accuracy < 0.97) System.exit(1);
    }
}
