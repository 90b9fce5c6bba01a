#!/usr/bin/python3
"""The main job end to end: `bin/mlp4j train` against PyTorch's whole tutorial run, interleaved.

After one warm-up round (which also makes the launcher's class-data archive), per repeat it runs every
command once, in turn, and records for each: seconds from launch to the first line that
starts with the test marker (mlp4j: "test_loss", the tutorial's last line; PyTorch: "test_loss"), seconds to the
process's exit, CPU seconds (user + system, all threads and children) (mlp4j writes its files before exiting), peak RSS of the process tree's largest process (the
kernel's ru_maxrss of the waited-for children, so a launcher script and its JVM count as the JVM) and the test
accuracy printed. Prints a markdown table of medians (min / max) and ratios to the last command.

  bench/startup/launch_to_test.py --repeats 3 --data DIR --image demo/target/mlp4j [--label NAME=CMD ...]
"""
import argparse
import os
import re
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time


def run_once(cmd, env):
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True, bufsize=1)
    test_at, acc, lines = None, None, []
    for line in p.stdout:
        lines.append(line)
        if test_at is None and line.startswith("test_loss"):
            test_at = time.monotonic() - start
            m = re.search(r"test_acc:? ([0-9.]+)(%?)", line)
            if m:
                acc = float(m.group(1)) / (100 if m.group(2) else 1)
    _, status, usage = os.wait4(p.pid, 0)
    end = time.monotonic() - start
    if status != 0 or test_at is None:
        sys.stderr.write("".join(lines[-30:]))
        raise SystemExit(f"{cmd}: exit status {status}, test line {'seen' if test_at else 'missing'}")
    return {"test_s": test_at, "exit_s": end, "rss_mib": usage.ru_maxrss / 1024, "acc": acc,
            "cpu_s": usage.ru_utime + usage.ru_stime}


def dumping():
    """Class-data archives being dumped (by the launcher, in the background, after a command's first run)."""
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if b"-Xshare:dump" in f.read():
                        yield pid
            except OSError:
                pass


def fmt(values, spec):
    return f"{statistics.median(values):{spec}} ({min(values):{spec}} / {max(values):{spec}})"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--data", default=os.environ.get("MLP4J_DATA", "/work/shared/mnist"))
    ap.add_argument("--image", default="demo/target/mlp4j")
    ap.add_argument("--threads", type=int, default=2, help="PyTorch's torch.set_num_threads (mlp4j: its default)")
    ap.add_argument("--no-pytorch", action="store_true", help="mlp4j commands only (ratios to the last one)")
    ap.add_argument("--label", action="append", default=[],
                    help="NAME=COMMAND, an extra mlp4j command run in the same rounds ({data} and {out} filled in)")
    a = ap.parse_args()
    out = tempfile.mkdtemp(prefix="mlp4j-startup-")
    here = os.path.dirname(os.path.abspath(__file__))
    commands = [(name, cmd) for name, _, cmd in (l.partition("=") for l in a.label)]
    commands.append(("mlp4j train", f"{a.image}/bin/mlp4j train --data {{data}} --out {{out}}"))
    if not a.no_pytorch:
        commands.append(("pytorch tutorial", f"/usr/bin/python3 {here}/../pytorch/mnist_mlp.py --data {{data}}"
                                             f" --threads {a.threads} --quiet"))
    results = {name: [] for name, _ in commands}
    # A cache of its own for each command: the launcher's class-data archive is made by the warm-up round
    # (PyTorch's warm-up likewise leaves its files in the page cache). The launcher keeps one archive per command
    # name, so two images sharing a cache would delete each other's and dump a new one after every run.
    envs = {}
    for i, (name, _) in enumerate(commands):
        envs[name] = dict(os.environ, XDG_CACHE_HOME=os.path.join(out, f"cache{i}"))
    for name, cmd in commands:
        run_once(shlex.split(cmd.format(data=a.data, out=os.path.join(out, "warmup"))), envs[name])
    while any(dumping()):
        time.sleep(0.2)
    for r in range(a.repeats):
        for name, cmd in commands:
            argv = shlex.split(cmd.format(data=a.data, out=os.path.join(out, f"run{r}")))
            res = run_once(argv, envs[name])
            results[name].append(res)
            print(f"repeat {r + 1} {name}: test line {res['test_s']:.2f} s, exit {res['exit_s']:.2f} s, "
                  f"CPU {res['cpu_s']:.2f} s, "
                  f"peak RSS {res['rss_mib']:.0f} MiB, test_acc {res['acc']}", file=sys.stderr, flush=True)
    ref = results[commands[-1][0]]
    ref_test = statistics.median(x["test_s"] for x in ref)
    ref_rss = statistics.median(x["rss_mib"] for x in ref)
    print(f"\n{a.repeats} interleaved repeats; median (min / max); ratios of medians to the last row's.\n")
    print("| run | launch to test line s | launch to exit s | CPU s (user+sys) | peak RSS MiB | test acc | time ratio | RSS ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, _ in commands:
        rs = results[name]
        t = [x["test_s"] for x in rs]
        print(f"| {name} | {fmt(t, '.2f')} | {fmt([x['exit_s'] for x in rs], '.2f')} | "
              f"{fmt([x['cpu_s'] for x in rs], '.2f')} | {fmt([x['rss_mib'] for x in rs], '.0f')} | {rs[0]['acc']} | "
              f"{statistics.median(t) / ref_test:.2f}x | "
              f"{statistics.median(x['rss_mib'] for x in rs) / ref_rss:.2f}x |")


if __name__ == "__main__":
    main()
