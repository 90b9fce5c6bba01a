package io.mlp4j.io;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The nesting limit that keeps hostile headers from overflowing the stack (the fuzz targets replay such inputs). */
class JsonTest {

    @Test
    void nestingAtTheLimitParses() throws Json.ParseException {
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertInstanceOf(List.class, Json.parse(ok));
    }

    @Test
    void deeperNestingIsASyntaxErrorNotAStackOverflow() {
        for (String open : new String[] {"[", "{\"a\":"}) {
            String deep = "{\"x\":" + open.repeat(200_000);
            Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse(deep));
            assertTrue(e.getMessage().contains("nested deeper than " + Json.MAX_DEPTH), e.getMessage());
        }
        String oneTooDeep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        assertThrows(Json.ParseException.class, () -> Json.parse(oneTooDeep));
    }
}
