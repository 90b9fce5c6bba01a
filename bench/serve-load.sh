#!/usr/bin/env bash
# mlp4j serve under load (wrk on loopback) against the ceiling of the JDK's own HttpServer, in ONE run,
# interleaved, so that background load hits both alike.
#
#   bench/serve-load.sh [--rounds 2] [--warmup 5] [--duration 20] [--connections 64]
#                                              [--threads N] [--image DIR] [--out FILE.md] [--smoke]
#
# Servers: `bin/mlp4j serve` from the jlink image (default demo/target/mlp4j; --threads passed on), and
# bench/serve/CeilingServer.java (reads the body, answers a fixed JSON of a prediction's size), both with
# -Dsun.net.httpserver.nodelay=true (serve sets it itself). Bodies: MNIST's first test image (a 7) as a 28x28
# grey PNG and as JSON pixels (bench/serve/Bodies.java; MNIST from $MLP4J_DATA).
# Each round measures ceiling+png, serve+png, serve+json, ceiling+json: wrk -t2 -c CONNECTIONS, a warm-up of
# WARMUP s (discarded), then DURATION s measured with --latency. Reported per run: requests/s, p50/p99 latency,
# non-2xx answers, socket errors; per body the median over rounds and the ratio serve/ceiling; peak RSS (VmHWM)
# of each server at the end; the issue's goals. --smoke: 1 round of 1+2 s at 4 connections, and exit 1 unless
# every answer was 2xx (what CI runs).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
ROUNDS=2; WARMUP=5; DURATION=20; CONNECTIONS=64; SERVE_THREADS=""; SMOKE=0
IMAGE="$ROOT/demo/target/mlp4j"
DATA="${MLP4J_DATA:-$ROOT/../shared/mnist}"
OUT="$ROOT/bench/target/serve-load-$(date +%Y%m%d-%H%M%S).md"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --threads) SERVE_THREADS="$2"; shift 2 ;;
    --image) IMAGE="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --smoke) SMOKE=1; ROUNDS=1; WARMUP=1; DURATION=2; CONNECTIONS=4; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
[ -x "$IMAGE/bin/mlp4j" ] || { echo "no image at $IMAGE (mvn -B -q -pl demo -am package -DskipTests)" >&2; exit 2; }
[ -f "$DATA/t10k-images-idx3-ubyte.gz" ] || { echo "no MNIST in $DATA (MLP4J_DATA)" >&2; exit 2; }

WORK="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
java "$ROOT/bench/serve/Bodies.java" "$DATA" "$WORK"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
await_up() { # URL PID
  for _ in $(seq 1 300); do
    curl -s -o /dev/null "$1" && return 0
    kill -0 "$2" 2>/dev/null || { echo "server $2 died" >&2; return 1; }
    sleep 0.1
  done
  echo "server at $1 did not come up" >&2; return 1
}

SERVE_PORT=$(free_port); CEIL_PORT=$(free_port)
# MLP4J_RAW_STDERR: the launcher execs the JVM, so $! is the JVM whose memory is measured (see bin/mlp4j)
MLP4J_RAW_STDERR=1 "$IMAGE/bin/mlp4j" serve --port "$SERVE_PORT" ${SERVE_THREADS:+--threads "$SERVE_THREADS"} >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!; PIDS+=("$SERVE_PID")
java -Dsun.net.httpserver.nodelay=true "$ROOT/bench/serve/CeilingServer.java" "$CEIL_PORT" >"$WORK/ceiling.log" 2>&1 &
CEIL_PID=$!; PIDS+=("$CEIL_PID")
await_up "http://127.0.0.1:$SERVE_PORT/health" "$SERVE_PID"
await_up "http://127.0.0.1:$CEIL_PORT/" "$CEIL_PID"

# wrk's latency as milliseconds
ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }

