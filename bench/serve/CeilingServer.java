import com.sun.net.httpserver.HttpServer;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The ceiling for bench/serve-load.sh: the JDK's HttpServer reading each request's body and answering a fixed
 * JSON of the size of a prediction. Run with java -Dsun.net.httpserver.nodelay=true CeilingServer.java PORT.
 * The default executor (the dispatcher thread does everything) is the fastest on 2 vCPUs: no hand-off.
 */
public final class CeilingServer {
    public static void main(String[] args) throws Exception {
        byte[] answer = ("{\"digit\":7,\"probabilities\":[0,0,0.000002,0.000021,0,0,0,0.999977,0,0],\"top\":[{\"digit\":7,"
                + "\"p\":0.999977},{\"digit\":3,\"p\":0.000021},{\"digit\":2,\"p\":0.000002}],\"ms\":0.1}")
                .getBytes(StandardCharsets.UTF_8);
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 0);
        s.createContext("/", ex -> {
            try (InputStream in = ex.getRequestBody()) {
                in.readAllBytes();
            }
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, answer.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(answer);
            }
        });
        s.start();
        System.out.println("ceiling at http://127.0.0.1:" + s.getAddress().getPort() + "/");
    }
}
