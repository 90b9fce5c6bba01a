package io.mlp4j.demo;

import io.mlp4j.Classifier;
import io.mlp4j.Prediction;
import io.mlp4j.picture.Pictures;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code mlp4j predict}: digits in pictures. */
@Command(name = "predict", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Recognise the digit in each picture (PNG, JPEG, BMP or GIF; any size; dark ink on light "
                + "paper or light on dark; grey or colour). Prints one line per picture: PATH: 7 (0.981), ...",
                "A picture with no ink at all prints PATH: blank. A file that cannot be read, or whose header "
                        + "claims more than 4096x4096 pixels, gets one line on stderr and makes the exit status 1."})
final class PredictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE",
            description = "A model file, .safetensors or .onnx (default: the model bundled with mlp4j).")
    Path model;

    @Option(names = "--top", paramLabel = "K", defaultValue = "3",
            description = "How many classes to show per picture (default: ${DEFAULT-VALUE}).")
    int top;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Pictures of single digits.")
    List<Path> images;

    @Override
    public Integer call() throws Exception {
        if (top < 1) {
            throw new CliException("bad --top " + top + ": expected at least 1");
        }
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // Read every picture first: a bad file is reported even when the model cannot be loaded. Each is kept
        // as its 784 inputs, not as the decoded picture.
        List<float[]> pictures = new ArrayList<>();
        int failed = 0;
        for (Path image : images) {
            try {
                pictures.add(Pictures.input(read(image)));
            } catch (IOException e) {
                err.println(spec.qualifiedName() + ": " + e.getMessage());
                err.flush();
                pictures.add(null);
                failed++;
            }
        }
        if (failed < images.size()) {
            Classifier c = EvalCommand.loadModel(model);
            for (int i = 0; i < images.size(); i++) {
                if (pictures.get(i) != null && Pictures.blank(pictures.get(i))) {
                    o.println(images.get(i) + ": blank");
                } else if (pictures.get(i) != null) {
                    List<Prediction> p = c.top(pictures.get(i), top);
                    o.println(images.get(i) + ": " + p.stream().map(Prediction::toString)
                            .collect(Collectors.joining(", ")));
                }
            }
            o.flush();
        }
        if (failed > 0) {
            throw new CliException(failed + " of " + images.size() + " pictures could not be read", true);
        }
        return 0;
    }

    private static BufferedImage read(Path image) throws IOException {
        if (!Files.exists(image)) {
            throw new IOException(image + ": no such file");
        }
        if (!Files.isRegularFile(image)) {
            throw new IOException(image + ": not a file");
        }
        try (InputStream in = Files.newInputStream(image)) {
            return Pictures.decode(in, image.toString(), Pictures.DEFAULT_MAX_PIXELS);
        }
    }
}
