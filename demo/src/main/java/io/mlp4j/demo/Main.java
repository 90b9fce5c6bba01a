package io.mlp4j.demo;

import io.mlp4j.spi.BackendProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/** {@code mlp4j}: the command line of the demo image. */
@Command(name = "mlp4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Train and run multi-layer perceptrons on MNIST, on the CPU, OpenCL (Aparapi) or CUDA (cuBLAS).")
public final class Main implements Runnable {

    /** The subcommands, in the order of the usage help. */
    private static final List<Class<?>> SUBCOMMANDS = List.of(TrainCommand.class, EvalCommand.class,
            PredictCommand.class, ExportCommand.class, DevicesCommand.class, BenchCommand.class,
            SelfCheckCommand.class, ServeCommand.class, CommandLine.HelpCommand.class);

    /** Exit status of a command that failed at run time (bad data, unreadable file, unavailable backend). */
    public static final int EXIT_FAILURE = 1;
    /** Exit status of a command line that does not parse (unknown option, bad value). */
    public static final int EXIT_USAGE = 2;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Show the library's decisions (backend chosen and why, refused devices, slow paths) and "
                    + "stack traces of errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        Phases.init();
        if (java.util.Arrays.asList(args).contains("--verbose")) {
            LibraryLog.showOnStderr();
        }
        stopWithTheLauncher();
        System.exit(commandLine(args).execute(args));
    }

    /**
     * Started by bin/mlp4j as its child (it filters our stderr), the JVM stops when the launcher is gone: a
     * launcher killed with SIGKILL cannot pass the signal on, and the JVM would run on unseen. Checked every 100 ms.
     */
    private static void stopWithTheLauncher() {
        String launcher = System.getenv("MLP4J_LAUNCHER_PID");
        if (launcher == null || !launcher.matches("\\d+")) {
            return;
        }
        long pid = Long.parseLong(launcher);
        Thread watch = new Thread(() -> {
            while (ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L) == pid) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
            Runtime.getRuntime().halt(137); // as if killed with it: no shutdown hooks
        }, "launcher-watch");
        watch.setDaemon(true);
        watch.start();
    }

    /**
     * A fresh command line with every subcommand and the demo's error handling: one line on stderr, no stack trace
     * unless --verbose.
     */
    public static CommandLine commandLine() {
        return commandLine(SUBCOMMANDS);
    }

    /**
     * The command line for {@code args}: where their first argument that is not an option names a subcommand
     * (other than help), with that one alone, as picocli builds each subcommand's model from its annotations by
     * reflection, which is most of its start-up; with all of them otherwise (help, usage, mistakes).
     */
    static CommandLine commandLine(String[] args) {
        for (String arg : args) {
            if (!arg.startsWith("-")) {
                for (Class<?> c : SUBCOMMANDS) {
                    if (c != CommandLine.HelpCommand.class && c.getAnnotation(Command.class).name().equals(arg)) {
                        return commandLine(List.of(c));
                    }
                }
                break;
            }
        }
        return commandLine(SUBCOMMANDS);
    }

    private static CommandLine commandLine(List<Class<?>> subcommands) {
        CommandLine cl = new CommandLine(new Main());
        for (Class<?> c : subcommands) {
            cl.addSubcommand(c);
        }
        cl.setExecutionExceptionHandler(Main::handleExecutionException);
        cl.setParameterExceptionHandler(Main::handleParameterException);
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        boolean verbose = verbose(parsed);
        if (e instanceof CliException ce && ce.printed()) {
            // already reported line by line (predict)
        } else {
            err.println(commandName(cmd) + ": " + describe(e) + (verbose || isExpected(e) ? ""
                    : " (internal error; run with --verbose for details)"));
        }
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return EXIT_FAILURE;
    }

    private static int handleParameterException(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        String message = e.getMessage();
        if (e.getCause() instanceof CommandLine.TypeConversionException tce && tce.getMessage() != null) {
            message = tce.getMessage();
        }
        err.println(commandName(cmd) + ": " + message + " (see '" + cmd.getCommandSpec().qualifiedName()
                + " --help')");
        if (java.util.Arrays.asList(args).contains("--verbose")) {
            e.printStackTrace(err);
        }
        err.flush();
        return EXIT_USAGE;
    }

    /** Whether {@code --verbose} was given, at any level of the command line. */
    static boolean verbose(CommandLine.Model.CommandSpec spec) {
        CommandLine.Model.CommandSpec root = spec;
        while (root.parent() != null) {
            root = root.parent();
        }
        return root.userObject() instanceof Main m && m.verbose;
    }

    private static boolean verbose(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    private static String commandName(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName();
    }

    /** Failures a user can act on: their message is the whole story. */
    private static boolean isExpected(Throwable e) {
        return e instanceof IOException || e instanceof UncheckedIOException || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException || e instanceof UnsupportedOperationException
                || e instanceof CliException || e instanceof io.mlp4j.TrainingDivergedException;
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        if (e instanceof UncheckedIOException && e.getCause() != null) {
            m = e.getCause().getMessage();
        }
        if (m == null || m.isBlank() || !isExpected(e)) {
            m = e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
        }
        return m.replace('\n', ' ');
    }

    /**
     * {@code mlp4j 0.1.0 (Java 17.0.15+6 Debian, Linux amd64; backends: cpu with the Vector API, aparapi, cublas)}:
     * the backends installed (their providers, in reverse order of rank), without probing a device (that is
     * {@code devices}).
     */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"mlp4j " + version() + " (Java " + Runtime.version() + " "
                    + System.getProperty("java.vendor", "") + ", " + System.getProperty("os.name") + " "
                    + System.getProperty("os.arch") + "; backends: " + backends() + ")"};
        }

        static String backends() {
            String vector = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() ? "the Vector API"
                    : "plain loops";
            return ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                    .sorted(Comparator.comparingInt(BackendProvider::rank))
                    .map(p -> p.name().equals("cpu") ? "cpu with " + vector : p.name())
                    .collect(Collectors.joining(", "));
        }

        static String version() {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                // fall through to "unknown"
            }
            return p.getProperty("version", "unknown");
        }
    }
}
