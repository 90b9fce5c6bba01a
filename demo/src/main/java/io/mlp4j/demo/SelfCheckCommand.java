package io.mlp4j.demo;

import io.mlp4j.BackendStatus;
import io.mlp4j.SelfCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code mlp4j selfcheck}: a data-free check that a backend computes what the CPU reference computes. */
@Command(name = "selfcheck", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Check a backend without any data set: every operation on odd shapes of seeded random inputs"
                + " against a plain scalar reference (one line each: operation, shape, max abs err, max rel err,"
                + " time), then " + "20 training steps on synthetic data against the cpu backend.",
                "Without --backend, every available backend. The last line is 'selfcheck NAME: passed (N checks)' or"
                        + " 'selfcheck NAME: FAILED (K of N)'.",
                "Exit status: 0 passed, 1 a check failed, 2 the backend cannot run here (one line says why)."})
final class SelfCheckCommand implements Callable<Integer> {

    static final int EXIT_UNAVAILABLE = 2;

    @Spec
    CommandSpec spec;

    @Mixin
    BackendOptions backend;

    @Option(names = "--quick", description = "Leave out the large shape (1000x512x512).")
    boolean quick;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        Map<String, String> options = backend.options();
        if (backend.backend != null) {
            SelfCheck.Outcome r = SelfCheck.run(backend.backend, options, quick, line -> println(o, line));
            println(o, r.summary());
            return r.passed() ? 0 : r.ran() ? Main.EXIT_FAILURE : EXIT_UNAVAILABLE;
        }
        List<String> ran = new ArrayList<>();
        int checks = 0;
        int failed = 0;
        for (BackendStatus s : BackendStatus.list(options)) {
            SelfCheck.Outcome r = s.available()
                    ? SelfCheck.run(s.name(), options, quick, line -> println(o, line))
                    : new SelfCheck.Outcome(s.name(), 0, 0, s.reason());
            println(o, r.summary());
            if (r.ran()) {
                ran.add(r.backend());
                checks += r.checks();
                failed += r.failed();
            }
        }
        String on = " on " + String.join(", ", ran);
        println(o, failed == 0 ? "selfcheck all: passed (" + checks + " checks" + on + ")"
                : "selfcheck all: FAILED (" + failed + " of " + checks + on + ")");
        return failed == 0 ? 0 : Main.EXIT_FAILURE;
    }

    private static void println(PrintWriter o, String line) {
        o.println(line);
        o.flush(); // line by line: a crash in a driver still leaves every earlier result
    }
}
