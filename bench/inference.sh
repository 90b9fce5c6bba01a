#!/usr/bin/env bash
# mlp4j's Classifier against ONNX Runtime (Java, CPU provider) and PyTorch (no_grad) on the same weights, in ONE
# run, interleaved: every repeat runs each system once per model, and within the Java process mlp4j and ONNX
# Runtime alternate round by round. Models: the bundled 784-256-10 (all 10,000 MNIST test images: single-image
# latency, 1 thread; batches of 64 and 1000, 1 and 2 threads) and a 784-512-512-10 of seeded random weights
# (batches of 1000). Predictions of mlp4j and ONNX Runtime must agree on every image (else exit 1).
#
#   bench/inference.sh [--repeats 3] [--seconds 1] [--data DIR] [--out FILE.md]
#
# Needs /usr/bin/python3 with torch (apt-get install python3-torch libopenblas0-openmp) to write the ONNX files
# and for the PyTorch rows. Prints a Markdown table of medians over the repeats, with ratios to ONNX Runtime.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
REPEATS=3
SECONDS_PER=1
DATA="${MLP4J_DATA:-$ROOT/../shared/mnist}"
OUT="$ROOT/bench/target/inference-$(date +%Y%m%d-%H%M%S).md"
while [ $# -gt 0 ]; do
  case "$1" in
    --repeats) REPEATS="$2"; shift 2 ;;
    --seconds) SECONDS_PER="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -f "$DATA/t10k-images-idx3-ubyte.gz" ] || { echo "no MNIST in $DATA (--data DIR or MLP4J_DATA)" >&2; exit 2; }
DATA="$(cd "$DATA" && pwd)"
/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "needs /usr/bin/python3 with torch" >&2; exit 2; }
if [ ! -s "$ROOT/bench/target/runtime-classpath.txt" ] || [ ! -f "$ROOT/bench/target/classes/io/mlp4j/bench/InferenceMain.class" ]; then
  echo "building mlp4j and bench ..." >&2
  (cd "$ROOT" && mvn -B -q install -DskipTests -pl mlp4j -am && mvn -B -q -f bench/pom.xml package)
fi
CP="$ROOT/bench/target/classes:$(cat "$ROOT/bench/target/runtime-classpath.txt")"
WORK="$ROOT/bench/target/inference"
mkdir -p "$WORK" "$(dirname "$OUT")"
BUNDLED="$ROOT/mlp4j/src/main/resources/io/mlp4j/default-model.safetensors"
PY="$ROOT/bench/inference"
/usr/bin/python3 "$PY/export_onnx.py" "$BUNDLED" "$WORK/bundled.onnx"
/usr/bin/python3 "$PY/export_onnx.py" --random 784,512,512,10 "$WORK/big.onnx"   # also writes big.safetensors

RAW="$WORK/raw.tsv"
: > "$RAW"
java_run() { # model-tag safetensors onnx [-Dproperty...] options...
  local tag="$1" st="$2" onnx="$3"; shift 3
  local props=()
  while [ $# -gt 0 ] && [[ "$1" == -D* ]]; do props+=("$1"); shift; done
  java "${props[@]}" --add-modules jdk.incubator.vector -cp "$CP" io.mlp4j.bench.InferenceMain "$st" "$onnx" "$DATA" \
    --seconds "$SECONDS_PER" "$@" 2>/dev/null | sed "s/^/$tag\t/" >> "$RAW"
}
py_run() { # model-tag safetensors options...
  local tag="$1" st="$2"; shift 2
  (cd "$PY" && /usr/bin/python3 pytorch_infer.py "$st" "$DATA" --seconds "$SECONDS_PER" "$@") | sed "s/^/$tag\t/" >> "$RAW"
}
for rep in $(seq 1 "$REPEATS"); do
  echo "repeat $rep of $REPEATS ..." >&2
  java_run 784-256-10 "$BUNDLED" "$WORK/bundled.onnx" --latency
  py_run 784-256-10 "$BUNDLED" --latency
  java_run 784-256-10 "$BUNDLED" "$WORK/bundled.onnx" -Dmlp4j.cpu.vector=false --latency
  java_run 784-512-512-10 "$WORK/big.safetensors" "$WORK/big.onnx" --batches 1000
  py_run 784-512-512-10 "$WORK/big.safetensors" --batches 1000
done

/usr/bin/python3 - "$RAW" "$REPEATS" <<'PYEOF' | tee "$OUT"
import collections, statistics, sys, subprocess
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    model, system, threads, metric, value = line.split("\t")
    rows[(model, metric, int(threads), system)].append(float(value))
cpu = subprocess.run("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2", shell=True, capture_output=True, text=True).stdout.strip()
print(f"Inference, {sys.argv[2]} interleaved repeats (median over repeats), {cpu}, `nproc` = "
      + subprocess.run("nproc", capture_output=True, text=True).stdout.strip())
print()
print("| model | measure | threads | mlp4j | ONNX Runtime | PyTorch | mlp4j / ORT | mlp4j plain loops | plain / mlp4j |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
differ = sum(sum(v) for k, v in rows.items() if k[1] == "differing_predictions")
for (model, metric, threads) in sorted({k[:3] for k in rows if k[1] != "differing_predictions"}):
    m = {s: statistics.median(rows[(model, metric, threads, s)]) for s in ("mlp4j", "onnxruntime", "pytorch", "mlp4j-plain")
         if rows.get((model, metric, threads, s))}
    fmt = (lambda v: f"{v:,.1f} us") if "latency" in metric else (lambda v: f"{v:,.0f} img/s")
    ratio = m["mlp4j"] / m["onnxruntime"] if "mlp4j" in m and "onnxruntime" in m else float("nan")
    better = "lower is better" if "latency" in metric else "higher is better"
    plain = f"{fmt(m['mlp4j-plain'])} | {m['mlp4j-plain'] / m['mlp4j']:.2f}" if "mlp4j-plain" in m else "- | -"
    print(f"| {model} | {metric.replace('_', ' ')} | {threads} | {fmt(m['mlp4j'])} | {fmt(m['onnxruntime'])} | "
          f"{fmt(m['pytorch']) if 'pytorch' in m else '-'} | {ratio:.2f} ({better}) | {plain} |")
print()
print(f"Predictions differing between mlp4j and ONNX Runtime, summed over all runs: {differ:.0f}")
PYEOF
