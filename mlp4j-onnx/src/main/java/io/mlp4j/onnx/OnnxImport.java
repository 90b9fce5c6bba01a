package io.mlp4j.onnx;

import io.mlp4j.onnx.OnnxProto.Attribute;
import io.mlp4j.onnx.OnnxProto.Graph;
import io.mlp4j.onnx.OnnxProto.Model;
import io.mlp4j.onnx.OnnxProto.Node;
import io.mlp4j.onnx.OnnxProto.Tensor;
import io.mlp4j.onnx.OnnxProto.ValueInfo;
import io.mlp4j.spi.ModelData;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a parsed ONNX graph into an MLP, or refuses it. Accepted: one float32 input {@code [N, ...]}, an optional
 * {@code Flatten} or {@code Reshape} to {@code [N, features]} (its shape a constant, or computed from the input's
 * shape by {@code Shape}/{@code Gather}/{@code Unsqueeze}/{@code Concat}/{@code Constant} as
 * {@code torch.onnx.export} writes {@code x.view(x.size(0), -1)}), then linear layers ({@code Gemm}, or
 * {@code MatMul} with an optional {@code Add}) with {@code Relu} between them, and at the end optionally
 * {@code Softmax} or {@code LogSoftmax} over the classes. Weights are float32 initializers (or {@code Constant}s).
 */
final class OnnxImport {

    /** Stands for the batch size in a computed shape. */
    private static final long BATCH = Long.MIN_VALUE;

    private static final Set<String> LAYER_OPS = Set.of("Gemm", "MatMul", "Add", "Relu", "Flatten", "Reshape",
            "Softmax", "LogSoftmax");
    private static final Set<String> SHAPE_OPS = Set.of("Shape", "Gather", "Unsqueeze", "Concat", "Constant");
    static final String SUPPORTED = "mlp4j reads MLPs made of Gemm (or MatMul and Add), Relu, Flatten or Reshape,"
            + " and a final Softmax or LogSoftmax";

    /** A refusal; the text completes "FILE: ". */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private final Graph graph;
    private final long opset;
    private final Map<String, Tensor> constants = new HashMap<>();
    private final Map<String, long[]> shapes = new HashMap<>(); // computed int64 vectors; BATCH where symbolic
    private final Set<String> scalars = new HashSet<>();
    private final Set<Node> used = Collections.newSetFromMap(new IdentityHashMap<>());

    private OnnxImport(Graph graph, long opset) {
        this.graph = graph;
        this.opset = opset;
    }

    static ModelData toModel(Model m) throws Refused {
        if (m.graph() == null) {
            throw new Refused("holds no graph: not an ONNX model (or an empty one)");
        }
        Long opset = m.opsets().get("");
        if (opset == null) {
            opset = m.opsets().get("ai.onnx");
        }
        if (opset == null) {
            throw new Refused("declares no opset for the standard ONNX operators (opset_import is missing)");
        }
        ModelData body = new OnnxImport(m.graph(), opset).read();
        Map<String, String> meta = new LinkedHashMap<>(m.metadata());
        if (!m.producerName().isEmpty()) {
            meta.putIfAbsent("onnx_producer", (m.producerName() + " " + m.producerVersion()).strip());
        }
        return new ModelData(body.layerSizes(), body.weights(), body.biases(), Map.copyOf(meta));
    }

