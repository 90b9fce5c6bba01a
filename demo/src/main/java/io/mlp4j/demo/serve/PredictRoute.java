package io.mlp4j.demo.serve;

import com.sun.net.httpserver.HttpExchange;
import io.mlp4j.Classifier;
import io.mlp4j.Prediction;
import io.mlp4j.picture.Pictures;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** {@code POST /predict}: a picture, or JSON pixels (one image or a batch). */
final class PredictRoute extends Route {

    /** How many of the most likely classes an answer lists under "top". */
    private static final int TOP = 3;
    /** Passed instead of a start time: the answer has no "ms" (each image of a batch). */
    private static final long UNTIMED = Long.MIN_VALUE;
    private static final java.util.Set<String> PICTURE_TYPES =
            new java.util.HashSet<>(java.util.Arrays.asList(ImageIO.getReaderMIMETypes()));

    private final AtomicReference<ServedModel> model;
    private final Metrics metrics;
    private final ServeOptions options;

    PredictRoute(AtomicReference<ServedModel> model, Shared shared, ServeOptions options) {
        super("predict", shared);
        this.model = model;
        this.metrics = shared.metrics();
        this.options = options;
    }

    @Override
    Reply answer(HttpExchange ex) throws Reply.Failure, IOException {
        allow(ex, "POST");
        Classifier c = model.get().classifier(); // a request in flight finishes on the model it started with
        String type = mediaType(ex);
        boolean json = "application/json".equals(type);
        if (!json && (type == null || !PICTURE_TYPES.contains(type))) {
            throw new Reply.Failure(415, "Content-Type " + (type == null ? "missing" : type) + ": send a picture"
                    + " (image/png, image/jpeg, image/gif or image/bmp) or application/json"
                    + " {\"pixels\":[784 numbers 0-255]}");
        }
        byte[] body = body(ex, options.maxBodyBytes(), "--max-body");
        long start = System.nanoTime();
        if (json) {
            PixelsJson.Parsed p = PixelsJson.parse(body, c.network().inputs());
            StringBuilder b = new StringBuilder(p.inputs().size() * 300);
            if (p.batch()) {
                b.append('[');
                for (int i = 0; i < p.inputs().size(); i++) {
                    b.append(i == 0 ? "" : ",");
                    answer(b, c, p.inputs().get(i), UNTIMED);
                }
                b.append(']');
            } else {
                answer(b, c, p.inputs().get(0), start);
            }
            metrics.predictions(p.inputs().size());
            return Reply.ok(b.toString());
        }
        BufferedImage image;
        try {
            image = Pictures.decode(new ByteArrayInputStream(body), "the body", options.maxPixels());
        } catch (Pictures.TooLargeException e) {
            throw new Reply.Failure(413, e.getMessage() + " (--max-pixels)");
        } catch (IOException e) {
            throw new Reply.Failure(400, e.getMessage());
        }
        StringBuilder b = new StringBuilder(300);
        answer(b, c, Pictures.input(image), start);
        metrics.predictions(1);
        return Reply.ok(b.toString());
    }

    private static void answer(StringBuilder b, Classifier c, float[] input, long start) {
        if (Pictures.blank(input)) {
            blank(b, start);
        } else {
            write(b, c.top(input, c.network().outputs()), start);
        }
    }

    private static void blank(StringBuilder b, long start) {
        b.append("{\"digit\":null,\"blank\":true");
        ms(b, start);
        b.append('}');
    }

    /** {@code {"digit":7,"probabilities":[...],"top":[{"digit":7,"p":0.98},...],"ms":0.4}}. */
    private static void write(StringBuilder b, List<Prediction> all, long start) {
        float[] byIndex = new float[all.size()];
        for (Prediction p : all) {
            byIndex[p.index()] = (float) p.probability();
        }
        b.append("{\"digit\":").append(all.get(0).index()).append(",\"probabilities\":[");
        for (int i = 0; i < byIndex.length; i++) {
            b.append(i == 0 ? "" : ",");
            JsonText.fixed(b, byIndex[i], 6);
        }
        b.append("],\"top\":[");
        for (int i = 0; i < Math.min(TOP, all.size()); i++) {
            b.append(i == 0 ? "{\"digit\":" : ",{\"digit\":").append(all.get(i).index()).append(",\"p\":");
            JsonText.fixed(b, all.get(i).probability(), 6);
            b.append('}');
        }
        b.append(']');
        ms(b, start);
        b.append('}');
    }

    /** The time spent on decoding and classifying (not on the network), in milliseconds. */
    private static void ms(StringBuilder b, long start) {
        if (start != UNTIMED) {
            b.append(",\"ms\":");
            JsonText.fixed(b, (System.nanoTime() - start) / 1e6, 3);
        }
    }
}
