package io.mlp4j.demo;

import io.mlp4j.BackendStatus;
import io.mlp4j.Network;
import io.mlp4j.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code mlp4j devices}: every backend, and the one the configuration picks. */
@Command(name = "devices", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"List every backend with its device, or why it is unavailable, and the backend that "
                + "train would use with this configuration (and what decided it).",
                "Configuration, highest first: --backend, -Dmlp4j.backend, MLP4J_BACKEND, mlp4j.properties "
                        + "(--config FILE, else ./mlp4j.properties, else ~/.config/mlp4j/), auto.",
                "auto picks cublas if a CUDA device answers, else aparapi on an OpenCL GPU, else cpu."})
final class DevicesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BackendOptions backend;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        List<BackendStatus> all = BackendStatus.list(backend.options());
        o.println(String.format(Locale.ROOT, "%-8s  %-11s  %s", "backend", "status", "device, or why not"));
        for (BackendStatus s : all) {
            o.println(String.format(Locale.ROOT, "%-8s  %-11s  %s", s.name(),
                    s.available() ? "available" : "unavailable", s.available() ? s.device() : s.reason()));
        }
        o.flush();
        // Open the backend the configuration names (with a one-neuron network) to report the real choice.
        try (Trainer t = backend.build(backend.apply(Trainer.builder(Network.of(1, 1))))) {
            o.println("selected: " + t.backendName() + " on " + t.device() + ", chosen by "
                    + backend.explain(t.backendChoice()));
        }
        o.flush();
        return 0;
    }
}
