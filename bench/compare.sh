#!/usr/bin/env bash
# mlp4j against PyTorch on this machine's CPU, in ONE run, interleaved (each repeat runs every implementation of
# every configuration once, so that background load hits all of them alike), and the table of issue 16's goals.
#
#   bench/compare.sh [--repeats 3] [--threads 2] [--data DIR] [--out FILE.md] [--no-aparapi] [--no-demo] [--no-build]
#
# Per repeat:
#   peak:  this machine's FMA peak (JMH PeakBench: FMAs on registers, no memory traffic), 1 and 2 threads
#   small: 784-32-10,      batch 128, 5@0.5,5@0.1 (10 epochs) -- the tutorial
#          mlp4j cpu (bench TrainMain, io.mlp4j on the module path), PyTorch CPU (bench/pytorch/mnist_mlp.py,
#          /usr/bin/python3), mlp4j aparapi (skipped with --no-aparapi; "not run: reason" where unavailable), and
#          README's main job as shipped: demo/target/mlp4j/bin/mlp4j train (when the image is built; --no-demo
#          skips it), timed from launch to exit by /usr/bin/time
#   big:   784-512-512-10, batch 128, $BIG_SCHEDULE (default 2@0.5,2@0.1: the median is over epochs 2-4)
#          mlp4j cpu, PyTorch CPU
# Per run: median seconds per epoch over epochs 2.. (the first includes JIT warm-up); the tables give the median
# over the repeats with min / max, peak RSS (/usr/bin/time -v) and ratios to PyTorch (lower is faster).
# About 5 minutes with the defaults on 2 cores, after a build of bench and the demo image with the Maven reactor
# (so that what is measured is the checkout; --no-build measures the jars and image already built).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# Signal chaining, as the demo's launcher does: PoCL's LLVM takes the JVM's signal handlers otherwise.
JSIG="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")/lib/libjsig.so"
REPEATS=3
THREADS=2
DATA="${MLP4J_DATA:-$ROOT/../shared/mnist}"
OUT="$ROOT/bench/target/compare-$(date +%Y%m%d-%H%M%S).md"
APARAPI=1
DEMO_RUNS=1
BUILD=1
BIG_SCHEDULE="${BIG_SCHEDULE:-2@0.5,2@0.1}"
while [ $# -gt 0 ]; do
  case "$1" in
    --repeats) REPEATS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --no-aparapi) APARAPI=0; shift ;;
    --no-demo) DEMO_RUNS=0; shift ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -f "$DATA/train-images-idx3-ubyte.gz" ] || { echo "no MNIST in $DATA (--data DIR or MLP4J_DATA)" >&2; exit 2; }
DATA="$(cd "$DATA" && pwd)"
command -v /usr/bin/time >/dev/null || { echo "/usr/bin/time is needed (apt-get install time)" >&2; exit 2; }

if [ "$BUILD" = 1 ]; then
  modules=bench
  [ "$DEMO_RUNS" = 1 ] && modules=bench,demo
  echo "building $modules and what they use (reactor) ..." >&2
  (cd "$ROOT" && mvn -B -q -pl "$modules" -am package -DskipTests)
elif [ ! -s "$ROOT/bench/target/runtime-classpath.txt" ]; then
  echo "--no-build, but bench is not built: mvn -B -q -pl bench -am package -DskipTests" >&2
  exit 2
fi
# io.mlp4j and its optional modules on the module path (JMH's jars left out), TrainMain on the class path.
MP="$(tr ':' '\n' < "$ROOT/bench/target/runtime-classpath.txt" | grep -v -e jmh -e jopt -e commons-math | paste -sd: -)"
JMH_CP="$ROOT/bench/target/classes:$(cat "$ROOT/bench/target/runtime-classpath.txt")"
DEMO="$ROOT/demo/target/mlp4j/bin/mlp4j"
[ -x "$DEMO" ] || DEMO_RUNS=0

