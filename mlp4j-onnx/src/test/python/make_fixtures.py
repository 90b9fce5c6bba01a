"""Makes the PyTorch-exported ONNX fixtures of mlp4j-onnx's tests, and records what PyTorch predicts for them.

Run once by hand (CI uses the committed files and needs no Python):
    apt-get install python3-torch libopenblas0-openmp
    MLP4J_DATA=/path/to/mnist /usr/bin/python3 mlp4j-onnx/src/test/python/make_fixtures.py

It also writes the tiny seeds of the ONNX fuzz target (fuzz/src/test/resources/.../OnnxJazzerTestInputs/onnx).
Each model is trained briefly (seeded) on MNIST's training images, exported with torch.onnx.export, and run by
PyTorch on the 10,000 test images; fixtures.properties keeps PyTorch's accuracy and every predicted class, which
mlp4j must reproduce after importing the .onnx file.
"""
import gzip
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "io", "mlp4j", "onnx", "pytorch")
# Seeds of the ONNX fuzz target: the same kinds of graph, tiny (inputs of 2x2 pixels), a few hundred bytes each.
SEEDS = os.path.join(HERE, "..", "..", "..", "..", "fuzz", "src", "test", "resources", "io", "mlp4j", "onnx",
                     "OnnxJazzerTestInputs", "onnx")


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, n = struct.unpack(">II", data[:8])
    if magic == 2051:
        rows, cols = struct.unpack(">II", data[8:16])
        return torch.frombuffer(bytearray(data[16:]), dtype=torch.uint8).reshape(n, 1, rows, cols)
    return torch.frombuffer(bytearray(data[8:]), dtype=torch.uint8).long()


class MnistModel(nn.Module):
    """The tutorial's model, as written there: view(xb.size(0), -1), linear1, ReLU, linear2."""

    def __init__(self, in_size, hidden_size, out_size):
        super().__init__()
        self.linear1 = nn.Linear(in_size, hidden_size)
        self.linear2 = nn.Linear(hidden_size, out_size)

    def forward(self, xb):
        xb = xb.view(xb.size(0), -1)
        out = self.linear1(xb)
        out = F.relu(out)
        return self.linear2(out)


class TwoHidden(nn.Module):
    """Two hidden layers written with explicit matrix products (MatMul + Add) and a Softmax at the end."""

    def __init__(self, sizes):
        super().__init__()
        self.w = nn.ParameterList()
        self.b = nn.ParameterList()
        for i, o in zip(sizes, sizes[1:]):
            bound = 1 / i ** 0.5
            self.w.append(nn.Parameter(torch.empty(i, o).uniform_(-bound, bound)))
            self.b.append(nn.Parameter(torch.empty(o).uniform_(-bound, bound)))

    def forward(self, x):
        for k in range(len(self.w)):
            x = x @ self.w[k] + self.b[k]
            if k < len(self.w) - 1:
                x = torch.relu(x)
        return torch.softmax(x, dim=1)


def flatten_model():
    """Images in [N, 1, 28, 28], nn.Flatten, and a LogSoftmax at the end."""
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 24), nn.ReLU(), nn.Linear(24, 10), nn.LogSoftmax(dim=1))


def train(model, images, labels, flat, epochs, lr):
    gen = torch.Generator().manual_seed(42)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    n = images.shape[0]
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen)
        for i in range(0, n, 128):
            batch = order[i:i + 128]
            x = images[batch].float() / 255
            if flat:
                x = x.reshape(len(batch), 784)
            out = model(x)
            # every model here ends in logits, probabilities or log-probabilities: train on log-probabilities
            logp = torch.log(out.clamp_min(1e-12)) if isinstance(model, TwoHidden) else F.log_softmax(out, dim=1)
            loss = F.nll_loss(logp, labels[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()


def fuzz_seeds():
    os.makedirs(SEEDS, exist_ok=True)
    seeds = [("view-reshape-gemm", MnistModel(4, 3, 2), (1, 1, 2, 2)),
             ("matmul-add-softmax", TwoHidden([4, 3, 2]), (1, 4)),
             ("flatten-logsoftmax", nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2),
                                                  nn.LogSoftmax(dim=1)), (1, 1, 2, 2))]
    for name, model, shape in seeds:
        torch.onnx.export(model.eval(), torch.zeros(shape), os.path.join(SEEDS, "pytorch-" + name),
                          input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, opset_version=13)


def main():
    data = os.environ.get("MLP4J_DATA", "../shared/mnist")
    torch.manual_seed(42)
    fuzz_seeds()
    torch.set_num_threads(2)
    train_x = idx(os.path.join(data, "train-images-idx3-ubyte.gz"))
    train_y = idx(os.path.join(data, "train-labels-idx1-ubyte.gz"))
    test_x = idx(os.path.join(data, "t10k-images-idx3-ubyte.gz"))
    test_y = idx(os.path.join(data, "t10k-labels-idx1-ubyte.gz"))
    fixtures = [
        # name, model, input shape (N, ...), flat input
        ("tutorial", MnistModel(784, 32, 10), (1, 1, 28, 28), False),
        ("two-hidden", TwoHidden([784, 32, 16, 10]), (1, 784), True),
        ("flatten", flatten_model(), (1, 1, 28, 28), False),
    ]
    lines = ["# Written by make_fixtures.py with PyTorch " + torch.__version__ + ": PyTorch's results on the 10,000",
             "# MNIST test images for each fixture (accuracy, and the predicted class of every image in order)."]
    for name, model, shape, flat in fixtures:
        train(model, train_x, train_y, flat, epochs=2, lr=0.5)
        model.eval()
        path = os.path.join(OUT, name + ".onnx")
        torch.onnx.export(model, torch.zeros(shape), path, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, opset_version=13)
        with torch.no_grad():
            x = test_x.float() / 255
            if flat:
                x = x.reshape(-1, 784)
            predicted = model(x).argmax(dim=1)
        correct = int((predicted == test_y).sum())
        print(f"{name}: {os.path.getsize(path)} bytes, PyTorch test accuracy {correct / len(test_y):.4f}"
              f" ({correct}/{len(test_y)})")
        lines.append(f"{name}.correct={correct}")
        lines.append(f"{name}.predictions=" + "".join(str(int(p)) for p in predicted))
    with open(os.path.join(OUT, "fixtures.properties"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
