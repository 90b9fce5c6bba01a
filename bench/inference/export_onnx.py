#!/usr/bin/env python3
"""Writes an ONNX file (input "input" float32 [N, inputs], output "logits", dynamic batch) with the weights of an
mlp4j safetensors model, through torch.onnx.export, for the inference benchmark's ONNX Runtime peer.

    /usr/bin/python3 bench/inference/export_onnx.py MODEL.safetensors OUT.onnx

Also usable to make a 784-512-512-10 model of random weights: --random 784,512,512,10 (seed 1) instead of MODEL.
"""
import json
import struct
import sys

import torch


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        assert t["dtype"] == "F32", name
        a, b = t["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(data[a:b]), dtype=torch.float32).reshape(t["shape"])
    return tensors


def mlp(tensors):
    layers = []
    i = 1
    while f"linear{i}.weight" in tensors:
        w, b = tensors[f"linear{i}.weight"], tensors[f"linear{i}.bias"]
        lin = torch.nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            lin.weight.copy_(w)
            lin.bias.copy_(b)
        if layers:
            layers.append(torch.nn.ReLU())
        layers.append(lin)
        i += 1
    return torch.nn.Sequential(*layers).eval()


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--random":
        sizes = [int(s) for s in sys.argv[2].split(",")]
        torch.manual_seed(1)
        tensors = {}
        for i in range(len(sizes) - 1):
            lin = torch.nn.Linear(sizes[i], sizes[i + 1])
            tensors[f"linear{i + 1}.weight"] = lin.weight.detach()
            tensors[f"linear{i + 1}.bias"] = lin.bias.detach()
        out = sys.argv[3]
    elif len(sys.argv) == 3:
        tensors = read_safetensors(sys.argv[1])
        out = sys.argv[2]
    else:
        sys.exit(__doc__)
    model = mlp(tensors)
    inputs = model[0].in_features
    torch.onnx.export(model, torch.zeros(1, inputs), out, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, opset_version=13)
    if len(sys.argv) == 4:  # the same weights as safetensors, for mlp4j
        save_safetensors(tensors, out.rsplit(".", 1)[0] + ".safetensors")


def save_safetensors(tensors, path):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        raw = t.contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


if __name__ == "__main__":
    main()
