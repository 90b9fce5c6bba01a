package io.mlp4j.demo.serve;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The draw-a-digit page at {@code /} and its two assets: resources of this module, read once at start. No path
 * of the file system is ever served, and nothing is fetched from elsewhere (the page works offline).
 */
final class PageRoute extends Route {

    private record Asset(String contentType, byte[] bytes) {
    }

    private static final Map<String, Asset> ASSETS = Map.of(
            "/", asset("index.html", "text/html; charset=utf-8"),
            "/page.js", asset("page.js", "text/javascript; charset=utf-8"),
            "/page.css", asset("page.css", "text/css; charset=utf-8"));

    /** Scripts and styles from this server only; pictures the page makes itself (blob:, data:). */
    private static final String CSP = "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; "
            + "base-uri 'none'; frame-ancestors 'none'";

    PageRoute(Shared shared) {
        super("page", shared);
    }

    private static Asset asset(String name, String type) {
        try (InputStream in = PageRoute.class.getResourceAsStream("page/" + name)) {
            if (in == null) {
                throw new IllegalStateException("resource page/" + name + " is missing from this build");
            }
            return new Asset(type, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    boolean exactPath() {
        return false; // "/" is the context of every path no other route takes: the map below decides
    }

    @Override
    Reply answer(HttpExchange ex) throws Reply.Failure {
        String path = ex.getRequestURI().getPath();
        Asset a = ASSETS.get(path);
        if (a == null) {
            throw notFound(path);
        }
        allow(ex, "GET", "HEAD");
        return new Reply(200, a.contentType(), a.bytes(), Map.of("Content-Security-Policy", CSP));
    }
}