    private ModelData read() throws Refused {
        if (graph.hasSparseInitializers()) {
            throw new Refused("holds sparse initializers, which mlp4j does not read; store the weights dense");
        }
        for (Tensor t : graph.initializers()) {
            constants.put(t.name(), t);
        }
        for (int i = 0; i < graph.nodes().size(); i++) {
            Node n = graph.nodes().get(i);
            boolean standard = n.domain().isEmpty() || n.domain().equals("ai.onnx");
            if (!standard || !(LAYER_OPS.contains(n.opType()) || SHAPE_OPS.contains(n.opType()))) {
                throw new Refused(label(n, i) + (standard ? "" : " from domain " + q(n.domain()))
                        + " is not supported: " + SUPPORTED);
            }
        }
        ValueInfo input = input();
        long[] inShape = input.shape();
        long features = 1;
        for (int d = 1; d < inShape.length; d++) {
            features *= inShape[d]; // each at most 2^31 and at most 7 of them: checked below before overflow matters
            if (features > Integer.MAX_VALUE) {
                throw new Refused("the input " + q(input.name()) + " has more than 2^31 features per sample");
            }
        }
        evaluateShapes(input);

        List<float[]> weights = new ArrayList<>();
        List<float[]> biases = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        sizes.add((int) features);
        String current = input.name();
        boolean flat = inShape.length == 2;
        boolean expectLinear = true;
        while (true) {
            List<Node> next = consumers(current);
            if (!weights.isEmpty() && !expectLinear && next.stream().allMatch(OnnxImport::isSoftmax)) {
                finish(current, next);
                break;
            }
            if (next.size() != 1) {
                throw new Refused(next.isEmpty()
                        ? "the graph ends at " + q(current) + " " + (weights.isEmpty() ? "before any linear layer"
                        : "after a Relu; an MLP ends with a linear layer")
                        : q(current) + " feeds " + next.size() + " nodes (" + labels(next)
                        + "); an MLP is one chain of layers");
            }
            Node n = next.get(0);
            String op = n.opType();
            if (!(op.equals("Add") ? n.inputs().contains(current) : !n.inputs().isEmpty()
                    && n.inputs().get(0).equals(current))) {
                throw new Refused(label(n) + " takes " + q(current) + " in the wrong place");
            }
            if (!used.add(n)) {
                throw new Refused(label(n) + " is reached twice: the graph has a cycle");
            }
            if (n.outputs().isEmpty() || n.outputs().get(0).isEmpty()) {
                throw new Refused(label(n) + " has no output");
            }
            switch (op) {
                case "Flatten" -> {
                    long axis = intAttribute(n, "axis", 1);
                    if (axis != 1 && !(flat && axis == -1)) {
                        throw new Refused(label(n) + " flattens from axis " + axis + "; only axis 1 keeps the batch");
                    }
                    flat = true;
                }
                case "Reshape" -> {
                    checkReshape(n, features);
                    flat = true;
                }
                case "Gemm", "MatMul" -> {
                    if (!expectLinear) {
                        throw new Refused(label(n) + " follows a linear layer without a Relu between them; "
                                + SUPPORTED);
                    }
                    if (!flat) {
                        throw new Refused(label(n) + " gets the " + inShape.length + "-dimensional input "
                                + q(input.name()) + " unflattened; flatten it to [N, " + features + "] first");
                    }
                    int in = sizes.get(sizes.size() - 1);
                    float[][] layer = op.equals("Gemm") ? gemm(n, in) : matMul(n, in);
                    weights.add(layer[0]);
                    biases.add(layer[1]);
                    sizes.add(layer[1].length);
                    expectLinear = false;
                    if (op.equals("MatMul")) {
                        Node add = biasAdd(n);
                        current = add == null ? n.outputs().get(0) : add.outputs().get(0);
                        continue;
                    }
                }
                case "Relu" -> {
                    if (expectLinear) {
                        throw new Refused(label(n) + " is not between two linear layers; " + SUPPORTED);
                    }
                    expectLinear = true;
                }
                case "Add" -> throw new Refused(label(n) + " adds to " + q(current) + ", which is not a MatMul's"
                        + " output; " + SUPPORTED);
                default -> throw new Refused(label(n) + " comes before the last linear layer; " + SUPPORTED);
            }
            current = n.outputs().get(0);
        }
        for (int i = 0; i < graph.nodes().size(); i++) {
            Node n = graph.nodes().get(i);
            if (LAYER_OPS.contains(n.opType()) && !used.contains(n)) {
                throw new Refused(label(n, i) + " is not on the path from the input to the output; " + SUPPORTED);
            }
        }
        int[] layerSizes = sizes.stream().mapToInt(Integer::intValue).toArray();
        return new ModelData(layerSizes, weights.toArray(new float[0][]), biases.toArray(new float[0][]), Map.of());
    }

