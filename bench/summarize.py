#!/usr/bin/python3
"""Builds the comparison table from a folder of runs written by compare.sh.

Each run is a folder RUN/ with meta.json ({"label", "config", "rep"}), out.txt (the program's output, ending with
a 'RESULT {json}' line, or for the demo image the run's history.csv next to it), and time.txt (/usr/bin/time -v).
Usage: summarize.py RUNS_DIR [--reference LABEL] [--markdown FILE]
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


def fmt(x, f="{:.3f}"):
    return "-" if x is None or x != x else f.format(x)


def main():
    args = sys.argv[1:]
    runs_dir = args[0]
    reference = None
    markdown = None
    if "--reference" in args:
        reference = args[args.index("--reference") + 1]
    if "--markdown" in args:
        markdown = args[args.index("--markdown") + 1]
    runs = [parse_run(os.path.join(runs_dir, d)) for d in sorted(os.listdir(runs_dir))
            if os.path.isdir(os.path.join(runs_dir, d))]
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
    text = "\n".join(lines) + "\n\n" + "\n".join(notes) + "\n"
    print(text)
    if markdown:
        with open(markdown, "a") as f:
            f.write(text)


if __name__ == "__main__":
    main()
