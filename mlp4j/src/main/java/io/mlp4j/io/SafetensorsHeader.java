package io.mlp4j.io;

import io.mlp4j.spi.ModelData;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The JSON header of a safetensors file: written from a model, and read tensor entry by tensor entry. */
final class SafetensorsHeader {

    private SafetensorsHeader() {
    }

    /** One tensor's entry in the header. */
    record Entry(String name, int layer, boolean weight, long[] shape, long begin, long end) {
    }

    /** The padded JSON header for a model, after checking the model is consistent and finite. */
    static byte[] encode(ModelData m) {
        ModelFile.validate(m);
        int[] sizes = m.layerSizes();
        int layers = sizes.length - 1;
        StringBuilder json = new StringBuilder("{");
        Map<String, String> meta = m.metadata() == null ? Map.of() : m.metadata();
        if (!meta.isEmpty()) {
            json.append(Json.quote(ModelFile.METADATA)).append(":{");
            boolean first = true;
            for (Map.Entry<String, String> e : new TreeMap<>(meta).entrySet()) {
                json.append(first ? "" : ",").append(Json.quote(e.getKey())).append(':')
                        .append(Json.quote(e.getValue()));
                first = false;
            }
            json.append("},");
        }
        long offset = 0;
        for (int l = 0; l < layers; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            float[] w = m.weights()[l];
            float[] b = m.biases()[l];
            if (l > 0) {
                json.append(',');
            }
            json.append(tensor("linear" + (l + 1) + ".weight", "[" + out + "," + in + "]", offset, w.length));
            offset += 4L * w.length;
            json.append(',').append(tensor("linear" + (l + 1) + ".bias", "[" + out + "]", offset, b.length));
            offset += 4L * b.length;
        }
        json.append('}');
        byte[] text = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (text.length + 7) & ~7;
        byte[] header = new byte[padded];
        System.arraycopy(text, 0, header, 0, text.length);
        for (int i = text.length; i < padded; i++) {
            header[i] = ' ';
        }
        return header;
    }

    private static String tensor(String name, String shape, long offset, int count) {
        return Json.quote(name) + ":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[" + offset + ","
                + (offset + 4L * count) + "]}";
    }

    static Entry entry(String file, String name, int layer, boolean weight, Object value, long dataLength)
            throws IOException {
        if (!(value instanceof Map)) {
            throw ModelFile.fault(file, "tensor " + name + " is described by " + value + " instead of a JSON object");
        }
        Map<?, ?> info = (Map<?, ?>) value;
        Object dtype = info.get("dtype");
        if (dtype == null) {
            throw ModelFile.fault(file, "tensor " + name + " has no dtype");
        }
        if (!"F32".equals(dtype)) {
            throw ModelFile.fault(file, "tensor " + name + " has dtype " + dtype + "; only F32 (float32) is supported "
                    + "(convert the model with model.float() before saving)");
        }
        long[] shape = longs(file, name, "shape", info.get("shape"), -1);
        long[] offsets = longs(file, name, "data_offsets", info.get("data_offsets"), 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw ModelFile.fault(file, "tensor " + name + " has data_offsets [" + begin + ", " + end + "] that end before they begin");
        }
        if (end > dataLength) {
            throw ModelFile.fault(file, "tensor " + name + " has data_offsets [" + begin + ", " + end + "] beyond the "
                    + dataLength + " bytes of data the file holds (is it truncated?)");
        }
        long elements = 1;
        for (long d : shape) {
            elements = d == 0 ? 0 : (elements > Long.MAX_VALUE / 4 / d ? -1 : elements * d);
            if (elements < 0) {
                break;
            }
        }
        if (elements < 0 || elements * 4 != end - begin) {
            throw ModelFile.fault(file, "tensor " + name + " has shape " + shapeText(shape) + ", which needs "
                    + (elements < 0 ? "more than 2^63" : Long.toString(elements * 4)) + " bytes, but its data_offsets ["
                    + begin + ", " + end + "] hold " + (end - begin));
        }
        if (elements > Integer.MAX_VALUE - 8) {
            throw ModelFile.fault(file, "tensor " + name + " has " + elements + " elements, more than a Java array holds");
        }
        return new Entry(name, layer, weight, shape, begin, end);
    }

    private static long[] longs(String file, String tensor, String key, Object value, int length) throws IOException {
        if (value == null) {
            throw ModelFile.fault(file, "tensor " + tensor + " has no " + key);
        }
        if (!(value instanceof List)) {
            throw ModelFile.fault(file, "tensor " + tensor + "'s " + key + " is " + value + ", not an array");
        }
        List<?> list = (List<?>) value;
        if (length >= 0 && list.size() != length) {
            throw ModelFile.fault(file, "tensor " + tensor + "'s " + key + " has " + list.size() + " entries instead of "
                    + length);
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            Object v = list.get(i);
            if (!(v instanceof Long) || (Long) v < 0) {
                throw ModelFile.fault(file, "tensor " + tensor + "'s " + key + " " + list
                        + " must hold non-negative integers");
            }
            out[i] = (Long) v;
        }
        return out;
    }

    static String shapeText(long[] shape) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            b.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return b.append(']').toString();
    }
}
