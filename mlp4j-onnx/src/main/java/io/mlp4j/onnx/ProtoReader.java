package io.mlp4j.onnx;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/**
 * Reads the protobuf wire format from a byte range, field by field. Every length is checked against the bytes
 * that remain before anything is taken, so a message can never claim more than its enclosing range holds.
 */
final class ProtoReader {

    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    /** A malformed message; the message says what and where (as a byte offset in the file). */
    static final class MalformedException extends Exception {
        MalformedException(String message) {
            super(message);
        }
    }

    private final byte[] data;
    private int pos;
    private final int limit;
    private int tag;

    ProtoReader(byte[] data, int from, int to) {
        this.data = data;
        this.pos = from;
        this.limit = to;
    }

    /** Advances to the next field; false at the end of the range. */
    boolean next() throws MalformedException {
        if (pos >= limit) {
            return false;
        }
        int at = pos;
        long t = varint();
        if (t >>> 32 != 0 || (t >>> 3) == 0) {
            throw new MalformedException("bad field tag " + t + " at byte " + at);
        }
        tag = (int) t;
        int type = wireType();
        if (type != VARINT && type != FIXED64 && type != LENGTH_DELIMITED && type != FIXED32) {
            throw new MalformedException("unsupported wire type " + type + " at byte " + at);
        }
        return true;
    }

    int field() {
        return tag >>> 3;
    }

    int wireType() {
        return tag & 7;
    }

    /** Byte offset of the next unread byte (for messages). */
    int position() {
        return pos;
    }

    long varint() throws MalformedException {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= limit) {
                throw new MalformedException("a number runs past the end of its message at byte " + pos);
            }
            byte b = data[pos++];
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw new MalformedException("a number longer than 10 bytes at byte " + pos);
    }

    int fixed32() throws MalformedException {
        need(4);
        int v = (data[pos] & 0xFF) | (data[pos + 1] & 0xFF) << 8 | (data[pos + 2] & 0xFF) << 16
                | (data[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    /** The range of a length-delimited field's payload, as {@code {from, to}}; the reader moves past it. */
    int[] range() throws MalformedException {
        expect(LENGTH_DELIMITED);
        int at = pos;
        long n = varint();
        if (n < 0 || n > limit - pos) {
            throw new MalformedException("field " + field() + " at byte " + at + " claims " + Long.toUnsignedString(n)
                    + " bytes but only " + (limit - pos) + " remain (is the file truncated?)");
        }
        int from = pos;
        pos += (int) n;
        return new int[] {from, pos};
    }

    /** A reader over an embedded message. */
    ProtoReader message() throws MalformedException {
        int[] r = range();
        return new ProtoReader(data, r[0], r[1]);
    }

    String string() throws MalformedException {
        int[] r = range();
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data, r[0], r[1] - r[0])).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedException("a string at byte " + r[0] + " is not valid UTF-8");
        }
    }

    /** An int64 field, or the next element of a repeated one (callers of packed fields use {@link #message}). */
    long int64() throws MalformedException {
        expect(VARINT);
        return varint();
    }

    float float32() throws MalformedException {
        expect(FIXED32);
        return Float.intBitsToFloat(fixed32());
    }

    /** Skips the current field's value. */
    void skip() throws MalformedException {
        switch (wireType()) {
            case VARINT -> varint();
            case FIXED64 -> {
                need(8);
                pos += 8;
            }
            case FIXED32 -> {
                need(4);
                pos += 4;
            }
            default -> range();
        }
    }

    boolean atEnd() {
        return pos >= limit;
    }

    byte[] data() {
        return data;
    }

    private void expect(int type) throws MalformedException {
        if (wireType() != type) {
            throw new MalformedException("field " + field() + " before byte " + pos + " has wire type " + wireType()
                    + " where " + type + " was expected");
        }
    }

    private void need(int n) throws MalformedException {
        if (limit - pos < n) {
            throw new MalformedException("a " + n + "-byte value runs past the end of its message at byte " + pos);
        }
    }
}
