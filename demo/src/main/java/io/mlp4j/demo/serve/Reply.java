package io.mlp4j.demo.serve;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a route answers: status, content type, body and any extra headers. */
record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {

    static Reply json(int status, String json) {
        return new Reply(status, "application/json", json.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static Reply ok(String json) {
        return json(200, json);
    }

    /** {@code {"error":"..."}}. */
    static Reply error(int status, String message) {
        return json(status, "{\"error\":" + JsonText.string(message) + "}");
    }

    Reply with(String header, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(header, value);
        return new Reply(status, contentType, body, h);
    }

    /** An error reply as an exception, so that parsing code several calls deep can give up with it. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Reply reply;

        Failure(int status, String message) {
            super(message, null, false, false);
            this.reply = error(status, message);
        }

        Failure(Reply reply, String message) {
            super(message, null, false, false);
            this.reply = reply;
        }

        Reply reply() {
            return reply;
        }
    }
}