    private ValueInfo input() throws Refused {
        List<ValueInfo> inputs = new ArrayList<>();
        for (ValueInfo v : graph.inputs()) {
            if (!constants.containsKey(v.name())) { // before IR 4, initializers were listed as inputs too
                inputs.add(v);
            }
        }
        if (inputs.size() != 1) {
            throw new Refused("has " + inputs.size() + " graph inputs; an MLP has one (the images)");
        }
        ValueInfo in = inputs.get(0);
        if (in.elemType() != OnnxProto.FLOAT) {
            throw new Refused("the input " + q(in.name()) + " is " + OnnxProto.typeName(in.elemType())
                    + "; only float32 is supported");
        }
        if (in.shape() == null || in.shape().length < 2) {
            throw new Refused("the input " + q(in.name()) + " has " + (in.shape() == null ? "no shape"
                    : "shape " + Arrays.toString(in.shape())) + "; expected [N, features] or [N, 1, 28, 28]");
        }
        for (int d = 1; d < in.shape().length; d++) {
            if (in.shape()[d] <= 0 || in.shape()[d] > Integer.MAX_VALUE) {
                throw new Refused("the input " + q(in.name()) + " has dimension " + d + " of size "
                        + (in.dimParams()[d] != null ? q(in.dimParams()[d]) : Long.toString(in.shape()[d]))
                        + "; every dimension but the batch must be a fixed positive size");
            }
        }
        return in;
    }

    /** Follows the int64 vectors that shape-computing nodes produce, in graph order. */
    private void evaluateShapes(ValueInfo input) throws Refused {
        for (Node n : graph.nodes()) {
            if (!SHAPE_OPS.contains(n.opType()) || n.outputs().isEmpty()) {
                continue;
            }
            String out = n.outputs().get(0);
            switch (n.opType()) {
                case "Constant" -> constants.put(out, constantValue(n));
                case "Shape" -> {
                    if (n.inputs().size() == 1 && n.inputs().get(0).equals(input.name())
                            && n.attribute("start") == null && n.attribute("end") == null) {
                        long[] s = input.shape().clone();
                        s[0] = BATCH;
                        shapes.put(out, s);
                    }
                }
                case "Gather" -> {
                    long[] data = n.inputs().size() == 2 ? shapes.get(n.inputs().get(0)) : null;
                    long[] idx = n.inputs().size() == 2 ? int64Vector(n.inputs().get(1)) : null;
                    if (data != null && idx != null && intAttribute(n, "axis", 0) == 0) {
                        long[] g = new long[idx.length];
                        for (int i = 0; i < idx.length; i++) {
                            long k = idx[i] < 0 ? idx[i] + data.length : idx[i];
                            if (k < 0 || k >= data.length) {
                                throw new Refused(label(n) + " gathers index " + idx[i] + " of " + data.length);
                            }
                            g[i] = data[(int) k];
                        }
                        shapes.put(out, g);
                        if (isScalar(n.inputs().get(1))) {
                            scalars.add(out);
                        }
                    }
                }
                case "Unsqueeze" -> {
                    long[] data = n.inputs().isEmpty() ? null : shapes.get(n.inputs().get(0));
                    long[] axes = n.inputs().size() == 2 ? int64Vector(n.inputs().get(1))
                            : n.attribute("axes") != null ? n.attribute("axes").ints() : null;
                    if (data != null && scalars.contains(n.inputs().get(0)) && axes != null && axes.length == 1
                            && axes[0] == 0) {
                        shapes.put(out, data);
                    }
                }
                case "Concat" -> {
                    List<long[]> parts = new ArrayList<>();
                    int total = 0;
                    for (String i : n.inputs()) {
                        long[] v = shapes.containsKey(i) ? shapes.get(i) : isScalar(i) ? null : int64Vector(i);
                        if (v == null || total + v.length > OnnxProto.MAX_RANK) {
                            parts = null;
                            break;
                        }
                        parts.add(v);
                        total += v.length;
                    }
                    if (parts != null && intAttribute(n, "axis", 0) == 0) {
                        long[] c = new long[total];
                        int at = 0;
                        for (long[] v : parts) {
                            System.arraycopy(v, 0, c, at, v.length);
                            at += v.length;
                        }
                        shapes.put(out, c);
                    }
                }
                default -> throw new IllegalStateException(n.opType());
            }
        }
    }

