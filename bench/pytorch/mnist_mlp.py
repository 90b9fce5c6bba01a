#!/usr/bin/python3
"""PyTorch reference for mlp4j's benchmarks: the tutorial's MLP on MNIST, written to match mlp4j step for step.

Same model (Linear(784,H) -> ReLU -> ... -> Linear(H,10), nn.Linear's default init), cross-entropy, plain SGD,
batch 128, 5 epochs at 0.5 then 5 at 0.1 (--schedule), a seeded 50,000/10,000 split, the WHOLE data set
preloaded as one float tensor on the device and batched by index (no DataLoader, no torchvision).

Prints the tutorial's epoch lines, per-epoch seconds, validation/test accuracy, peak RSS, time from process start
to the first batch, and last a machine-readable line starting with 'RESULT ' followed by JSON.

  /usr/bin/python3 bench/pytorch/mnist_mlp.py --data /work/shared/mnist --threads 1
  /usr/bin/python3 bench/pytorch/mnist_mlp.py --hidden 512,512 --batch 512 --device cuda
"""
import time

PROCESS_START = time.time()
try:  # the kernel's process start time, when /proc is there: includes the interpreter's own start-up
    import os
    with open("/proc/self/stat") as f:
        _ticks = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as f:
        _uptime = float(f.read().split()[0])
    PROCESS_START = time.time() - (_uptime - _ticks / os.sysconf("SC_CLK_TCK"))
except Exception:  # noqa: BLE001 - best effort only
    pass

