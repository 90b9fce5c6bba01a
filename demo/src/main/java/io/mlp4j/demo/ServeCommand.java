package io.mlp4j.demo;

import io.mlp4j.Classifier;
import io.mlp4j.demo.serve.DigitServer;
import io.mlp4j.demo.serve.ServeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.BindException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code mlp4j serve}: digit recognition over HTTP, with a draw-a-digit page. */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Serve digit recognition over HTTP: a page to draw a digit on at /, and a JSON API "
                + "(POST /predict, GET /health, GET /model, GET /metrics; see README). Ctrl-C or SIGTERM stops it: "
                + "requests in flight finish, new ones are refused."})
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE",
            description = "A model.safetensors file (default: the model bundled with mlp4j).")
    Path model;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0: all).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0: any free one).")
    int port;

    @Option(names = "--threads", paramLabel = "N", description = "Request threads (default: 2 per CPU).")
    Integer threads;

    @Option(names = "--queue", paramLabel = "N", defaultValue = "" + ServeOptions.DEFAULT_QUEUE,
            description = "Requests that may wait for a thread; more get 503 (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--max-body", paramLabel = "BYTES", defaultValue = "" + ServeOptions.DEFAULT_MAX_BODY,
            description = "Largest POST /predict body; larger gets 413 (default: ${DEFAULT-VALUE} = 2 MiB).")
    long maxBody;

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "" + ServeOptions.DEFAULT_MAX_PIXELS,
            description = "Largest picture, as its header claims it; larger gets 413 before decoding "
                    + "(default: ${DEFAULT-VALUE} = 1024x1024).")
    long maxPixels;

    @Option(names = "--read-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "A client that takes longer to send its request, or to take the answer, is "
                    + "disconnected (default: ${DEFAULT-VALUE}).")
    int readTimeout;

    @Option(names = "--allow-model-upload",
            description = "Accept POST /model (a model.safetensors body) from this machine only, and swap the "
                    + "model without downtime.")
    boolean allowModelUpload;

    /** How long requests in flight may take to finish once a stop is asked for. */
    private static final int GRACE_SECONDS = 10;

    @Override
    public Integer call() throws Exception {
        if (readTimeout < 1) {
            throw new CliException("bad --read-timeout " + readTimeout + ": expected at least 1 second");
        }
        ServeOptions o = new ServeOptions(host, port, threads == null ? ServeOptions.defaultThreads() : threads,
                queue, maxBody, maxPixels, ServeOptions.DEFAULT_MAX_MODEL_BYTES, allowModelUpload);
        Classifier c = EvalCommand.loadModel(model);
        DigitServer.configureJdkServer(readTimeout);
        DigitServer server;
        try {
            server = DigitServer.start(o, c, model == null ? "the model bundled with mlp4j" : model.toString());
        } catch (BindException e) {
            throw new CliException("cannot listen on " + host + ":" + port + " (" + e.getMessage()
                    + "); pick another --port (0 = any free port) or --host");
        }
        Thread stopper = new Thread(() -> {
            PrintWriter err = spec.commandLine().getErr();
            err.println("stopping: finishing requests in flight (up to " + GRACE_SECONDS + " s)");
            err.flush();
            server.stop(GRACE_SECONDS);
            err.println("stopped");
            err.flush();
        }, "mlp4j-serve-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        PrintWriter out = spec.commandLine().getOut();
        out.println("serving " + c.network() + " at " + server.uri() + " (" + o.threads() + " threads"
                + (allowModelUpload ? ", model upload on from this machine" : "") + "; Ctrl-C stops)");
        out.flush();
        server.awaitStop();
        return 0;
    }
}