    private void checkReshape(Node n, long features) throws Refused {
        long[] target = n.inputs().size() == 2 ? shapes.getOrDefault(n.inputs().get(1), int64Vector(n.inputs().get(1)))
                : null;
        if (target == null) {
            throw new Refused(label(n) + " reshapes to a shape mlp4j cannot follow (it must be a constant, or"
                    + " computed from the input's shape by Shape, Gather, Unsqueeze and Concat)");
        }
        boolean zeroCopies = intAttribute(n, "allowzero", 0) == 0; // else a 0 is a dimension of size 0
        boolean batchFirst = target.length == 2 && (target[0] == BATCH || target[0] == 0 && zeroCopies
                || target[0] == -1);
        boolean featuresSecond = target.length == 2 && (target[1] == features || target[1] == -1 && target[0] != -1);
        if (!batchFirst || !featuresSecond) {
            throw new Refused(label(n) + " reshapes to " + shapeText(target) + "; only [N, " + features
                    + "] (flattening each sample) is supported");
        }
    }

    private float[][] gemm(Node n, int in) throws Refused {
        if (n.inputs().size() < 2) {
            throw new Refused(label(n) + " has no weight input");
        }
        if (intAttribute(n, "transA", 0) != 0) {
            throw new Refused(label(n) + " has transA = 1, which transposes the batch; not an MLP layer");
        }
        boolean transB = intAttribute(n, "transB", 0) != 0;
        Attribute alphaAttr = n.attribute("alpha");
        Attribute betaAttr = n.attribute("beta");
        float alpha = alphaAttr == null ? 1f : alphaAttr.f();
        float beta = betaAttr == null ? 1f : betaAttr.f();
        Tensor b = weight(n, n.inputs().get(1));
        float[][] layer = linear(n, b, transB, in, n.inputs().size() > 2 && !n.inputs().get(2).isEmpty()
                ? weight(n, n.inputs().get(2)) : null);
        if (alpha != 1f || beta != 1f) { // exact for the common 1.0; anything else costs one rounding
            for (int i = 0; i < layer[0].length; i++) {
                layer[0][i] *= alpha;
            }
            for (int i = 0; i < layer[1].length; i++) {
                layer[1][i] *= beta;
            }
            checkFinite(n, "alpha/beta-scaled parameters", layer[0]);
            checkFinite(n, "alpha/beta-scaled parameters", layer[1]);
        }
        return layer;
    }

    private float[][] matMul(Node n, int in) throws Refused {
        if (n.inputs().size() != 2) {
            throw new Refused(label(n) + " needs two inputs");
        }
        Node add = biasAdd(n);
        Tensor bias = null;
        if (add != null) {
            used.add(add);
            String other = add.inputs().get(0).equals(n.outputs().get(0)) ? add.inputs().get(1) : add.inputs().get(0);
            bias = weight(add, other);
        }
        return linear(n, weight(n, n.inputs().get(1)), false, in, bias);
    }

    /** The Add right after a MatMul that adds a constant bias, or null. */
    private Node biasAdd(Node matMul) {
        if (matMul.outputs().isEmpty()) {
            return null;
        }
        List<Node> next = consumers(matMul.outputs().get(0));
        if (next.size() != 1 || !next.get(0).opType().equals("Add") || next.get(0).inputs().size() != 2
                || next.get(0).outputs().isEmpty()) {
            return null;
        }
        Node add = next.get(0);
        String other = add.inputs().get(0).equals(matMul.outputs().get(0)) ? add.inputs().get(1) : add.inputs().get(0);
        return constants.containsKey(other) ? add : null;
    }

    /**
     * A layer's weight {@code [out, in]} and bias {@code [out]} from a weight tensor ({@code [out, in]} when
     * {@code transposed}, else {@code [in, out]}) and an optional bias tensor ({@code [out]} or {@code [1, out]}).
     */
    private float[][] linear(Node n, Tensor w, boolean transposed, int in, Tensor b) throws Refused {
        long[] d = w.dims();
        if (d.length != 2 || (transposed ? d[1] : d[0]) != in || d[0] <= 0 || d[1] <= 0) {
            throw new Refused(label(n) + ": weight " + q(w.name()) + " has shape " + shapeText(d) + " but the layer"
                    + " gets " + in + " features; expected " + (transposed ? "[out, " + in + "]" : "[" + in + ", out]"));
        }
        float[] values = floats(n, w); // checks the shape against the data present, so both sizes fit an int
        int out = (int) (transposed ? d[0] : d[1]);
        if (b != null) {
            long[] bd = b.dims();
            boolean fits = bd.length == 1 && bd[0] == out || bd.length == 2 && bd[0] == 1 && bd[1] == out;
            if (!fits) {
                throw new Refused(label(n) + ": bias " + q(b.name()) + " has shape " + shapeText(bd)
                        + " but the layer has " + out + " outputs; expected [" + out + "]");
            }
        }
        float[] weight = values;
        if (!transposed) {
            weight = new float[values.length];
            for (int i = 0; i < in; i++) {
                for (int o = 0; o < out; o++) {
                    weight[o * in + i] = values[i * out + o];
                }
            }
        }
        float[] bias = b == null ? new float[out] : floats(n, b);
        return new float[][] {weight, bias};
    }

