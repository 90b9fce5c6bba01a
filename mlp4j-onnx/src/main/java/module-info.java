/**
 * ONNX import and export for mlp4j: with this module present, {@code Classifier.load} reads {@code .onnx} MLPs
 * (ours, or {@code torch.onnx.export}'s) and {@code Classifier.save} writes them. Nothing to call directly: the
 * core finds the format through {@link io.mlp4j.spi.ModelFormat}. The protobuf wire format is read and written by
 * a few small classes of its own (docs/ARCHITECTURE.md says why), so the module needs only the core.
 */
module io.mlp4j.onnx {
    requires io.mlp4j;

    provides io.mlp4j.spi.ModelFormat with io.mlp4j.onnx.OnnxFormat;
}
