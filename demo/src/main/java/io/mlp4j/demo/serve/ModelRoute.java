package io.mlp4j.demo.serve;

import com.sun.net.httpserver.HttpExchange;
import io.mlp4j.Classifier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code GET /model}: the network, its parameter count and where it came from. {@code POST /model} (only with
 * --allow-model-upload, only from loopback): a safetensors file that replaces the model in one atomic step once
 * it has loaded and fits; a file that does not is refused with the reason and the old model keeps serving.
 */
final class ModelRoute extends Route {

    private final AtomicReference<ServedModel> model;
    private final Metrics metrics;
    private final ServeOptions options;

    ModelRoute(AtomicReference<ServedModel> model, Shared shared, ServeOptions options) {
        super("model", shared);
        this.model = model;
        this.metrics = shared.metrics();
        this.options = options;
    }

    @Override
    Reply answer(HttpExchange ex) throws Reply.Failure, IOException {
        allow(ex, "GET", "HEAD", "POST");
        if (!ex.getRequestMethod().equals("POST")) {
            return Reply.ok(model.get().json());
        }
        if (!options.allowModelUpload()) {
            throw new Reply.Failure(403, "model upload is off; start the server with --allow-model-upload");
        }
        if (!ex.getRemoteAddress().getAddress().isLoopbackAddress()) {
            throw new Reply.Failure(403, "model upload is only accepted from this machine (loopback), not from "
                    + ex.getRemoteAddress().getAddress().getHostAddress());
        }
        if (!"application/octet-stream".equals(mediaType(ex))) {
            throw new Reply.Failure(415, "Content-Type " + mediaType(ex) + ": send the model.safetensors file as "
                    + "application/octet-stream");
        }
        byte[] body = body(ex, options.maxModelBytes(), "the limit for model files");
        Classifier c = load(body);
        if (c.network().inputs() != 28 * 28) {
            throw new Reply.Failure(422, "the uploaded model " + c.network() + " takes " + c.network().inputs()
                    + " inputs; pictures become 28x28 = 784; the old model keeps serving");
        }
        ServedModel next = new ServedModel(c, "uploaded from " + ex.getRemoteAddress().getAddress().getHostAddress()
                + " (" + body.length + " bytes)", Instant.now());
        model.set(next);
        metrics.modelSwapped();
        return Reply.ok(next.json());
    }

    /** The safetensors loader reads files: stage the body in a private temporary file. */
    private static Classifier load(byte[] body) throws Reply.Failure, IOException {
        Path tmp = Files.createTempFile("mlp4j-upload", ".safetensors");
        try {
            Files.write(tmp, body);
            return Classifier.load(tmp);
        } catch (IOException | RuntimeException e) {
            String why = String.valueOf(e.getMessage()).replace(tmp.toString(), "the uploaded model");
            throw new Reply.Failure(422, "model refused, the old model keeps serving: " + why);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
