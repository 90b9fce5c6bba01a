#!/usr/bin/python3
"""Builds the comparison table from a folder of runs written by compare.sh.

Each run is a folder RUN/ with meta.json ({"label", "config", "rep"}), out.txt (the program's output, ending with
a 'RESULT {json}' line, or for the demo image the run's history.csv next to it), and time.txt (/usr/bin/time -v).
Runs labelled "fma peak" (config peak1 / peak2) hold JmhMain's PeakBench line instead; "main job" runs are the
demo image's `mlp4j train`, timed from launch to exit. After the per-run table comes the table of issue 16's goals.
Usage: summarize.py RUNS_DIR [--reference LABEL] [--threads N] [--markdown FILE]
"""
import csv
import json
import os
import re
import statistics
import sys


def parse_run(d):
    meta = json.load(open(os.path.join(d, "meta.json")))
    out = open(os.path.join(d, "out.txt"), errors="replace").read()
    r = {"label": meta["label"], "config": meta["config"], "rep": meta["rep"], "ok": False, "error": ""}
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(os.path.join(d, "time.txt")).read()
                  if os.path.exists(os.path.join(d, "time.txt")) else "")
    r["rss_mib"] = int(m.group(1)) / 1024 if m else float("nan")
    w = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([0-9.]+)",
                  open(os.path.join(d, "time.txt")).read() if os.path.exists(os.path.join(d, "time.txt")) else "")
    r["wall_s"] = (int(w.group(1) or 0) * 3600 + int(w.group(2)) * 60 + float(w.group(3))) if w else float("nan")
    if meta["label"] == "fma peak":
        g = re.search(r"\| PeakBench\.fma \|.*\| ([0-9.]+) GFLOP/s \|", out)
        r.update(ok=bool(g), gflops=float(g.group(1)) if g else float("nan"),
                 error="" if g else (out.strip().splitlines() or ["no output"])[-1][:300])
        return r
    res = [l for l in out.splitlines() if l.startswith("RESULT ")]
    if res:
        j = json.loads(res[-1][7:])
        secs = [e["seconds"] for e in j["epochs"]]
        r.update(ok=True, median=j["median_epoch_s"], val=j["val_acc"], test=j["test_acc"],
                 startup=j.get("startup_to_first_batch_s", float("nan")), epochs=len(secs),
                 device=j.get("device_name", ""))
        return r
    hist = os.path.join(d, "history.csv")
    if os.path.exists(hist):  # the demo image: history.csv + 'test_loss: x, test_acc: y'
        rows = list(csv.DictReader(open(hist)))
        secs = sorted(float(x["seconds"]) for x in rows[1:]) or [float(rows[0]["seconds"])]
        t = re.search(r"test_acc: ([0-9.]+)", out)
        dev = re.search(r"backend: (.*)", out)
        r.update(ok=True, median=statistics.median(secs), val=float(rows[-1]["val_acc"]),
                 test=float(t.group(1)) if t else float("nan"), startup=float("nan"), epochs=len(rows),
                 device=dev.group(1) if dev else "")
        return r
    lines = [l.strip() for l in out.strip().splitlines() if l.strip()]
    errors = [l for l in lines if re.match(r"^(Exception in thread|[\w.$]+(Exception|Error)\b)", l)]
    err = errors[0] if errors else lines[-1] if lines else "no output"
    err = re.sub(r"^Exception in thread \"\w+\" ", "", err)
    err = re.sub(r"^[\w.$]+(Exception|Error): ", "", err)
    r["error"] = err[:300]
    return r


def median_of(groups, config, label, key):
    ok = [r[key] for r in groups.get((config, label), []) if r["ok"] and r[key] == r[key]]
    return statistics.median(ok) if ok else float("nan")


def train_flops(sizes, samples=50000):
    """FLOP of one epoch: forward 2*in*out per layer, dW 2*in*out per layer, dX 2*in*out for all but the first."""
    mm = [a * b for a, b in zip(sizes, sizes[1:])]
    return samples * (2 * sum(mm) + 2 * sum(mm) + 2 * sum(mm[1:]))


