package io.mlp4j.demo;

import io.mlp4j.Classifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code mlp4j export}: a model file in another format (safetensors to ONNX, or back). */
@Command(name = "export", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Write a model in the format the --out name asks for: FILE.onnx (ONNX, for ONNX Runtime and"
                + " other runtimes) or FILE.safetensors. The model's metadata (how it was trained) comes along.",
                "ONNX graph: input 'input' float32 [N, 784], one Gemm per layer with Relu between them, outputs"
                        + " 'logits' and 'probabilities' (Softmax); IR 7, opset 13."})
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE",
            description = "A model file, .safetensors or .onnx (default: the model bundled with mlp4j).")
    Path model;

    @Option(names = "--out", paramLabel = "FILE", required = true,
            description = "Where to write: a name ending in .onnx or .safetensors (written atomically).")
    Path out;

    @Override
    public Integer call() throws Exception {
        String name = out.getFileName() == null ? "" : out.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".onnx") && !name.endsWith(".safetensors")) {
            throw new CliException("--out " + out + ": the name must end in .onnx or .safetensors (it picks the"
                    + " format)");
        }
        Classifier c = EvalCommand.loadModel(model);
        Map<String, String> metadata = new HashMap<>(model == null ? Map.of() : Classifier.metadata(model));
        metadata.put("exported_from", model == null ? "the model bundled with mlp4j " + Main.Version.version()
                : model.getFileName().toString());
        c.save(out, metadata);
        PrintWriter o = spec.commandLine().getOut();
        o.println("wrote " + out + " (" + (name.endsWith(".onnx") ? "ONNX" : "safetensors") + ", network "
                + c.network() + ")");
        o.flush();
        return 0;
    }
}
