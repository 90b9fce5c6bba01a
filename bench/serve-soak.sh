#!/usr/bin/env bash
# A soak of mlp4j serve from the jlink image: good and bad requests interleaved for DURATION seconds, then checks
# that the server is healthy, its memory is back within 10% of where it was after the warm-up, and no request hung.
#
#   bench/serve-soak.sh [--duration 60] [--warmup 10] [--connections 16]
#                                              [--read-timeout 2] [--image DIR] [--smoke]
#
# wrk (bench/serve/mixed.lua) cycles through: a PNG, JSON pixels, a JSON batch, a blank picture (200s), malformed
# JSON and a body that is no picture (400), a wrong Content-Type (415), a 20000x20000 PNG bomb (413), /health,
# /metrics (200), GET /predict (405), an unknown path (404); wrk's --timeout 5s counts any request that hangs.
# Beside it, bench/serve/side_clients.py starts every second a client that stops half-way through its body (it
# must be dropped after --read-timeout) and one that announces 100 MB (it must get 413 at once).
# Memory: VmRSS after the warm-up, its peak during the soak (sampled every second), and VmRSS at the end.
# --smoke (what CI runs): 2 s of warm-up and 5 s of soak; the heap has not settled by then, so memory is shown
# but not judged.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DURATION=60; WARMUP=10; CONNECTIONS=16; READ_TIMEOUT=2; SMOKE=0
IMAGE="$ROOT/demo/target/mlp4j"
DATA="${MLP4J_DATA:-$ROOT/../shared/mnist}"
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --read-timeout) READ_TIMEOUT="$2"; shift 2 ;;
    --image) IMAGE="$2"; shift 2 ;;
    --smoke) SMOKE=1; WARMUP=2; DURATION=5; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
[ -x "$IMAGE/bin/mlp4j" ] || { echo "no image at $IMAGE (mvn -B -q -pl demo -am package -DskipTests)" >&2; exit 2; }

WORK="$(mktemp -d)"
SERVE_PID=""
cleanup() { [ -z "$SERVE_PID" ] || kill "$SERVE_PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
java "$ROOT/bench/serve/Bodies.java" "$DATA" "$WORK"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# MLP4J_RAW_STDERR: the launcher execs the JVM, so $! is the JVM whose memory is measured (see bin/mlp4j)
MLP4J_RAW_STDERR=1 "$IMAGE/bin/mlp4j" serve --port "$PORT" --read-timeout "$READ_TIMEOUT" >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$PORT/health" && break; sleep 0.1; done
URL="http://127.0.0.1:$PORT"
rss() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVE_PID/status"; }

echo "$(date -u +%FT%TZ) $(nproc) CPUs; $(grep -m1 '^serving' "$WORK/serve.log")"
BODIES="$WORK" wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" -s "$ROOT/bench/serve/mixed.lua" "$URL" >/dev/null
sleep 1
RSS_WARM=$(rss)
echo "after ${WARMUP}s of warm-up: RSS $RSS_WARM MB"

PEAK=$RSS_WARM
( while kill -0 "$SERVE_PID" 2>/dev/null; do rss; echo; sleep 1; done ) >"$WORK/rss.txt" 2>/dev/null &
SAMPLER=$!
python3 "$ROOT/bench/serve/side_clients.py" "$PORT" "$DURATION" 1 "$READ_TIMEOUT" >"$WORK/side.txt" 2>&1 &
SIDE=$!
BODIES="$WORK" wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s --latency -s "$ROOT/bench/serve/mixed.lua" \
  "$URL" >"$WORK/wrk.txt"
SIDE_OK=0; wait "$SIDE" || SIDE_OK=$?
sleep $((READ_TIMEOUT + 2))
kill "$SAMPLER" 2>/dev/null || true
PEAK=$(sort -n "$WORK/rss.txt" | tail -1)
RSS_END=$(rss)

HEALTH=$(curl -s -o /dev/null -w '%{http_code}' "$URL/health")
PREDICT=$(curl -s -H 'Content-Type: image/png' --data-binary @"$WORK/digit.png" "$URL/predict")
curl -s "$URL/metrics" >"$WORK/metrics.txt"
IN_FLIGHT=$(awk '/^mlp4j_http_requests_in_flight/ { print $2 }' "$WORK/metrics.txt")
TIMEOUTS=$(awk -F'[ ,]+' '/Socket errors:/ { print $NF }' "$WORK/wrk.txt"); TIMEOUTS=${TIMEOUTS:-0}

echo "wrk, ${DURATION}s at $CONNECTIONS connections:"
grep -E 'Requests/sec|Non-2xx|Socket errors|  50%|  99%' "$WORK/wrk.txt" | sed 's/^/  /'
echo "bad clients beside it: $(cat "$WORK/side.txt")"
echo "answers by route and status:"
grep -E '^mlp4j_http_requests_total' "$WORK/metrics.txt" | sed 's/^/  /'
echo "RSS: $RSS_WARM MB after warm-up, peak $PEAK MB, $RSS_END MB at the end"
fail=0
check() { if [ "$2" = 1 ]; then echo "ok:     $1"; else echo "FAILED: $1"; fail=1; fi; }
check "healthy at the end (/health $HEALTH, a PNG of a 7 -> $(echo "$PREDICT" | cut -c1-11))" \
  "$([ "$HEALTH" = 200 ] && [[ "$PREDICT" == '{"digit":7,'* ]] && echo 1)"
if [ "$SMOKE" = 1 ]; then
  echo "(memory not judged in a smoke run)"
else
  check "memory at the end within 10% of after warm-up" \
    "$(awk -v a="$RSS_WARM" -v b="$RSS_END" 'BEGIN { print (b <= a * 1.10) ? 1 : 0 }')"
fi
check "no request hung (wrk timeouts: $TIMEOUTS, requests in flight at the end: $IN_FLIGHT)" \
  "$([ "$TIMEOUTS" = 0 ] && [ "$IN_FLIGHT" = 0 ] && echo 1)"
check "no 5xx but 503" "$(grep -E '^mlp4j_http_requests_total' "$WORK/metrics.txt" | grep -E 'code="5' | grep -vq 'code="503"' && echo 0 || echo 1)"
check "slow clients dropped, oversized bodies refused at once" "$([ "$SIDE_OK" = 0 ] && echo 1)"
exit $fail
