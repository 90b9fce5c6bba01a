package io.mlp4j.demo.serve;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the JSON bodies of {@code POST /predict}: {@code {"pixels":[784 numbers 0-255]}} or
 * {@code {"images":[[784 numbers], ...]}}. Strict (nothing else in the object) and direct to floats: the body is
 * at most a few MiB, and no intermediate tree of boxed numbers is built.
 */
final class PixelsJson {

    /** The model inputs (pixel / 255), and whether the body was the batch form. */
    record Parsed(List<float[]> inputs, boolean batch) {
    }

    private final byte[] s;
    private final int pixels;
    private int i;

    private PixelsJson(byte[] body, int pixels) {
        this.s = body;
        this.pixels = pixels;
    }

    /** @param pixels how many numbers each image must have (the model's inputs) */
    static Parsed parse(byte[] body, int pixels) throws Reply.Failure {
        return new PixelsJson(body, pixels).object();
    }

    private Parsed object() throws Reply.Failure {
        expect('{');
        String key = key();
        expect(':');
        Parsed p;
        if (key.equals("pixels")) {
            p = new Parsed(List.of(image("\"pixels\"")), false);
        } else if (key.equals("images")) {
            expect('[');
            List<float[]> images = new ArrayList<>();
            if (peek() == ']') {
                throw bad("\"images\" is empty; send at least one image");
            }
            do {
                images.add(image("image " + images.size()));
            } while (comma(']'));
            p = new Parsed(images, true);
        } else {
            throw bad("unknown key \"" + key + "\"; expected {\"pixels\":[" + pixels + " numbers 0-255]} or "
                    + "{\"images\":[[" + pixels + " numbers], ...]}");
        }
        expect('}');
        skipSpace();
        if (i != s.length) {
            throw bad("unexpected text after the JSON object at byte " + i);
        }
        return p;
    }

    /** One image: an array of exactly {@code pixels} numbers in [0, 255]. */
    private float[] image(String which) throws Reply.Failure {
        expect('[');
        float[] x = new float[pixels];
        int n = 0;
        if (peek() != ']') {
            do {
                double v = number();
                if (n == pixels) {
                    throw bad(which + " has more than " + pixels + " numbers; expected " + pixels + " (28x28)");
                }
                if (!(v >= 0 && v <= 255)) {
                    throw bad(which + ": pixel " + n + " is " + v + "; expected 0-255 (0 = background)");
                }
                x[n++] = (float) (v / 255.0);
            } while (comma(']'));
        } else {
            i++;
        }
        if (n != pixels) {
            throw bad(which + " has " + n + " numbers; expected " + pixels + " (28x28, row by row)");
        }
        return x;
    }

    /** A JSON number (integers take the fast path). */
    private double number() throws Reply.Failure {
        skipSpace();
        int start = i;
        long whole = 0;
        while (i < s.length && s[i] >= '0' && s[i] <= '9' && i - start < 15) {
            whole = whole * 10 + (s[i++] - '0');
        }
        boolean simple = i > start && (i == start + 1 || s[start] != '0');
        if (simple && (i == s.length || (s[i] != '.' && s[i] != 'e' && s[i] != 'E' && !(s[i] >= '0' && s[i] <= '9')))) {
            return whole;
        }
        i = start;
        if (i < s.length && s[i] == '-') {
            i++;
        }
        while (i < s.length && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' || s[i] == 'e' || s[i] == 'E'
                || s[i] == '+' || s[i] == '-')) {
            i++;
        }
        String text = new String(s, start, i - start, java.nio.charset.StandardCharsets.ISO_8859_1);
        if (!text.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
            throw bad(start >= s.length ? "the JSON ends too early (expected a number)"
                    : text.isEmpty() ? "expected a number at byte " + start
                    : "\"" + text + "\" at byte " + start + " is not a JSON number");
        }
        return Double.parseDouble(text);
    }

    /** A key: a plain string without escapes. */
    private String key() throws Reply.Failure {
        expect('"');
        int start = i;
        while (i < s.length && s[i] != '"' && s[i] != '\\' && i - start < 64) {
            i++;
        }
        if (i >= s.length || s[i] != '"') {
            throw bad("expected \"pixels\" or \"images\" at byte " + start);
        }
        return new String(s, start, i++ - start, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** After an element: true at a comma, false (and consumed) at {@code close}. */
    private boolean comma(char close) throws Reply.Failure {
        char c = peek();
        if (c == ',') {
            i++;
            return true;
        }
        if (c == close) {
            i++;
            return false;
        }
        throw bad(c == 0 ? "the JSON ends too early" : "expected ',' or '" + close + "' at byte " + i);
    }

    private void expect(char c) throws Reply.Failure {
        if (peek() != c) {
            throw bad(i >= s.length ? "the JSON ends too early (expected '" + c + "')"
                    : "expected '" + c + "' at byte " + i);
        }
        i++;
    }

    /** The next non-space byte (not consumed), or 0 at the end. */
    private char peek() {
        skipSpace();
        return i < s.length ? (char) (s[i] & 0xFF) : 0;
    }

    private void skipSpace() {
        while (i < s.length && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) {
            i++;
        }
    }

    private Reply.Failure bad(String why) {
        return new Reply.Failure(400, "bad JSON body: " + why);
    }
}
