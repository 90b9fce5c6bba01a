#!/usr/bin/env bash
# mlp4j against PyTorch on this machine's CPU, in ONE run, interleaved (each repeat runs every implementation of
# every configuration once, so that background load hits all of them alike).
#
#   bench/compare.sh [--repeats 3] [--threads 1] [--data DIR] [--out FILE.md] [--demo]
#
# Implementations: mlp4j cpu backend (as shipped, and with -Xmx128m), mlp4j aparapi backend (reported as "not run: <reason>" where it is not
# available), PyTorch CPU (bench/pytorch/mnist_mlp.py, /usr/bin/python3) with the same thread count.
# mlp4j runs through bench's TrainMain (public API only) with io.mlp4j as a named module on the module path,
# like the demo image; --demo uses demo/target/mlp4j/bin/mlp4j train instead (then no start-up figure).
# Configurations:
#   small: 784-32-10,      batch 128, 5@0.5,5@0.1 (10 epochs)            -- the tutorial
#   big:   784-512-512-10, batch 512, $BIG_SCHEDULE (default 3@0.5,2@0.1: 5 epochs, to stay under 15 minutes
#          on 2 cores; the median is then over epochs 2-5)
# Per run: median seconds per epoch over epochs 2.. (the first includes JIT warm-up); the table shows the median
# of those over the repeats with min / max, samples/s, final val and test accuracy, peak RSS (/usr/bin/time -v),
# time from process start to the first batch, and the ratio to PyTorch (lower is faster).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# Signal chaining, as the demo's launcher does: PoCL's LLVM takes the JVM's signal handlers otherwise.
JSIG="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")/lib/libjsig.so"
REPEATS=3
THREADS=1
DATA="${MLP4J_DATA:-$ROOT/../shared/mnist}"
OUT="$ROOT/bench/target/compare-$(date +%Y%m%d-%H%M%S).md"
USE_DEMO=0
BIG_SCHEDULE="${BIG_SCHEDULE:-3@0.5,2@0.1}"
while [ $# -gt 0 ]; do
  case "$1" in
    --repeats) REPEATS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --demo) USE_DEMO=1; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -f "$DATA/train-images-idx3-ubyte.gz" ] || { echo "no MNIST in $DATA (--data DIR or MLP4J_DATA)" >&2; exit 2; }
DATA="$(cd "$DATA" && pwd)"
command -v /usr/bin/time >/dev/null || { echo "/usr/bin/time is needed (apt-get install time)" >&2; exit 2; }

DEMO="$ROOT/demo/target/mlp4j/bin/mlp4j"
if [ "$USE_DEMO" = 1 ]; then
  [ -x "$DEMO" ] || { echo "--demo: $DEMO does not exist (build the demo image first)" >&2; exit 2; }
else
  if [ ! -s "$ROOT/bench/target/runtime-classpath.txt" ] || [ ! -f "$ROOT/bench/target/classes/io/mlp4j/bench/TrainMain.class" ]; then
    echo "building mlp4j and bench ..." >&2
    (cd "$ROOT" && mvn -B -q install -DskipTests -pl mlp4j -am && mvn -B -q -f bench/pom.xml package)
  fi
  # io.mlp4j and its optional modules on the module path (JMH's jars left out), TrainMain on the class path.
  MP="$(tr ':' '\n' < "$ROOT/bench/target/runtime-classpath.txt" | grep -v -e jmh -e jopt -e commons-math | paste -sd: -)"
fi

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
  printf '  %-14s %-6s rep %d: %3d s  %s\n' "$label" "$config" "$rep" $((SECONDS - t0)) \
    "$(grep -o -m1 'test_acc[^,]*' "$d/out.txt" || grep -m1 -E 'Exception|Error' "$d/out.txt" | cut -c1-160 || true)"
}
mlp4j() { # backend hidden batch schedule [extra JVM option]
  if [ "$USE_DEMO" = 1 ]; then
    echo env JDK_JAVA_OPTIONS="${5:-}" "$DEMO" train --backend "$1" --threads "$THREADS" --hidden "$2" --batch "$3" --schedule "$4" --data "$DATA" --out run
  else
    echo env LD_PRELOAD="$JSIG" java -XX:GCTimeRatio=4 ${5:-} --module-path "$MP" --add-modules ALL-MODULE-PATH,jdk.incubator.vector \
      -cp "$ROOT/bench/target/classes" io.mlp4j.bench.TrainMain --backend "$1" --threads "$THREADS" \
      --hidden "$2" --batch "$3" --schedule "$4" --data "$DATA"
  fi
}
pytorch() { # hidden batch schedule
  echo /usr/bin/python3 "$ROOT/bench/pytorch/mnist_mlp.py" --device cpu --threads "$THREADS" --hidden "$1" \
    --batch "$2" --schedule "$3" --data "$DATA" --quiet
}

START=$SECONDS
echo "runs in $RUNS; $REPEATS repeats, $THREADS thread(s)"
for rep in $(seq 1 "$REPEATS"); do
  for cfg in small big; do
    if [ $cfg = small ]; then H=32; B=128; S=5@0.5,5@0.1; else H=512,512; B=512; S=$BIG_SCHEDULE; fi
    # $(...) word-splits into the command; no path here contains spaces.
    run "mlp4j cpu" $cfg "$rep" -- $(mlp4j cpu $H $B $S)
    # the same with the Java heap capped: peak memory without the heap G1 grows during the JIT warm-up
    run "mlp4j cpu -Xmx128m" $cfg "$rep" -- $(mlp4j cpu $H $B $S -Xmx128m)
    run "mlp4j aparapi" $cfg "$rep" -- $(mlp4j aparapi $H $B $S)
    run "pytorch cpu" $cfg "$rep" -- $(pytorch $H $B $S)
  done
done
echo "total $((SECONDS - START)) s"

mkdir -p "$(dirname "$OUT")"
{
  echo "## mlp4j vs PyTorch, CPU, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "$REPEATS interleaved repeats, $THREADS thread(s) each; small = 784-32-10 batch 128, 5@0.5,5@0.1;"
  echo "big = 784-512-512-10 batch 512, $BIG_SCHEDULE. s/epoch = median over epochs 2.. of a run, then median"
  echo "(min / max) over the repeats. mlp4j through $([ "$USE_DEMO" = 1 ] && echo "the demo image" || echo "bench TrainMain on the module path")."
  echo
} > "$OUT"
/usr/bin/python3 "$ROOT/bench/summarize.py" "$RUNS" --reference "pytorch cpu" --markdown "$OUT"
echo "written to $OUT"