def goals(groups, peaks, threads):
    """Issue 16's goals, each as a ratio measured in this run; '-' where this run did not measure it."""
    def peak(cfg):
        g = sorted(r["gflops"] for r in peaks if r["config"] == cfg and r["ok"])
        return (statistics.median(g), g[0], g[-1]) if g else (float("nan"),) * 3
    p1, p2 = peak("peak1"), peak("peak2")
    p = p2 if threads >= 2 else p1
    small, small_py = median_of(groups, "small", "mlp4j cpu", "median"), median_of(groups, "small", "pytorch cpu", "median")
    big, big_py = median_of(groups, "big", "mlp4j cpu", "median"), median_of(groups, "big", "pytorch cpu", "median")
    big_gf = train_flops([784, 512, 512, 10]) / big / 1e9
    small_gf = train_flops([784, 32, 10]) / small / 1e9
    job_wall = median_of(groups, "small", "main job", "wall_s")
    job_rss = median_of(groups, "small", "main job", "rss_mib")
    py_rss = median_of(groups, "small", "pytorch cpu", "rss_mib")
    apa = median_of(groups, "small", "mlp4j aparapi", "median")
    test = median_of(groups, "small", "main job", "test")
    if test != test:
        test = median_of(groups, "small", "mlp4j cpu", "test")

    def verdict(value, limit, smaller=True):
        if value != value:
            return "not measured"
        return "met" if (value <= limit if smaller else value >= limit) else "missed"
    rows = [
        "| goal | target | measured | verdict |",
        "|---|---|---|---|",
        "| FMA peak (JMH PeakBench) | - | {} GFLOP/s on 1 thread ({} / {}), {} on 2 ({} / {}) | - |".format(
            fmt(p1[0], "{:.0f}"), fmt(p1[1], "{:.0f}"), fmt(p1[2], "{:.0f}"),
            fmt(p2[0], "{:.0f}"), fmt(p2[1], "{:.0f}"), fmt(p2[2], "{:.0f}")),
        "| 1. tutorial epoch (784-32-10) vs PyTorch | <= 0.15x | {} s vs {} s = **{}** ({} GFLOP/s) | {} |".format(
            fmt(small), fmt(small_py), fmt(small / small_py, "{:.2f}x"), fmt(small_gf, "{:.0f}"),
            verdict(small / small_py, 0.15)),
        "| 2. 784-512-512-10 (batch 128) share of the FMA peak, {} thread(s) | >= 70% | {} GFLOP/s = **{}** of {} | {} |".format(
            threads, fmt(big_gf, "{:.0f}"), fmt(100 * big_gf / p[0], "{:.0f}%"), fmt(p[0], "{:.0f}"),
            verdict(big_gf / p[0], 0.70, smaller=False)),
        "| 2. 784-512-512-10 (batch 128) epoch vs PyTorch | <= 0.35x | {} s vs {} s = **{}** | {} |".format(
            fmt(big), fmt(big_py), fmt(big / big_py, "{:.2f}x"), verdict(big / big_py, 0.35)),
        "| 3. main job (`mlp4j train`), launch to exit | <= 1.0 s | {} s | {} |".format(
            fmt(job_wall, "{:.2f}"), verdict(job_wall, 1.0)),
        "| 4. main job's peak RSS vs PyTorch's (tutorial) | <= 0.33x | {} MiB vs {} MiB = **{}** | {} |".format(
            fmt(job_rss, "{:.0f}"), fmt(py_rss, "{:.0f}"), fmt(job_rss / py_rss, "{:.2f}x"),
            verdict(job_rss / py_rss, 1 / 3)),
        "| 5. accuracy (README: test_acc 0.9692, seed 42) | unchanged | test_acc {} | {} |".format(
            fmt(test, "{:.4f}"), "not measured" if test != test else "met" if round(test, 4) == 0.9692 else "changed"),
        "| 6. aparapi epoch on PoCL (tutorial) | <= 0.3 s | {} s | {} |".format(fmt(apa), verdict(apa, 0.3)),
    ]
    return "\n".join(rows) + "\n"


def fmt(x, f="{:.3f}"):
    return "-" if x is None or x != x else f.format(x)


def main():
    args = sys.argv[1:]
    runs_dir = args[0]
    reference = None
    markdown = None
    if "--reference" in args:
        reference = args[args.index("--reference") + 1]
    threads = int(args[args.index("--threads") + 1]) if "--threads" in args else 2
    if "--markdown" in args:
        markdown = args[args.index("--markdown") + 1]
    runs = [parse_run(os.path.join(runs_dir, d)) for d in sorted(os.listdir(runs_dir))
            if os.path.isdir(os.path.join(runs_dir, d))]
    peaks = [r for r in runs if r["label"] == "fma peak"]
    runs = [r for r in runs if r["label"] != "fma peak"]
    groups = {}
    for r in runs:
        groups.setdefault((r["config"], r["label"]), []).append(r)
    ref_median = {}
    for (config, label), rs in groups.items():
        ok = [r for r in rs if r["ok"]]
        if label == reference and ok:
            ref_median[config] = statistics.median(r["median"] for r in ok)
    lines = ["| config | implementation | s/epoch median (min / max) | samples/s | val acc | test acc | peak RSS MiB"
             " | start-up to 1st batch s | ratio to " + (reference or "-") + " |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    notes = []
    for (config, label), rs in groups.items():
        ok = [r for r in rs if r["ok"]]
        if not ok:
            lines.append(f"| {config} | {label} | not run: {rs[0]['error'].replace('|', '/')} | | | | | | |")
            continue
        meds = sorted(r["median"] for r in ok)
        med = statistics.median(meds)
        ratio = med / ref_median[config] if config in ref_median else float("nan")
        lines.append("| {} | {} | {} ({} / {}) | {} | {} | {} | {} | {} | {} |".format(
            config, label, fmt(med), fmt(meds[0]), fmt(meds[-1]), fmt(50000 / med, "{:,.0f}"),
            fmt(statistics.median(r["val"] for r in ok) * 100, "{:.2f}%"),
            fmt(statistics.median(r["test"] for r in ok) * 100, "{:.2f}%"),
            fmt(statistics.median(r["rss_mib"] for r in ok), "{:.0f}"),
            fmt(statistics.median(r["startup"] for r in ok), "{:.2f}"), fmt(ratio, "{:.2f}x")))
        notes.append(f"- {label} ({config}): {len(ok)}/{len(rs)} runs, {ok[0]['epochs']} epochs each; {ok[0]['device']}")
    text = "\n".join(lines) + "\n\n" + "\n".join(notes) + "\n\n" + goals(groups, peaks, threads) + "\n"
    print(text)
    if markdown:
        with open(markdown, "a") as f:
            f.write(text)


if __name__ == "__main__":
    main()
