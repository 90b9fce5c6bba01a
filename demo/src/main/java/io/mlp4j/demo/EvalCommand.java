package io.mlp4j.demo;

import io.mlp4j.Classifier;
import io.mlp4j.Evaluation;
import io.mlp4j.data.DataSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code mlp4j eval}: a saved model on the MNIST test set. */
@Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Evaluate a saved model on the 10,000 MNIST test images (on the CPU): loss, accuracy, "
                + "and accuracy per class.")
final class EvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--model", paramLabel = "FILE", required = true, description = "A model file: .safetensors, or .onnx (ours or PyTorch's).")
    Path model;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        Classifier c = loadModel(model);
        DataSet test = data.load().test();
        Evaluation e = c.evaluate(test);
        o.println(e.line("test"));
        int[][] counts = TrainCommand.confusion(c, test);
        for (int k = 0; k < counts.length; k++) {
            int total = 0;
            for (int v : counts[k]) {
                total += v;
            }
            if (total > 0) {
                o.println(String.format(Locale.ROOT, "class %s: acc %.4f (%d/%d)", c.labels().get(k),
                        (double) counts[k][k] / total, counts[k][k], total));
            }
        }
        o.flush();
        return 0;
    }

    /** The model file, or with null the bundled default model. */
    static Classifier loadModel(Path model) throws java.io.IOException {
        if (model == null) {
            return Classifier.pretrained();
        }
        if (!java.nio.file.Files.isRegularFile(model)) {
            throw new CliException("--model " + model + ": no such file");
        }
        return Classifier.load(model);
    }
}
