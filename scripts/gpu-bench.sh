#!/usr/bin/env bash
# On the GPU machine: mlp4j (cublas, aparapi, cpu backends, through the carried demo image) against PyTorch CUDA.
#
#   scripts/gpu-bench.sh [--image demo/target/mlp4j] [--data DIR] [--repeats 1] [--out FILE.md] [--jmh]
#
# 1. prints nvidia-smi and the image's `devices` listing;
# 2. finds libcudart.so.13, libcublas.so.13 (+ libcublasLt) and libnvrtc.so.13 (+ its builtins) in the system's
#    library folders, /usr/local/cuda*, and PyTorch's bundled nvidia/*/lib folders, and puts their folders on
#    LD_LIBRARY_PATH so that JavaCPP's JNI wrappers load them (libcuda.so.1 comes with the driver);
# 3. trains 784-32-10 (batch 128) and 784-512-512-10 (batch 512), 5@0.5,5@0.1, with each backend and with
#    bench/pytorch/mnist_mlp.py --device cuda, interleaved, and prints one table (bench/summarize.py);
# 4. with --jmh and a built bench/ (bench/target), also the JMH benchmarks with -p backend=cpu,cublas.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
IMAGE="$ROOT/demo/target/mlp4j"
DATA="${MLP4J_DATA:-$ROOT/../shared/mnist}"
REPEATS=1
OUT="$ROOT/bench/target/gpu-bench-$(date +%Y%m%d-%H%M%S).md"
JMH=0
PY="${PYTHON:-python3}"
while [ $# -gt 0 ]; do
  case "$1" in
    --image) IMAGE="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --repeats) REPEATS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --jmh) JMH=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
CLI="$IMAGE/bin/mlp4j"
[ -x "$CLI" ] || { echo "no demo image at $IMAGE (bin/mlp4j missing): build it and carry it (--image DIR)" >&2; exit 2; }
[ -f "$DATA/train-images-idx3-ubyte.gz" ] || { echo "no MNIST in $DATA (--data DIR)" >&2; exit 2; }
DATA="$(cd "$DATA" && pwd)"

echo "=== nvidia-smi"
nvidia-smi || echo "(nvidia-smi failed: no driver?)"

echo "=== CUDA libraries"
candidates=()
while IFS= read -r l; do candidates+=("$(dirname "$l")"); done < <(ldconfig -p 2>/dev/null | awk '/libcudart.so.13|libcublas.so.13|libnvrtc.so.13/ {print $NF}')
for d in /usr/local/cuda/lib64 /usr/local/cuda-13*/lib64 /usr/local/cuda-13*/targets/x86_64-linux/lib /usr/lib/x86_64-linux-gnu; do
  [ -d "$d" ] && candidates+=("$d")
done
# PyTorch's pip wheels bundle the CUDA libraries under site-packages/nvidia/<lib>/lib.
while IFS= read -r d; do [ -n "$d" ] && candidates+=("$d"); done < <("$PY" - <<'PY' 2>/dev/null
import os
try:
    import nvidia
    for base in list(nvidia.__path__):
        for sub in sorted(os.listdir(base)):
            lib = os.path.join(base, sub, "lib")
            if os.path.isdir(lib):
                print(lib)
except Exception:
    pass
PY
)
found_dirs=()
for lib in libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libnvrtc.so.13; do
  hit=""
  for d in "${candidates[@]}"; do
    if [ -e "$d/$lib" ]; then hit="$d"; break; fi
  done
  if [ -n "$hit" ]; then
    echo "  $lib: $hit"
    found_dirs+=("$hit")
  else
    echo "  $lib: NOT FOUND (the cublas backend will say why it is unavailable)"
  fi
done
# NVRTC loads libnvrtc-builtins.so.13.* from its own folder or the library path.
for d in "${candidates[@]}"; do
  ls "$d"/libnvrtc-builtins.so.13* >/dev/null 2>&1 && { echo "  libnvrtc-builtins: $d"; found_dirs+=("$d"); break; }
done
LD="$(printf '%s\n' "${found_dirs[@]}" | awk '!seen[$0]++' | paste -sd: -)"
export LD_LIBRARY_PATH="${LD}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
echo "  LD_LIBRARY_PATH=$LD_LIBRARY_PATH"

echo "=== devices"
"$CLI" devices || true
"$PY" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")' || true

RUNS="$(mktemp -d "${TMPDIR:-/tmp}/mlp4j-gpu.XXXXXX")"
n=0
run() { # label config rep -- command...
  local label="$1" config="$2" rep="$3"; shift 4
  n=$((n + 1))
  local d; d="$(printf '%s/%03d' "$RUNS" "$n")"
  mkdir -p "$d"
  printf '{"label": "%s", "config": "%s", "rep": %d}\n' "$label" "$config" "$rep" > "$d/meta.json"
  local t0=$SECONDS
  ( cd "$d" && /usr/bin/time -v -o "$d/time.txt" "$@" > "$d/out.txt" 2>&1 ) || ( cd "$d" && "$@" > "$d/out.txt" 2>&1 ) || true
  [ -f "$d/run/history.csv" ] && cp "$d/run/history.csv" "$d/history.csv"
  printf '  %-14s %-6s rep %d: %3d s  %s\n' "$label" "$config" "$rep" $((SECONDS - t0)) \
    "$(grep -o -m1 'test_acc[^,]*' "$d/out.txt" || grep -m1 -E 'Exception|Error|not available' "$d/out.txt" | cut -c1-200 || true)"
}
echo "=== training ($REPEATS repeat(s))"
for rep in $(seq 1 "$REPEATS"); do
  for cfg in small big; do
    if [ $cfg = small ]; then H=32; B=128; else H=512,512; B=512; fi
    for be in cublas aparapi cpu; do
      run "mlp4j $be" $cfg "$rep" -- "$CLI" train --backend $be --hidden $H --batch $B --schedule 5@0.5,5@0.1 \
        --data "$DATA" --out run
    done
    run "pytorch cuda" $cfg "$rep" -- "$PY" "$ROOT/bench/pytorch/mnist_mlp.py" --device cuda --hidden $H --batch $B \
      --schedule 5@0.5,5@0.1 --data "$DATA" --quiet
  done
done
mkdir -p "$(dirname "$OUT")"
{
  echo "## mlp4j vs PyTorch CUDA, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1)"
  echo
  echo "small = 784-32-10 batch 128, big = 784-512-512-10 batch 512, both 5@0.5,5@0.1; mlp4j through the demo image."
  echo
} > "$OUT"
"$PY" "$ROOT/bench/summarize.py" "$RUNS" --reference "pytorch cuda" --markdown "$OUT"
echo "written to $OUT; runs kept in $RUNS"

if [ "$JMH" = 1 ]; then
  echo "=== JMH (cpu, cublas)"
  if [ -s "$ROOT/bench/target/runtime-classpath.txt" ]; then
    "$ROOT/bench/run-jmh.sh" -p backend=cpu,cublas -wi 2 -i 3 -w 1s -r 1s -f 1 || true
  else
    echo "bench/target is not built here; skipped"
  fi
fi
