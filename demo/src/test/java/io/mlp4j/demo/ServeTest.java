package io.mlp4j.demo;

import io.mlp4j.Classifier;
import io.mlp4j.Network;
import io.mlp4j.Trainer;
import io.mlp4j.data.DataSet;
import io.mlp4j.demo.serve.DigitServer;
import io.mlp4j.demo.serve.ServeOptions;
import io.mlp4j.picture.Pictures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code mlp4j serve}'s HTTP API against the real server on an ephemeral loopback port, through
 * java.net.http.HttpClient (and a hand-written socket where a client must misbehave): every route, every bad input.
 */
class ServeTest {

    private static DigitServer server;
    private static Classifier model;
    private static DataSet test;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        server = Served.start(Served.options());
        model = Classifier.pretrained();
        test = Cli.mnist().test();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void health() throws Exception {
        Served.Answer a = Served.get(server, "/health");
        assertEquals(200, a.status());
        assertEquals("{\"status\":\"ok\",\"network\":\"784-256-10\"}", a.body());
        assertEquals("application/json", a.header("Content-Type"));
    }

    @Test
    void modelDescribesTheNetworkAndItsSource() throws Exception {
        Served.Answer a = Served.get(server, "/model");
        assertEquals(200, a.status());
        assertTrue(a.body().startsWith("{\"network\":\"784-256-10\",\"parameters\":203530,\"inputs\":784,"
                + "\"labels\":[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"],"
                + "\"source\":\"the model bundled with mlp4j\",\"loaded\":\""), a.body());
    }

    @Test
    void picturesAreClassifiedAsPredictDoes() throws Exception {
        for (int i = 0; i < 30; i++) {
            BufferedImage picture = Digits.onPaper(test, i, 3, 100, 90, 5 + i, 3);
            Served.Answer a = Served.post(server, "/predict", "image/png", Served.png(picture));
            assertEquals(200, a.status(), a.body());
            assertEquals(model.predict(Pictures.input(picture)), digit(a.body()), "image " + i + ": " + a.body());
            float[] p = probabilities(a.body());
            assertEquals(10, p.length);
            double sum = 0;
            for (float v : p) {
                sum += v;
            }
            assertEquals(1.0, sum, 1e-4, a.body());
            assertTrue(a.body().matches("\\{\"digit\":\\d,\"probabilities\":\\[[^]]*],\"top\":\\[(\\{\"digit\":\\d,"
                    + "\"p\":[0-9.]+},?){3}],\"ms\":[0-9.]+}"), a.body());
        }
    }

    @Test
    void jsonPixelsGiveTheClassifiersProbabilities() throws Exception {
        for (int i = 0; i < 30; i++) {
            Served.Answer a = Served.post(server, "/predict", "application/json; charset=utf-8",
                    Served.pixelsJson(test.image(i)).getBytes(StandardCharsets.UTF_8));
            assertEquals(200, a.status(), a.body());
            float[] expected = model.probabilities(test.imageAsFloats(i));
            assertArrayEquals(expected, probabilities(a.body()), 1e-6f, a.body());
            assertEquals(model.predict(test.image(i)), digit(a.body()));
            String top = a.body().substring(a.body().indexOf("\"top\""));
            assertTrue(top.startsWith("\"top\":[{\"digit\":" + digit(a.body()) + ","), top);
        }
    }

    @Test
    void batchOfPixelsReturnsAList() throws Exception {
        StringBuilder b = new StringBuilder("{\"images\": [");
        for (int i = 0; i < 5; i++) {
            String one = Served.pixelsJson(test.image(i));
            b.append(i == 0 ? "" : ", ").append(one, one.indexOf('['), one.length() - 1);
        }
        Served.Answer a = Served.post(server, "/predict", "application/json", b.append("]}").toString()
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(200, a.status(), a.body());
        assertTrue(a.body().startsWith("[{\"digit\":") && a.body().endsWith("}]"), a.body());
        Matcher m = Pattern.compile("\\{\"digit\":(\\d),\"probabilities\"").matcher(a.body());
        for (int i = 0; i < 5; i++) {
            assertTrue(m.find(), a.body());
            assertEquals(model.predict(test.image(i)), Integer.parseInt(m.group(1)));
        }
        assertFalse(m.find(), "5 answers for 5 images: " + a.body());
    }

    @Test
    void blankPicturesAndPixelsAreBlankNotAGuess() throws Exception {
        BufferedImage white = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                white.setRGB(x, y, 0xF0F0F0);
            }
        }
        Served.Answer a = Served.post(server, "/predict", "image/png", Served.png(white));
        assertEquals(200, a.status());
        assertTrue(a.body().matches("\\{\"digit\":null,\"blank\":true,\"ms\":[0-9.]+}"), a.body());
        a = Served.post(server, "/predict", "application/json", Served.pixelsJson(new byte[784])
                .getBytes(StandardCharsets.UTF_8));
        assertTrue(a.body().startsWith("{\"digit\":null,\"blank\":true"), a.body());
    }

    @Test
    void malformedBodiesAre400WithTheReason() throws Exception {
        String[][] cases = {
            {"{\"pixels\":[1,2,3]}", "\"pixels\" has 3 numbers; expected 784"},
            {"{\"pixels\":[", "ends too early"},
            {"not json", "expected '{' at byte 0"},
            {"{\"colour\":[]}", "unknown key \"colour\""},
            {"{\"images\":[]}", "\"images\" is empty"},
            {"{\"pixels\":[" + "1,".repeat(783) + "300]}", "pixel 783 is 300.0; expected 0-255"},
            {"{\"pixels\":[" + "1,".repeat(783) + "-1]}", "pixel 783 is -1.0"},
            {"{\"pixels\":[" + "1,".repeat(783) + "01]}", "\"01\" at byte"},
            {"{\"pixels\":[" + "1,".repeat(784) + "1]}", "more than 784 numbers"},
            {"{\"pixels\":[" + "1,".repeat(783) + "1]} x", "unexpected text after the JSON object"},
            {"", "ends too early"},
        };
        for (String[] c : cases) {
            Served.Answer a = Served.post(server, "/predict", "application/json", c[0].getBytes(StandardCharsets.UTF_8));
            assertEquals(400, a.status(), c[0]);
            assertEquals("application/json", a.header("Content-Type"));
            assertTrue(a.body().startsWith("{\"error\":\"bad JSON body: ")
                    && a.body().replace("\\\"", "\"").contains(c[1]),
                    c[1] + " in " + a.body());
        }
        byte[] png = Served.png(Digits.asIs(test, 0));
        for (byte[] broken : List.of("not a picture".getBytes(StandardCharsets.UTF_8),
                Arrays.copyOf(png, png.length / 2), new byte[0])) {
            Served.Answer a = Served.post(server, "/predict", "image/png", broken);
            assertEquals(400, a.status(), a.body());
            assertTrue(a.body().startsWith("{\"error\":\"the body: "), a.body());
        }
        // fractional pixels are fine
        Served.Answer a = Served.post(server, "/predict", "application/json",
                ("{\"pixels\":[" + "0.5,".repeat(783) + "2.55e2]}").getBytes(StandardCharsets.UTF_8));
        assertEquals(200, a.status(), a.body());
    }

    @Test
    void wrongContentTypeIs415() throws Exception {
        byte[] png = Served.png(Digits.asIs(test, 0));
        for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", "image/webp", null}) {
            Served.Answer a = Served.post(server, "/predict", type, png);
            assertEquals(415, a.status(), type + ": " + a.body());
            assertTrue(a.body().contains("send a picture (image/png"), a.body());
        }
    }

    @Test
    void wrongMethodIs405AndUnknownPathIs404() throws Exception {
        Served.Answer a = Served.get(server, "/predict");
        assertEquals(405, a.status());
        assertEquals("POST", a.header("Allow"));
        a = Served.get(server, "/etc/passwd");
        assertEquals(404, a.status());
        assertTrue(a.body().contains("no such page"), a.body());
        assertEquals(404, Served.get(server, "/../../etc/passwd").status());
        assertEquals(404, Served.get(server, "/healthz").status(), "contexts match by prefix; routes do not");
        assertEquals(404, Served.post(server, "/predict/x", "image/png", new byte[1]).status());
        assertEquals(404, Served.get(server, "/page.js/../../module-info.class").status());
    }

    @Test
    void declaredOversizedBodyIs413BeforeItIsSent() throws Exception {
        // 100 MB announced, 10 bytes sent: the answer comes without the rest.
        try (Served.SlowClient c = new Served.SlowClient(server.uri(), "/predict", "image/png", 100_000_000L,
                new byte[10])) {
            long t0 = System.nanoTime();
            String r = c.answer();
            assertTrue(r.startsWith("HTTP/1.1 413 "), r);
            assertTrue(r.contains("over the limit of 2097152 bytes (--max-body)"), r);
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(Served.READ_TIMEOUT_SECONDS), "prompt");
        }
    }

    @Test
    void chunkedOversizedBodyIs413() throws Exception {
        byte[] big = new byte[3 << 20];
        Served.Answer a = Served.send(HttpRequest.newBuilder(server.uri().resolve("/predict"))
                .header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))));
        assertEquals(413, a.status(), a.body());
        assertEquals("close", a.header("Connection"));
    }

    @Test
    void decompressionBombIsRefusedFromItsHeader() throws Exception {
        byte[] bomb = bomb(20_000, 20_000);
        assertTrue(bomb.length < 2 << 20, "fits the body limit: " + bomb.length);
        long heapBefore = usedHeap();
        Served.Answer a = Served.post(server, "/predict", "image/png", bomb);
        assertEquals(413, a.status(), a.body());
        assertTrue(a.body().contains("20000x20000 = 400,000,000 pixels, over the limit of 1,048,576"), a.body());
        assertTrue(usedHeap() - heapBefore < 100 << 20, "not decoded");
    }

    @Test
    void tooManyRequestsAtOnceGet503WithRetryAfter() throws Exception {
        ServeOptions o = Served.options();
        o = new ServeOptions(o.host(), 0, 1, 1, o.maxBodyBytes(), o.maxPixels(), o.maxModelBytes(), false);
        byte[] png = Served.png(Digits.asIs(test, 0));
        try (DigitServer small = Served.start(o);
             Served.SlowClient busy = new Served.SlowClient(small.uri(), "/predict", "image/png", png.length,
                     Arrays.copyOf(png, 10))) {
            // (well within the read timeout, after which the server would drop busy and free its thread)
            Thread.sleep(500); // the only thread now waits for the rest of busy's body
            CompletableFuture<Served.Answer> queued = CompletableFuture.supplyAsync(() -> post(small, png));
            Thread.sleep(500); // queued now: the queue holds one
            Served.Answer refused = Served.post(small, "/predict", "image/png", png);
            assertEquals(503, refused.status(), refused.body());
            assertEquals("1", refused.header("Retry-After"));
            assertTrue(refused.body().contains("busy"), refused.body());
            busy.send(Arrays.copyOfRange(png, 10, png.length));
            assertTrue(busy.response().startsWith("HTTP/1.1 200 "));
            assertEquals(200, queued.get(10, TimeUnit.SECONDS).status());
            assertEquals(200, Served.post(small, "/predict", "image/png", png).status(), "serves again");
        }
    }

    @Test
    void aClientThatStopsSendingIsDisconnected() throws Exception {
        try (Served.SlowClient c = new Served.SlowClient(server.uri(), "/predict", "image/png", 1000, new byte[10])) {
            long t0 = System.nanoTime();
            String r;
            try {
                r = c.response();
            } catch (java.net.SocketException reset) {
                r = "";
            }
            double s = (System.nanoTime() - t0) / 1e9;
            assertEquals("", r, "no answer, the connection is closed");
            assertTrue(s >= Served.READ_TIMEOUT_SECONDS - 0.5 && s < Served.READ_TIMEOUT_SECONDS + 3, "after " + s);
        }
        assertEquals(200, Served.get(server, "/health").status());
        String m = Served.get(server, "/metrics").body();
        assertTrue(Pattern.compile("(?m)^mlp4j_http_dropped_total [1-9]\\d*$").matcher(m).find(), m);
        assertFalse(m.contains("code=\"500\""), "a dropped client is no server error: " + m);
    }

    @Test
    void metricsInPrometheusTextFormat() throws Exception {
        Served.post(server, "/predict", "text/plain", new byte[1]);
        Served.post(server, "/predict", "image/png", Served.png(Digits.asIs(test, 1)));
        Served.Answer a = Served.get(server, "/metrics");
        assertEquals(200, a.status());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", a.header("Content-Type"));
        String m = a.body();
        assertTrue(Pattern.compile("(?m)^mlp4j_http_requests_total\\{route=\"predict\",code=\"200\"} [1-9]\\d*$")
                .matcher(m).find(), m);
        assertTrue(Pattern.compile("(?m)^mlp4j_http_requests_total\\{route=\"predict\",code=\"415\"} [1-9]\\d*$")
                .matcher(m).find(), m);
        assertTrue(Pattern.compile("(?m)^mlp4j_http_errors_total [1-9]\\d*$").matcher(m).find(), m);
        for (String q : List.of("0.5", "0.9", "0.99", "0.999")) {
            Matcher x = Pattern.compile("(?m)^mlp4j_http_request_duration_seconds\\{quantile=\"" + Pattern.quote(q)
                    + "\"} (\\S+)$").matcher(m);
            assertTrue(x.find(), q + " in " + m);
            double v = Double.parseDouble(x.group(1));
            assertTrue(v > 0 && v < 60, q + ": " + v);
        }
        assertTrue(m.contains("# TYPE mlp4j_http_request_duration_seconds summary\n"), m);
        // every sample line is NAME{LABELS} VALUE or NAME VALUE, every family has HELP and TYPE
        for (String line : m.split("\n")) {
            assertTrue(line.startsWith("# HELP ") || line.startsWith("# TYPE ")
                    || line.matches("[a-z0-9_]+(\\{[a-z]+=\"[^\"]*\"(,[a-z]+=\"[^\"]*\")*})? [0-9.eE+-]+"), line);
        }
    }

    @Test
    void thePageAndItsAssetsComeFromTheModuleAndNeedNothingElse() throws Exception {
        Served.Answer page = Served.get(server, "/");
        assertEquals(200, page.status());
        assertEquals("text/html; charset=utf-8", page.header("Content-Type"));
        assertTrue(page.header("Content-Security-Policy").startsWith("default-src 'self'"));
        for (String s : List.of("<canvas id=\"pad\"", "id=\"clear\"", "id=\"upload\"", "name=\"viewport\"",
                "src=\"/page.js\"", "href=\"/page.css\"")) {
            assertTrue(page.body().contains(s), s);
        }
        Served.Answer js = Served.get(server, "/page.js");
        Served.Answer css = Served.get(server, "/page.css");
        assertEquals("text/javascript; charset=utf-8", js.header("Content-Type"));
        assertEquals("text/css; charset=utf-8", css.header("Content-Type"));
        for (Served.Answer a : List.of(page, js, css)) {
            assertEquals(200, a.status());
            assertFalse(a.body().matches("(?s).*(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}/.*"), "offline: no outside URL");
            assertFalse(a.body().contains("@import") || a.body().contains("url("), "no outside fonts or styles");
        }
    }

    @Test
    void modelUploadIsOffByDefault() throws Exception {
        Served.Answer a = Served.post(server, "/model", "application/octet-stream", new byte[10]);
        assertEquals(403, a.status());
        assertTrue(a.body().contains("--allow-model-upload"), a.body());
    }

    @Test
    void modelUploadSwapsAtomicallyAndRefusesBadFiles() throws Exception {
        Path other = tmp.resolve("other.safetensors");
        Classifier untrained;
        try (Trainer t = Trainer.builder(Network.of(784, 16, 10)).backend("cpu").seed(7).build()) {
            untrained = t.classifier();
        }
        untrained.save(other);
        Path narrow = tmp.resolve("narrow.safetensors");
        try (Trainer t = Trainer.builder(Network.of(100, 10)).backend("cpu").seed(7).build()) {
            t.classifier().save(narrow);
        }
        byte[] png = Served.png(Digits.asIs(test, 0));
        try (DigitServer s = Served.start(Served.options().withModelUpload(true))) {
            // garbage, a truncated file, a model for other inputs: refused, the old model keeps serving
            byte[] good = Files.readAllBytes(other);
            for (byte[] bad : List.of("garbage".getBytes(StandardCharsets.UTF_8), Arrays.copyOf(good, good.length - 8),
                    Files.readAllBytes(narrow))) {
                Served.Answer a = Served.post(s, "/model", "application/octet-stream", bad);
                assertEquals(422, a.status(), a.body());
                assertTrue(a.body().contains("the old model keeps serving"), a.body());
                assertFalse(a.body().contains(System.getProperty("java.io.tmpdir") + "/mlp4j-upload"), a.body());
                assertTrue(Served.get(s, "/model").body().contains("\"network\":\"784-256-10\""));
            }
            assertEquals(415, Served.post(s, "/model", "text/plain", good).status());

            // a request in flight when the model changes finishes on the model it started with
            try (Served.SlowClient inFlight = new Served.SlowClient(s.uri(), "/predict", "image/png", png.length,
                    Arrays.copyOf(png, 10))) {
                awaitInFlight(s, 1);
                Served.Answer swap = Served.post(s, "/model", "application/octet-stream", good);
                assertEquals(200, swap.status(), swap.body());
                assertTrue(swap.body().contains("\"network\":\"784-16-10\"") && swap.body().contains(
                        "\"source\":\"uploaded from 127.0.0.1 (" + good.length + " bytes)\""), swap.body());
                inFlight.send(Arrays.copyOfRange(png, 10, png.length));
                String old = inFlight.response();
                assertEquals(top1(model, Digits.asIs(test, 0)), top1(old), old);
            }
            Served.Answer now = Served.post(s, "/predict", "image/png", png);
            assertEquals(top1(untrained, Digits.asIs(test, 0)), top1(now.body()), now.body());
            assertTrue(Served.get(s, "/model").body().contains("\"network\":\"784-16-10\""));
            assertTrue(Served.get(s, "/metrics").body().contains("\nmlp4j_model_swaps_total 1\n"));
        }
    }

    @Test
    void modelUploadOnlyFromLoopback() throws Exception {
        InetAddress outside = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .filter(i -> {
                    try {
                        return i.isUp() && !i.isLoopback();
                    } catch (java.net.SocketException e) {
                        return false;
                    }
                })
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof java.net.Inet4Address && !a.isLoopbackAddress()).findFirst().orElse(null);
        assumeTrue(outside != null, "this machine has no address but loopback");
        ServeOptions o = Served.options().withModelUpload(true);
        o = new ServeOptions("0.0.0.0", 0, 2, 8, o.maxBodyBytes(), o.maxPixels(), o.maxModelBytes(), true);
        try (DigitServer s = Served.start(o)) {
            java.net.URI via = java.net.URI.create("http://" + outside.getHostAddress() + ":" + s.port() + "/model");
            Served.Answer a = Served.send(HttpRequest.newBuilder(via).header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[10])));
            assertEquals(403, a.status(), a.body());
            assertTrue(a.body().contains("only accepted from this machine (loopback), not from "
                    + outside.getHostAddress()), a.body());
        }
    }

    @Test
    void stopFinishesRequestsInFlightAndRefusesNewOnes() throws Exception {
        byte[] png = Served.png(Digits.asIs(test, 0));
        DigitServer s = Served.start(Served.options());
        int port = s.port();
        try (Served.SlowClient inFlight = new Served.SlowClient(s.uri(), "/predict", "image/png", png.length,
                Arrays.copyOf(png, 10))) {
            awaitInFlight(s, 1);
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> s.stop(10));
            Thread.sleep(300);
            assertFalse(stopping.isDone(), "waits for the request in flight");
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(), "listener closed");
            inFlight.send(Arrays.copyOfRange(png, 10, png.length));
            String r = inFlight.response();
            assertTrue(r.startsWith("HTTP/1.1 200 "), r);
            stopping.get(5, TimeUnit.SECONDS);
        }
    }

    // --- helpers

    private static Served.Answer post(DigitServer s, byte[] png) {
        try {
            return Served.post(s, "/predict", "image/png", png);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    /** Waits until the server's metrics show {@code n} requests in flight besides the metrics request. */
    private static void awaitInFlight(DigitServer s, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            Served.Answer m;
            try {
                m = Served.get(s, "/metrics");
            } catch (java.io.IOException e) {
                m = null; // the one thread may be busy: the metrics request then waits in the queue or gets 503
            }
            if (m != null && m.body().contains("\nmlp4j_http_requests_in_flight " + n + "\n")) {
                return;
            }
            if (m != null && m.status() == 503) {
                return; // the only thread is taken: that is the request in flight
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no request in flight");
    }

    private static int digit(String json) {
        Matcher m = Pattern.compile("^\\{\"digit\":(\\d+),").matcher(json);
        assertTrue(m.find(), json);
        return Integer.parseInt(m.group(1));
    }

    private static float[] probabilities(String json) {
        Matcher m = Pattern.compile("\"probabilities\":\\[([^]]*)]").matcher(json);
        assertTrue(m.find(), json);
        String[] parts = m.group(1).split(",");
        float[] p = new float[parts.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = Float.parseFloat(parts[i]);
        }
        return p;
    }

    /** The first entry of "top" with its probability, e.g. "7:0.999977". */
    private static String top1(String response) {
        Matcher m = Pattern.compile("\"top\":\\[\\{\"digit\":(\\d),\"p\":([0-9.]+)}").matcher(response);
        assertTrue(m.find(), response);
        return m.group(1) + ":" + m.group(2);
    }

    private static String top1(Classifier c, BufferedImage picture) {
        var p = c.top(Pictures.input(picture), 1).get(0);
        StringBuilder b = new StringBuilder();
        b.append(p.index()).append(':');
        String v = String.format(Locale.ROOT, "%.6f", p.probability()).replaceAll("0+$", "").replaceAll("\\.$", "");
        return b.append(v).toString();
    }

    private static long usedHeap() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** A grey PNG of {@code w x h} zero pixels: a few hundred KB that would decode to w*h bytes or more. */
    static byte[] bomb(int w, int h) throws Exception {
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(9))) {
            byte[] row = new byte[w + 1];
            for (int y = 0; y < h; y++) {
                z.write(row);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 0)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(png, "IHDR", ihdr.array());
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws Exception {
        java.io.DataOutputStream d = new java.io.DataOutputStream(out);
        d.writeInt(data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        d.write(t);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }

    @Test
    void optionsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new ServeOptions("127.0.0.1", 70000, 1, 1, 1, 1, 1, false));
        assertThrows(IllegalArgumentException.class, () -> new ServeOptions("127.0.0.1", 0, 0, 1, 1, 1, 1, false));
        assertNotNull(Served.options());
    }
}