    private void finish(String logits, List<Node> softmaxes) throws Refused {
        Set<String> outputs = new HashSet<>();
        outputs.add(logits);
        for (Node s : softmaxes) {
            used.add(s);
            long axis = intAttribute(s, "axis", opset < 13 ? 1 : -1);
            if (axis != 1 && axis != -1) {
                throw new Refused(label(s) + " runs over axis " + axis + "; only the class axis (1) is supported");
            }
            if (s.outputs().isEmpty() || !consumers(s.outputs().get(0)).isEmpty()) {
                throw new Refused(label(s) + " is not at the end of the graph; " + SUPPORTED);
            }
            outputs.add(s.outputs().get(0));
        }
        if (graph.outputs().isEmpty()) {
            throw new Refused("declares no graph output");
        }
        for (ValueInfo o : graph.outputs()) {
            if (!outputs.contains(o.name())) {
                throw new Refused("the graph output " + q(o.name()) + " is not the last layer's result (or its"
                        + " Softmax/LogSoftmax); " + SUPPORTED);
            }
        }
    }

    private Tensor weight(Node n, String name) throws Refused {
        Tensor t = constants.get(name);
        if (t == null) {
            throw new Refused(label(n) + " takes " + q(name) + " as a parameter, but it is not an initializer or a"
                    + " Constant (computed weights are not supported)");
        }
        return t;
    }

    /** A float32 tensor's values, after checking that the data present matches the shape (before allocating). */
    private float[] floats(Node n, Tensor t) throws Refused {
        if (t.external()) {
            throw new Refused(label(n) + ": tensor " + q(t.name()) + " keeps its data in an external file"
                    + (t.location() == null ? "" : " (" + q(t.location()) + ")")
                    + "; save the model with the data inside (onnx.save_model(model, path,"
                    + " save_as_external_data=False))");
        }
        if (t.dataType() != OnnxProto.FLOAT) {
            throw new Refused(label(n) + ": tensor " + q(t.name()) + " is " + OnnxProto.typeName(t.dataType())
                    + "; only float32 is supported (convert with model.float() before exporting)");
        }
        long count = elements(t);
        long present = t.rawFrom() >= 0 ? (t.rawTo() - t.rawFrom()) / 4 : t.floats().length;
        if (count < 0 || count != present || t.rawFrom() >= 0 && (t.rawTo() - t.rawFrom()) % 4 != 0) {
            throw new Refused(label(n) + ": tensor " + q(t.name()) + " has shape " + shapeText(t.dims()) + " ("
                    + (count < 0 ? "more than 2^31" : Long.toString(count)) + " values) but holds "
                    + (t.rawFrom() >= 0 ? (t.rawTo() - t.rawFrom()) + " bytes" : present + " values"));
        }
        float[] out;
        if (t.rawFrom() >= 0) {
            out = new float[(int) count];
            ByteBuffer.wrap(t.file(), t.rawFrom(), t.rawTo() - t.rawFrom()).order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer().get(out);
        } else {
            out = t.floats().clone();
        }
        checkFinite(n, "tensor " + q(t.name()), out);
        return out;
    }

