package io.mlp4j.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal HTTP/1.1 server on 127.0.0.1 for download tests (module jdk.httpserver is not readable from the
 * patched module): GET only, one connection at a time, every response closes its connection.
 */
final class TinyHttpServer implements AutoCloseable {

    /** A canned response; {@code claimedLength} may exceed the body to simulate a connection cut short. */
    record Response(int status, byte[] body, long claimedLength) {
        static Response ok(byte[] body) {
            return new Response(200, body, body.length);
        }
    }

    private final ServerSocket socket;
    private final Map<String, Response> routes = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final Thread thread;

    TinyHttpServer() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        thread = new Thread(this::loop, "tiny-http");
        thread.setDaemon(true);
        thread.start();
    }

    /** The base URI of a folder on this server, with a trailing slash. */
    URI base(String folder) {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/" + folder + "/");
    }

    void serve(String path, Response response) {
        routes.put(path, response);
    }

    /** How many requests asked for {@code path}. */
    int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    private void loop() {
        while (!socket.isClosed()) {
            try (Socket s = socket.accept()) {
                s.setSoTimeout(10_000);
                handle(s);
            } catch (IOException e) {
                // closed, or a client gave up: serve the next one
            }
        }
    }

    private void handle(Socket s) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        String requestLine = in.readLine();
        if (requestLine == null) {
            return;
        }
        String line;
        while ((line = in.readLine()) != null && !line.isEmpty()) {
            // headers are ignored
        }
        String[] parts = requestLine.split(" ");
        String path = parts.length > 1 ? parts[1] : "/";
        hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        Response r = routes.getOrDefault(path, new Response(404, "not found\n".getBytes(StandardCharsets.US_ASCII),
                10));
        String head = "HTTP/1.1 " + r.status() + " " + (r.status() == 200 ? "OK" : r.status() == 404 ? "Not Found"
                : "Error") + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + r.claimedLength()
                + "\r\nConnection: close\r\n\r\n";
        OutputStream out = s.getOutputStream();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(r.body());
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