RUNS="$(mktemp -d "${TMPDIR:-/tmp}/mlp4j-compare.XXXXXX")"
trap 'rm -rf "$RUNS"' EXIT
n=0
run() { # label config rep -- command...
  local label="$1" config="$2" rep="$3"; shift 4
  n=$((n + 1))
  local d; d="$(printf '%s/%03d' "$RUNS" "$n")"
  mkdir -p "$d"
  printf '{"label": "%s", "config": "%s", "rep": %d}\n' "$label" "$config" "$rep" > "$d/meta.json"
  local t0=$SECONDS
  ( cd "$d" && /usr/bin/time -v -o "$d/time.txt" "$@" > "$d/out.txt" 2>&1 ) || true
  [ -f "$d/run/history.csv" ] && cp "$d/run/history.csv" "$d/history.csv"
  printf '  %-16s %-6s rep %d: %3d s  %s\n' "$label" "$config" "$rep" $((SECONDS - t0)) \
    "$(grep -o -m1 -e 'test_acc[^,]*' -e '[0-9.]* GFLOP/s' "$d/out.txt" || grep -m1 -E 'Exception|Error' "$d/out.txt" | cut -c1-160 || true)"
}
mlp4j() { # backend hidden batch schedule
  echo env LD_PRELOAD="$JSIG" java -XX:GCTimeRatio=4 --module-path "$MP" --add-modules ALL-MODULE-PATH,jdk.incubator.vector \
    -cp "$ROOT/bench/target/classes" io.mlp4j.bench.TrainMain --backend "$1" --threads "$THREADS" \
    --hidden "$2" --batch "$3" --schedule "$4" --data "$DATA"
}
pytorch() { # hidden batch schedule
  echo /usr/bin/python3 "$ROOT/bench/pytorch/mnist_mlp.py" --device cpu --threads "$THREADS" --hidden "$1" \
    --batch "$2" --schedule "$3" --data "$DATA" --quiet
}
peak() { # threads
  echo java --add-modules jdk.incubator.vector -cp "$JMH_CP" io.mlp4j.bench.jmh.JmhMain PeakBench -t "$1" \
    -wi 1 -i 3 -w 1s -r 1s
}

START=$SECONDS
echo "runs in $RUNS; $REPEATS repeats, $THREADS thread(s)"
for rep in $(seq 1 "$REPEATS"); do
  run "fma peak" peak1 "$rep" -- $(peak 1)
  run "fma peak" peak2 "$rep" -- $(peak 2)
  # $(...) word-splits into the command; no path here contains spaces.
  run "mlp4j cpu" small "$rep" -- $(mlp4j cpu 32 128 5@0.5,5@0.1)
  run "pytorch cpu" small "$rep" -- $(pytorch 32 128 5@0.5,5@0.1)
  [ "$APARAPI" = 1 ] && run "mlp4j aparapi" small "$rep" -- $(mlp4j aparapi 32 128 5@0.5,5@0.1)
  [ "$DEMO_RUNS" = 1 ] && run "main job" small "$rep" -- env MLP4J_DATA="$DATA" "$DEMO" train --out run
  run "mlp4j cpu" big "$rep" -- $(mlp4j cpu 512,512 128 "$BIG_SCHEDULE")
  run "pytorch cpu" big "$rep" -- $(pytorch 512,512 128 "$BIG_SCHEDULE")
done
echo "total $((SECONDS - START)) s"

mkdir -p "$(dirname "$OUT")"
{
  echo "## mlp4j vs PyTorch, CPU, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs; $(java -version 2>&1 | head -1)."
  echo "$REPEATS interleaved repeats, $THREADS thread(s) each; small = 784-32-10 batch 128, 5@0.5,5@0.1;"
  echo "big = 784-512-512-10 batch 128, $BIG_SCHEDULE. s/epoch = median over epochs 2.. of a run, then median"
  echo "(min / max) over the repeats. mlp4j cpu through bench TrainMain on the module path; main job = the demo image's"
  echo "\`mlp4j train\` (README), launch to exit."
  echo
} > "$OUT"
/usr/bin/python3 "$ROOT/bench/summarize.py" "$RUNS" --reference "pytorch cpu" --threads "$THREADS" --markdown "$OUT"
echo "written to $OUT"
