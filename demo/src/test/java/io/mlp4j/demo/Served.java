package io.mlp4j.demo;

import io.mlp4j.Classifier;
import io.mlp4j.demo.serve.DigitServer;
import io.mlp4j.demo.serve.ServeOptions;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Test helpers for {@code mlp4j serve}: a real server on an ephemeral loopback port, and clients for it. */
final class Served {

    /** The JDK server reads its timeouts once per JVM: every test server in this JVM uses these. */
    static final int READ_TIMEOUT_SECONDS = 3;

    static {
        DigitServer.configureJdkServer(READ_TIMEOUT_SECONDS);
    }

    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Served() {
    }

    static ServeOptions options() {
        return ServeOptions.defaults("127.0.0.1", 0);
    }

    static DigitServer start(ServeOptions o) {
        try {
            return DigitServer.start(o, Classifier.pretrained(), "the model bundled with mlp4j");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Answer(int status, String body, HttpResponse<String> response) {
        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }
    }

    static Answer get(DigitServer s, String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(s.uri().resolve(path)).GET());
    }

    static Answer post(DigitServer s, String path, String type, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.uri().resolve(path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        return send(b);
    }

    static Answer send(HttpRequest.Builder b) throws IOException, InterruptedException {
        HttpResponse<String> r = CLIENT.send(b.timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body(), r);
    }

    static byte[] png(BufferedImage image) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code {"pixels":[...]}} of uint8 pixels. */
    static String pixelsJson(byte[] px) {
        StringBuilder b = new StringBuilder("{\"pixels\":[");
        for (int i = 0; i < px.length; i++) {
            b.append(i == 0 ? "" : ",").append(px[i] & 0xFF);
        }
        return b.append("]}").toString();
    }

    /** A request sent by hand: the headers and part of the body now, the rest when the test says. */
    static final class SlowClient implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;

        SlowClient(URI server, String path, String type, long declaredLength, byte[] firstPart) throws IOException {
            socket = new Socket(server.getHost(), server.getPort());
            socket.setSoTimeout(15_000);
            out = socket.getOutputStream();
            String head = "POST " + path + " HTTP/1.1\r\nHost: " + server.getHost() + "\r\nContent-Type: " + type
                    + "\r\nContent-Length: " + declaredLength + "\r\nConnection: close\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(firstPart);
            out.flush();
        }

        void send(byte[] rest) throws IOException {
            out.write(rest);
            out.flush();
        }

        /** The answer's head and body (by its Content-Length), without waiting for the connection to close. */
        String answer() throws IOException {
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.write(b);
            }
            String h = head.toString(StandardCharsets.US_ASCII);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(h);
            byte[] body = m.find() ? in.readNBytes(Integer.parseInt(m.group(1))) : new byte[0];
            return h + new String(body, StandardCharsets.UTF_8);
        }

        /** Everything the server sends until it closes the connection (HTTP/1.1 with Connection: close). */
        String response() throws IOException {
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
