package io.mlp4j.onnx;

import io.mlp4j.onnx.ProtoReader.MalformedException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of ONNX's {@code onnx.proto} that an MLP needs, read from the wire format (field numbers as in
 * onnx.proto; fields not listed are skipped). Counts are capped so that memory stays proportional to the file
 * whatever it claims, and tensor data stays a range of the file's bytes until it is checked against the shape.
 */
final class OnnxProto {

    /** Far more than any MLP has (one to three nodes per layer). */
    static final int MAX_NODES = 4096;
    static final int MAX_TENSORS = 4096;
    static final int MAX_VALUES = 4096;
    static final int MAX_ATTRIBUTES = 64;
    static final int MAX_RANK = 8;
    static final int MAX_METADATA = 4096;

    static final int FLOAT = 1;
    static final int INT64 = 7;
    private static final String[] TYPE_NAMES = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32",
            "INT64", "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"};

    private OnnxProto() {
    }

    static String typeName(int type) {
        return type >= 0 && type < TYPE_NAMES.length ? TYPE_NAMES[type] : "type " + type;
    }

    record Model(long irVersion, Map<String, Long> opsets, String producerName, String producerVersion,
                 Graph graph, Map<String, String> metadata) {
    }

    record Graph(List<Node> nodes, List<Tensor> initializers, List<ValueInfo> inputs, List<ValueInfo> outputs,
                 boolean hasSparseInitializers) {
    }

    record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                List<Attribute> attributes) {

        Attribute attribute(String name) {
            for (Attribute a : attributes) {
                if (a.name().equals(name)) {
                    return a;
                }
            }
            return null;
        }
    }

    /** One attribute; only the kinds an MLP's nodes use are kept (a float, an int, ints, a tensor). */
    record Attribute(String name, float f, long i, long[] ints, Tensor t) {
    }

    /**
     * A tensor: data either as a range of {@code raw_data} in the file (little-endian, {@code rawFrom} >= 0), or as
     * {@code float_data} / {@code int64_data} values; {@code external} when the data lives in another file.
     */
    record Tensor(String name, long[] dims, int dataType, byte[] file, int rawFrom, int rawTo, float[] floats,
                  long[] longs, boolean external, String location) {
    }

    /** A graph input or output: a tensor's element type and shape (null when absent); a dim is -1 when symbolic. */
    record ValueInfo(String name, int elemType, long[] shape, String[] dimParams) {
    }

    static Model model(ProtoReader r) throws MalformedException {
        long ir = 0;
        Map<String, Long> opsets = new LinkedHashMap<>();
        String producer = "";
        String producerVersion = "";
        Graph graph = null;
        Map<String, String> metadata = new LinkedHashMap<>();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> ir = r.int64();
                case 2 -> producer = r.string();
                case 3 -> producerVersion = r.string();
                case 7 -> graph = graph(r.message());
                case 8 -> {
                    ProtoReader o = r.message();
                    String domain = "";
                    long version = 0;
                    while (o.next()) {
                        switch (o.field()) {
                            case 1 -> domain = o.string();
                            case 2 -> version = o.int64();
                            default -> o.skip();
                        }
                    }
                    cap(opsets.size(), MAX_METADATA, "opset imports");
                    opsets.put(domain, version);
                }
                case 14 -> {
                    ProtoReader e = r.message();
                    String key = "";
                    String value = "";
                    while (e.next()) {
                        switch (e.field()) {
                            case 1 -> key = e.string();
                            case 2 -> value = e.string();
                            default -> e.skip();
                        }
                    }
                    cap(metadata.size(), MAX_METADATA, "metadata entries");
                    metadata.put(key, value);
                }
                default -> r.skip();
            }
        }
        return new Model(ir, opsets, producer, producerVersion, graph, metadata);
    }

    private static Graph graph(ProtoReader r) throws MalformedException {
        List<Node> nodes = new ArrayList<>();
        List<Tensor> initializers = new ArrayList<>();
        List<ValueInfo> inputs = new ArrayList<>();
        List<ValueInfo> outputs = new ArrayList<>();
        boolean sparse = false;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> {
                    cap(nodes.size(), MAX_NODES, "nodes");
                    nodes.add(node(r.message()));
                }
                case 5 -> {
                    cap(initializers.size(), MAX_TENSORS, "initializers");
                    initializers.add(tensor(r.message()));
                }
                case 11 -> {
                    cap(inputs.size(), MAX_VALUES, "graph inputs");
                    inputs.add(valueInfo(r.message()));
                }
                case 12 -> {
                    cap(outputs.size(), MAX_VALUES, "graph outputs");
                    outputs.add(valueInfo(r.message()));
                }
                case 15 -> {
                    sparse = true;
                    r.skip();
                }
                default -> r.skip();
            }
        }
        return new Graph(nodes, initializers, inputs, outputs, sparse);
    }

    private static Node node(ProtoReader r) throws MalformedException {
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        List<Attribute> attributes = new ArrayList<>();
        String name = "";
        String op = "";
        String domain = "";
        while (r.next()) {
            switch (r.field()) {
                case 1 -> {
                    cap(inputs.size(), MAX_VALUES, "node inputs");
                    inputs.add(r.string());
                }
                case 2 -> {
                    cap(outputs.size(), MAX_VALUES, "node outputs");
                    outputs.add(r.string());
                }
                case 3 -> name = r.string();
                case 4 -> op = r.string();
                case 5 -> {
                    cap(attributes.size(), MAX_ATTRIBUTES, "attributes of one node");
                    attributes.add(attribute(r.message()));
                }
                case 7 -> domain = r.string();
                default -> r.skip();
            }
        }
        return new Node(name, op, domain, inputs, outputs, attributes);
    }

    private static Attribute attribute(ProtoReader r) throws MalformedException {
        String name = "";
        float f = 0;
        long i = 0;
        LongList ints = new LongList();
        Tensor t = null;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> name = r.string();
                case 2 -> f = r.float32();
                case 3 -> i = r.int64();
                case 5 -> t = tensor(r.message());
                case 8 -> ints.read(r);
                default -> r.skip();
            }
        }
        return new Attribute(name, f, i, ints.toArray(), t);
    }

    private static Tensor tensor(ProtoReader r) throws MalformedException {
        LongList dims = new LongList();
        int type = 0;
        String name = "";
        int rawFrom = -1;
        int rawTo = -1;
        FloatList floats = new FloatList();
        LongList longs = new LongList();
        boolean external = false;
        String location = null;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> {
                    dims.read(r);
                    if (dims.size > MAX_RANK) {
                        throw new MalformedException("a tensor has more than " + MAX_RANK + " dimensions");
                    }
                }
                case 2 -> type = (int) r.int64();
                case 4 -> floats.read(r);
                case 7 -> longs.read(r);
                case 8 -> name = r.string();
                case 9 -> {
                    int[] range = r.range();
                    rawFrom = range[0];
                    rawTo = range[1];
                }
                case 13 -> {
                    external = true;
                    ProtoReader e = r.message();
                    String key = "";
                    String value = "";
                    while (e.next()) {
                        switch (e.field()) {
                            case 1 -> key = e.string();
                            case 2 -> value = e.string();
                            default -> e.skip();
                        }
                    }
                    if (key.equals("location")) {
                        location = value;
                    }
                }
                case 14 -> external |= r.int64() == 1;
                default -> r.skip();
            }
        }
        return new Tensor(name, dims.toArray(), type, r.data(), rawFrom, rawTo, floats.toArray(), longs.toArray(),
                external, location);
    }

    private static ValueInfo valueInfo(ProtoReader r) throws MalformedException {
        String name = "";
        int elemType = 0;
        long[] shape = null;
        String[] params = null;
        while (r.next()) {
            if (r.field() == 1) {
                name = r.string();
                continue;
            }
            if (r.field() != 2) {
                r.skip();
                continue;
            }
            ProtoReader type = r.message();
            while (type.next()) {
                if (type.field() != 1) { // tensor_type; sequences, maps and the like stay unread
                    type.skip();
                    continue;
                }
                ProtoReader tensor = type.message();
                while (tensor.next()) {
                    if (tensor.field() == 1) {
                        elemType = (int) tensor.int64();
                    } else if (tensor.field() == 2) {
                        List<Long> dims = new ArrayList<>();
                        List<String> names = new ArrayList<>();
                        readShape(tensor.message(), name, dims, names);
                        shape = dims.stream().mapToLong(Long::longValue).toArray();
                        params = names.toArray(new String[0]);
                    } else {
                        tensor.skip();
                    }
                }
            }
        }
        return new ValueInfo(name, elemType, shape, params);
    }

    /** TensorShapeProto: each dim a value, or a name (then -1). */
    private static void readShape(ProtoReader s, String value, List<Long> dims, List<String> names)
            throws MalformedException {
        while (s.next()) {
            if (s.field() != 1) {
                s.skip();
                continue;
            }
            if (dims.size() >= MAX_RANK) {
                throw new MalformedException("input or output " + OnnxImport.q(value) + " has more than " + MAX_RANK
                        + " dimensions");
            }
            long size = -1;
            String param = null;
            ProtoReader d = s.message();
            while (d.next()) {
                switch (d.field()) {
                    case 1 -> size = d.int64();
                    case 2 -> param = d.string();
                    default -> d.skip();
                }
            }
            dims.add(size);
            names.add(param);
        }
    }

    private static void cap(int size, int max, String what) throws MalformedException {
        if (size >= max) {
            throw new MalformedException("more than " + max + " " + what + ": not an MLP");
        }
    }

    /** Repeated int64 values, packed or one per field; at most one long per byte read. */
    private static final class LongList {
        long[] values = new long[0];
        int size;

        void read(ProtoReader r) throws MalformedException {
            if (r.wireType() == ProtoReader.LENGTH_DELIMITED) {
                ProtoReader packed = r.message();
                while (!packed.atEnd()) {
                    add(packed.varint());
                }
            } else {
                add(r.int64());
            }
        }

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, Math.max(4, size * 2));
            }
            values[size++] = v;
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    /** Repeated floats, packed or one per field; at most one float per four bytes read. */
    private static final class FloatList {
        float[] values = new float[0];
        int size;

        void read(ProtoReader r) throws MalformedException {
            if (r.wireType() == ProtoReader.LENGTH_DELIMITED) {
                ProtoReader packed = r.message();
                while (!packed.atEnd()) {
                    add(Float.intBitsToFloat(packed.fixed32()));
                }
            } else {
                add(r.float32());
            }
        }

        void add(float v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, Math.max(4, size * 2));
            }
            values[size++] = v;
        }

        float[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