RESULTS="$WORK/results.tsv" # server body rps p50 p99 non2xx socketerrors
run() { # server port body type
  local url="http://127.0.0.1:$2/predict" body="$WORK/$3" out="$WORK/wrk.txt"
  BODY="$body" TYPE="$4" wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" -s "$ROOT/bench/serve/post.lua" "$url" >/dev/null
  BODY="$body" TYPE="$4" wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$ROOT/bench/serve/post.lua" "$url" >"$out"
  local rps p50 p99 non2xx errs
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
  p50=$(ms "$(awk '$1 == "50%" { print $2 }' "$out")")
  p99=$(ms "$(awk '$1 == "99%" { print $2 }' "$out")")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out"); non2xx=${non2xx:-0}
  errs=$(awk -F'[ ,]+' '/Socket errors:/ { print $4 + $6 + $8 + $10 }' "$out"); errs=${errs:-0}
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$3" "$rps" "$p50" "$p99" "$non2xx" "$errs" >>"$RESULTS"
  printf '  %-8s %-11s %10s req/s  p50 %6s ms  p99 %6s ms  non-2xx %s  socket errors %s\n' "$1" "$3" "$rps" "$p50" "$p99" "$non2xx" "$errs"
}

echo "$(date -u +%FT%TZ) $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); rounds $ROUNDS, warm-up ${WARMUP}s, ${DURATION}s at $CONNECTIONS connections"
echo "serve: $(grep -m1 "^serving" "$WORK/serve.log")"
for r in $(seq 1 "$ROUNDS"); do
  echo "round $r"
  run ceiling "$CEIL_PORT" digit.png image/png
  run serve "$SERVE_PORT" digit.png image/png
  run serve "$SERVE_PORT" pixels.json application/json
  run ceiling "$CEIL_PORT" pixels.json application/json
done
rss() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
SERVE_RSS=$(rss "$SERVE_PID"); CEIL_RSS=$(rss "$CEIL_PID")
curl -s "http://127.0.0.1:$SERVE_PORT/metrics" | grep -E '^mlp4j_http_(requests_total|errors_total)' >"$WORK/metrics.txt" || true

mkdir -p "$(dirname "$OUT")"
status=0
python3 - "$RESULTS" "$SERVE_RSS" "$CEIL_RSS" "$SMOKE" >"$OUT" <<'PY' || status=$?
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
serve_rss, ceil_rss, smoke = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
med = lambda xs: statistics.median(xs)
def pick(server, body, col): return [float(r[col]) for r in rows if r[0] == server and r[1] == body]
print("| body | ceiling req/s | serve req/s | serve / ceiling | serve p50 / p99 ms | ceiling p99 ms | serve non-2xx | socket errors |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
ratios = {}
for body in ("digit.png", "pixels.json"):
    c, s = med(pick("ceiling", body, 2)), med(pick("serve", body, 2))
    ratios[body] = s / c
    print(f"| {body} | {c:,.0f} | {s:,.0f} | {s / c:.2f}x | {med(pick('serve', body, 3)):.2f} / {max(pick('serve', body, 4)):.2f} "
          f"| {max(pick('ceiling', body, 4)):.2f} | {sum(pick('serve', body, 5)):.0f} | {sum(pick('serve', body, 6)) + sum(pick('ceiling', body, 6)):.0f} |")
print()
print(f"Peak RSS (VmHWM): serve {serve_rss} MB, ceiling {ceil_rss} MB. Medians over rounds; p99 is the worst round's.")
non2xx = sum(float(r[5]) for r in rows if r[0] == "serve")
p99 = max(float(r[4]) for r in rows if r[0] == "serve")
goals = [("PNG >= 0.5x ceiling", ratios["digit.png"] >= 0.5), ("JSON >= 0.7x ceiling", ratios["pixels.json"] >= 0.7),
         ("p99 <= 20 ms", p99 <= 20), ("0 non-2xx", non2xx == 0), ("peak RSS < 300 MB", serve_rss < 300)]
print("Goals: " + ", ".join(f"{g} {'met' if ok else 'MISSED'}" for g, ok in goals) + ".")
if smoke and (non2xx != 0 or any(float(r[2]) <= 0 for r in rows)):
    sys.exit(1)
PY
echo
cat "$OUT"
echo "serve's own count: $(tr '\n' ' ' <"$WORK/metrics.txt")"
echo "(written to $OUT)"
exit $status