    /** An int64 tensor's values (a shape or indices), or null if it is not a small int64 constant. */
    private long[] int64Vector(String name) throws Refused {
        Tensor t = constants.get(name);
        if (t == null || t.external() || t.dataType() != OnnxProto.INT64) {
            return null;
        }
        long count = elements(t);
        if (count < 0 || count > OnnxProto.MAX_RANK) {
            return null;
        }
        if (t.rawFrom() >= 0) {
            if (t.rawTo() - t.rawFrom() != 8 * count) {
                throw new Refused("int64 tensor " + q(t.name()) + " has shape " + shapeText(t.dims()) + " but holds "
                        + (t.rawTo() - t.rawFrom()) + " bytes");
            }
            long[] v = new long[(int) count];
            ByteBuffer.wrap(t.file(), t.rawFrom(), t.rawTo() - t.rawFrom()).order(ByteOrder.LITTLE_ENDIAN)
                    .asLongBuffer().get(v);
            return v;
        }
        if (t.longs().length != count) {
            throw new Refused("int64 tensor " + q(t.name()) + " has shape " + shapeText(t.dims()) + " but holds "
                    + t.longs().length + " values");
        }
        return t.longs();
    }

    private boolean isScalar(String name) {
        Tensor t = constants.get(name);
        return t != null ? t.dims().length == 0 : scalars.contains(name);
    }

    /** A Constant node's value as a tensor named after its output. */
    private Tensor constantValue(Node n) throws Refused {
        String out = n.outputs().get(0);
        Attribute a = n.attributes().size() == 1 ? n.attributes().get(0) : null;
        if (a != null && a.name().equals("value") && a.t() != null) {
            Tensor t = a.t();
            return new Tensor(out, t.dims(), t.dataType(), t.file(), t.rawFrom(), t.rawTo(), t.floats(), t.longs(),
                    t.external(), t.location());
        }
        if (a != null && (a.name().equals("value_int") || a.name().equals("value_ints"))) {
            boolean one = a.name().equals("value_int");
            long[] v = one ? new long[] {a.i()} : a.ints();
            return new Tensor(out, one ? new long[0] : new long[] {v.length}, OnnxProto.INT64, null, -1, -1,
                    new float[0], v, false, null);
        }
        throw new Refused(label(n) + " holds a kind of value mlp4j does not read (expected a tensor or int64s)");
    }

    /** Element count from the dims, or -1 if negative or more than an int array holds. */
    private static long elements(Tensor t) {
        long count = 1;
        for (long d : t.dims()) {
            if (d < 0) {
                return -1;
            }
            count = d == 0 ? 0 : count > (Integer.MAX_VALUE - 8) / d ? -1 : count * d;
            if (count < 0) {
                return -1;
            }
        }
        return count;
    }

    private List<Node> consumers(String name) {
        List<Node> out = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (LAYER_OPS.contains(n.opType()) && n.inputs().contains(name)) {
                out.add(n);
            }
        }
        return out;
    }

    private static boolean isSoftmax(Node n) {
        return n.opType().equals("Softmax") || n.opType().equals("LogSoftmax");
    }

    private static long intAttribute(Node n, String name, long otherwise) {
        Attribute a = n.attribute(name);
        return a == null ? otherwise : a.i();
    }

    private void checkFinite(Node n, String what, float[] values) throws Refused {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new Refused(label(n) + ": " + what + " holds " + values[i] + " at index " + i
                        + "; a model with non-finite parameters is corrupt");
            }
        }
    }

    private String label(Node n) {
        return label(n, graph.nodes().indexOf(n));
    }

    private static String label(Node n, int index) {
        return "node " + (n.name().isEmpty() ? "#" + index : q(n.name())) + " (" + clean(n.opType()) + ")";
    }

    private String labels(List<Node> nodes) {
        List<String> l = new ArrayList<>();
        for (Node n : nodes) {
            l.add(label(n));
        }
        return String.join(", ", l);
    }

    /** A name from the file, quoted, for a one-line message: control characters escaped, long names cut. */
    static String q(String name) {
        return "'" + clean(name) + "'";
    }

    private static String clean(String text) {
        StringBuilder b = new StringBuilder();
        int i = 0;
        for (; i < text.length() && b.length() < 200; i++) {
            char c = text.charAt(i);
            b.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return i < text.length() ? b + "..." : b.toString();
    }

    private static String shapeText(long[] dims) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            s.append(i == 0 ? "" : ", ").append(dims[i] == BATCH ? "N" : Long.toString(dims[i]));
        }
        return s.append(']').toString();
    }
}