import argparse
import gzip
import json
import resource
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    """An IDX file (gzipped or not) as a numpy uint8 array, with its header checked."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims)
    if body.size != int(np.prod(shape)):
        raise ValueError(f"{path}: header says {shape} but holds {body.size} bytes")
    return body.reshape(shape)


def load(data_dir, name):
    images = read_idx(os.path.join(data_dir, f"{name}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, f"{name}-labels-idx1-ubyte.gz"))
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{name}: {images.shape[0]} images but {labels.shape[0]} labels")
    return images.reshape(images.shape[0], -1), labels


class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = F.relu(x)
        return x


def blas_library():
    """Which BLAS shared library this process has mapped (Debian's torch uses the system libblas.so.3)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
        return ", ".join(sorted(os.path.basename(l) + " (" + os.path.realpath(l) + ")" for l in libs)) or "none mapped"
    except OSError:
        return "unknown"


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def evaluate(model, x, y, batch):
    model.eval()
    loss_sum, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, x.shape[0], batch):
            logits = model(x[i:i + batch])
            loss_sum += F.cross_entropy(logits, y[i:i + batch], reduction="sum").item()
            correct += (logits.argmax(1) == y[i:i + batch]).sum().item()
    model.train()
    n = max(1, x.shape[0])
    return loss_sum / n, correct / n


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=os.environ.get("MLP4J_DATA", "../shared/mnist"), help="folder of the 4 IDX .gz files")
    p.add_argument("--hidden", default="32", help="hidden sizes, comma-separated (default 32)")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--eval-batch", type=int, default=1024)
    p.add_argument("--schedule", default="5@0.5,5@0.1", help="epochs@lr,... (default 5@0.5,5@0.1)")
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--quiet", action="store_true", help="no per-epoch lines")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    if a.device == "cuda" and not torch.cuda.is_available():
        sys.exit("--device cuda: torch.cuda.is_available() is False (this torch: " + torch.__version__ + ")")
    dev = torch.device(a.device)
    hidden = [int(h) for h in a.hidden.split(",") if h.strip()]
    sizes = [784] + hidden + [10]
    schedule = []
    for part in a.schedule.split(","):
        e, lr = part.split("@")
        schedule.append((int(e), float(lr)))

    train_x, train_y = load(a.data, "train")
    test_x, test_y = load(a.data, "t10k")
    # Everything on the device once, as floats in [0,1] (the same 1/255 as mlp4j).
    all_x = torch.from_numpy(train_x.astype(np.float32)).to(dev).mul_(1.0 / 255.0)
    all_y = torch.from_numpy(train_y.astype(np.int64)).to(dev)
    tx = torch.from_numpy(test_x.astype(np.float32)).to(dev).mul_(1.0 / 255.0)
    ty = torch.from_numpy(test_y.astype(np.int64)).to(dev)
    g = torch.Generator().manual_seed(a.seed)
    perm = torch.randperm(all_x.shape[0], generator=g).to(dev)
    # 50,000/10,000 like the tutorial; a smaller set (a subset carried to a GPU machine) keeps a sixth, as mlp4j does
    n_all = all_x.shape[0]
    n_val = 10000 if n_all > 10000 else n_all // 6
    if n_all < 60000:
        print(f"data: a subset: {n_all:,} of MNIST's 60,000 training images ({n_all - n_val:,} training,"
              f" {n_val:,} validation)")
    tr, va = perm[:n_all - n_val], perm[n_all - n_val:]
    x, y, vx, vy = all_x[tr], all_y[tr], all_x[va], all_y[va]

    model = MLP(sizes).to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=schedule[0][1])
    sync = torch.cuda.synchronize if a.device == "cuda" else (lambda: None)
    first_batch = None
    epochs = []
    n = x.shape[0]
    epoch_no = 0
    for count, lr in schedule:
        for group in opt.param_groups:
            group["lr"] = lr
        for _ in range(count):
            epoch_no += 1
            order = torch.randperm(n, generator=g).to(dev)
            sync()
            t0 = time.perf_counter()
            loss_sum = torch.zeros((), device=dev)
            for i in range(0, n, a.batch):
                idx = order[i:i + a.batch]
                if first_batch is None:
                    first_batch = time.time() - PROCESS_START
                logits = model(x[idx])
                loss = F.cross_entropy(logits, y[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                loss_sum += loss.detach() * idx.shape[0]
            train_loss = (loss_sum / n).item()  # one read-back per epoch, like mlp4j
            seconds = time.perf_counter() - t0
            vloss, vacc = evaluate(model, vx, vy, a.eval_batch)
            epochs.append({"epoch": epoch_no, "lr": lr, "train_loss": train_loss, "val_loss": vloss,
                           "val_acc": vacc, "seconds": seconds, "samples_per_s": n / seconds})
            if not a.quiet:
                print(f"Epoch {epoch_no}: train loss {train_loss:.4f}, val loss {vloss:.4f}, "
                      f"val acc {vacc * 100:.2f}%  [{seconds:.3f} s, {n / seconds:,.0f} samples/s]", flush=True)
    test_loss, test_acc = evaluate(model, tx, ty, a.eval_batch)
    secs = sorted(e["seconds"] for e in epochs[1:]) or [epochs[0]["seconds"]]
    median = secs[len(secs) // 2] if len(secs) % 2 else (secs[len(secs) // 2 - 1] + secs[len(secs) // 2]) / 2
    print(f"test_loss {test_loss:.4f}, test_acc {test_acc * 100:.2f}%")
    print(f"median epoch (2..) {median:.3f} s, first batch after {first_batch:.3f} s, peak RSS {peak_rss_mib():.0f} MiB")
    device = torch.cuda.get_device_name(0) if a.device == "cuda" else f"CPU, {torch.get_num_threads()} threads"
    print(f"torch {torch.__version__}, {device}, BLAS: {blas_library()}")
    result = {"impl": "pytorch", "device": a.device, "device_name": device, "torch": torch.__version__,
              "threads": torch.get_num_threads(), "sizes": sizes, "batch": a.batch, "epochs": epochs,
              "median_epoch_s": median, "val_acc": epochs[-1]["val_acc"], "test_acc": test_acc,
              "test_loss": test_loss, "startup_to_first_batch_s": first_batch, "peak_rss_mib": peak_rss_mib(),
              "blas": blas_library()}
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
