#!/usr/bin/env python3
"""PyTorch's side of the inference benchmark (bench/inference.sh): the same weights, the 10,000 MNIST test images,
torch.no_grad(). Prints tab-separated lines "pytorch THREADS METRIC VALUE" like InferenceMain.

    /usr/bin/python3 bench/inference/pytorch_infer.py MODEL.safetensors MNIST_DIR [--threads 1,2]
        [--batches 64,1000] [--latency] [--seconds 1]
"""
import argparse
import gzip
import statistics
import time

import numpy as np
import torch

from export_onnx import mlp, read_safetensors


def test_images(directory):
    with gzip.open(f"{directory}/t10k-images-idx3-ubyte.gz", "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[4:8], "big")
    return torch.from_numpy(np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, 784).astype(np.float32) / 255)


def emit(threads, metric, value):
    print(f"pytorch\t{threads}\t{metric}\t{value:.3f}", flush=True)


def rate(model, batches, seconds):
    start = time.perf_counter()
    images = 0
    while True:
        for b in batches:
            model(b).argmax(1)
            images += b.shape[0]
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return images / elapsed


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("data")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--batches", default="64,1000")
    p.add_argument("--latency", action="store_true")
    p.add_argument("--seconds", type=float, default=1.0)
    a = p.parse_args()
    model = mlp(read_safetensors(a.model))
    x = test_images(a.data)
    n = x.shape[0]
    threads = [int(t) for t in a.threads.split(",")]
    with torch.no_grad():
        for t in threads:
            torch.set_num_threads(t)
            if a.latency and t == threads[0]:
                singles = [x[i:i + 1] for i in range(n)]
                for rnd in range(3):  # two rounds of warm-up
                    times = []
                    for s in singles:
                        t0 = time.perf_counter_ns()
                        model(s).argmax(1)
                        times.append(time.perf_counter_ns() - t0)
                times.sort()
                emit(1, "latency_median_us", times[n // 2] / 1e3)
                emit(1, "latency_p99_us", times[int(n * 0.99)] / 1e3)
            for b in [int(v) for v in a.batches.split(",")]:
                batches = [x[i:i + b] for i in range(0, n, b)]
                rate(model, batches, a.seconds)  # warm-up
                emit(t, f"img_per_s_batch_{b}", statistics.median(rate(model, batches, a.seconds) for _ in range(5)))


if __name__ == "__main__":
    main()
