#!/usr/bin/env bash
# Runs the commands README shows, as written, on a fresh clone (.ci/run runs it):
#
#   scripts/readme-check.sh [--keep]
#
# 1. Lists README's commands: every line of a fenced block without a language that starts with a command
#    (mvn, mlp4j, a script under bench/, scripts/ or spark/, curl, ...), and every inline `code` span that does.
# 2. Each must have an entry in the table below, and each entry must still be in README: a command added to
#    README without an entry (or an entry whose command left README) fails the check, so the two cannot drift.
#    An entry either runs the command or skips it with the reason.
# 3. Clones the committed HEAD into target/readme-check/clone and runs the entries in order there, as a user
#    would after `git clone`: Maven uses a local repository of its own that links everything in the user's
#    ~/.m2/repository except io/mlp4j, so no io.mlp4j artifact installed earlier can make a command pass that
#    would fail on a fresh machine. `mlp4j` in README means the image's demo/target/mlp4j/bin/mlp4j.
#
# Substitutions, where README's text cannot run literally: placeholders (FILE, DIR, GLOB) get real paths;
# `serve` gets a free port instead of 8080 (CI machines may have it taken), and README's curl is sent to it.
# Commands that need a GPU or PyTorch, change the machine, publish, or take many minutes are skipped with the
# reason; those that CI runs anyway (the test command, the release check) are skipped as run elsewhere.
# Needs MLP4J_DATA (gzipped MNIST) and curl; about 4 minutes on 2 cores, most of it the first build.
# --keep leaves the clone in place. Exit status 0 when every entry passed.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DATA="$(cd "${MLP4J_DATA:-$ROOT/../shared/mnist}" && pwd)"
WORK="$ROOT/target/readme-check"
KEEP=false
[ "${1:-}" = "--keep" ] && KEEP=true
fail() { echo "readme-check: FAILED: $*" >&2; exit 1; }

# ---- the table: README's exact text | run | shell code   or   README's exact text | skip | reason ------------
# Entries run in this order, in the clone's root, with MLP4J_DATA set; $IMAGE is demo/target/mlp4j/bin/mlp4j,
# $TMP a scratch folder. A run entry passes when its code exits 0 (its checks included).
TABLE=$(cat <<'EOF'
mvn -B -q -pl demo -am package -DskipTests && demo/target/mlp4j/bin/mlp4j train|run|mvn -B -q -pl demo -am package -DskipTests && demo/target/mlp4j/bin/mlp4j train | tee "$TMP/train.txt" && grep -q '^test_loss: .*, test_acc: 0\.9[5-9]' "$TMP/train.txt" && test -f runs/latest/model.safetensors
export MLP4J_DATA=../shared/mnist|run|export MLP4J_DATA="$MLP4J_DATA" && test -f "$MLP4J_DATA/t10k-images-idx3-ubyte.gz"
mlp4j export --model runs/latest/model.safetensors --out model.onnx|run|$IMAGE export --model runs/latest/model.safetensors --out model.onnx && test -s model.onnx
mlp4j eval --model model.onnx|run|$IMAGE eval --model model.onnx | tee "$TMP/eval.txt" && grep -q 'test_acc: 0\.9[5-9]' "$TMP/eval.txt"
mlp4j devices|run|$IMAGE devices >"$TMP/devices.txt" && grep -q '^cpu' "$TMP/devices.txt"
mlp4j --version|run|$IMAGE --version >"$TMP/version.txt" && grep -q '^mlp4j ' "$TMP/version.txt"
mlp4j selfcheck|run|$IMAGE selfcheck | tee "$TMP/selfcheck.txt" && grep -q '^selfcheck .*: passed' "$TMP/selfcheck.txt"
export [--model FILE] --out FILE.onnx|skip|the synopsis of `mlp4j export`, which the export entry runs
mlp4j predict|run|$IMAGE predict examples/digit.png >"$TMP/predict.txt" && grep -q '^examples/digit.png: 7 (' "$TMP/predict.txt"
mlp4j serve|skip|a name: the serve entry below runs it
bin/mlp4j|skip|a name: every $IMAGE entry runs it
bin/mlp4j train|skip|the main job: the first entry runs it
demo/target/mlp4j/bin/mlp4j|skip|a name: every $IMAGE entry runs it
bin/mlp4j train|skip|the main job: the first entry runs it
demo/target/mlp4j/bin/mlp4j serve [--model FILE] [--host 127.0.0.1] [--port 8080] [--threads N]|run|port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') && { $IMAGE serve --model runs/latest/model.safetensors --host 127.0.0.1 --port "$port" --threads 2 >"$TMP/serve.txt" 2>&1 & echo $! >"$TMP/serve.pid"; } && for i in $(seq 100); do grep -q '^serving' "$TMP/serve.txt" && break; sleep 0.2; done && grep -q "^serving 784-32-10 at http://127.0.0.1:$port/" "$TMP/serve.txt" && echo "$port" >"$TMP/serve.port"
curl -H 'Content-Type: image/png' --data-binary @digit.png localhost:8080/predict|run|cd examples && curl -sS -H 'Content-Type: image/png' --data-binary @digit.png "localhost:$(cat "$TMP/serve.port")/predict" | tee "$TMP/curl.txt" && grep -q '^{"digit":7,' "$TMP/curl.txt"; rc=$?; kill "$(cat "$TMP/serve.pid")"; exit $rc
mvn -B -q -pl examples -am compile exec:exec -Dimage=examples/digit.png|run|mvn -B -q -pl examples -am compile exec:exec -Dimage=examples/digit.png | tee "$TMP/example.txt" && grep -q '7 (0\.[0-9]*)$' "$TMP/example.txt"
mlp4j train --hidden 256 --schedule 10@0.5,10@0.1 --seed 42 --out DIR|run|$IMAGE train --hidden 256 --schedule 10@0.5,10@0.1 --seed 42 --out "$TMP/bundled" | tee "$TMP/bundled.txt" && grep -q '^test_loss: .*, test_acc: 0\.9[7-9]' "$TMP/bundled.txt"
JDK_JAVA_OPTIONS=-Xmx128m bin/mlp4j train|run|cd demo/target/mlp4j && JDK_JAVA_OPTIONS=-Xmx128m bin/mlp4j train >"$TMP/small-heap.txt" && grep -q '^test_loss: .*, test_acc: 0\.9[5-9]' "$TMP/small-heap.txt"
spark/run-predict.sh --images GLOB --model FILE --out DIR [--master local[2]]|run|cp examples/digit.png "$TMP/seven.png" && spark/run-predict.sh --images "$TMP/*.png" --model runs/latest/model.safetensors --out "$TMP/spark-out" --master 'local[2]' && grep -q 'seven.png,7,' "$TMP"/spark-out/*.csv
spark/run-predict.sh|skip|a name: the entry above runs it
spark/run-evaluate.sh|run|spark/run-evaluate.sh >"$TMP/evaluate.txt" && grep -q -- '--idx IMAGES LABELS --model FILE' "$TMP/evaluate.txt"
mvn -B verify|skip|README's test command: .ci/run runs it (and checks README shows the command it runs)
scripts/release-check.sh|skip|.ci/run runs it
scripts/readme-check.sh|skip|this check
mvn -P release deploy|skip|publishes to a remote repository; scripts/release-check.sh runs the same build with a local staging repository
apt-get install pocl-opencl-icd ocl-icd-libopencl1 clinfo|skip|changes the machine; .ci/run installs these packages
MLP4J_DATA=../shared/mnist bench/compare.sh|skip|about 5 minutes and needs PyTorch; its --help runs below
bench/compare.sh|run|bench/compare.sh --help >"$TMP/compare.txt" && grep -q -- --threads "$TMP/compare.txt"
bench/run-jmh.sh|skip|about 5 minutes of JMH
bench/serve-load.sh|run|bench/serve-load.sh --help >/dev/null
bench/spark-compare.sh|run|bench/spark-compare.sh --help >/dev/null
bench/inference.sh|run|bench/inference.sh --help >/dev/null
scripts/gpu-pack.sh|skip|GpuScriptsIT (mvn -B verify) runs it end to end
scripts/gpu-check.sh|skip|needs a GPU for its purpose; GpuScriptsIT (mvn -B verify) runs it end to end without one
EOF
)

# ---- 1. README's commands ----------------------------------------------------------------------------------
readme_commands() {
  python3 - "$ROOT/README.md" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
command = re.compile(r"^(mvn |mlp4j |bin/mlp4j|demo/target/mlp4j/bin/mlp4j|(bench|scripts|spark)/[\w-]+\.sh|curl |"
                     r"apt-get |export |java |[A-Z0-9_]+=\S* )")
seen = []
def add(c):
    c = " ".join(c.split())
    if command.match(c) and c not in seen:
        seen.append(c)
for lang, body in re.findall(r"^```(\w*)\n(.*?)^```", text, re.S | re.M):
    if lang == "":
        for line in body.splitlines():
            add(re.sub(r"\s+#.*$", "", line))
prose = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
for span in re.findall(r"`([^`]+)`", prose):
    if "\n\n" not in span:
        add(span)
print("\n".join(seen))
PY
}
mapfile -t commands < <(readme_commands)
mapfile -t entries < <(printf '%s\n' "$TABLE" | cut -d'|' -f1)
problems=0
for c in "${commands[@]}"; do
  printf '%s\n' "${entries[@]}" | grep -xF -- "$c" >/dev/null ||
    { echo "readme-check: README shows \`$c\` but the table in scripts/readme-check.sh has no entry for it" >&2; problems=$((problems + 1)); }
done
for e in "${entries[@]}"; do
  printf '%s\n' "${commands[@]}" | grep -xF -- "$e" >/dev/null ||
    { echo "readme-check: the table has \`$e\`, which README no longer shows" >&2; problems=$((problems + 1)); }
done
[ "$problems" -eq 0 ] || fail "README and the table of scripts/readme-check.sh differ ($problems, above)"
echo "readme-check: README shows ${#commands[@]} commands; $(printf '%s\n' "$TABLE" | grep -c '|run|') run here, the rest skipped with a reason"

# ---- 2. a fresh clone and a Maven repository without io.mlp4j ---------------------------------------------
rm -rf "$WORK"; mkdir -p "$WORK/tmp"
git clone -q --no-hardlinks "$ROOT" "$WORK/clone"
echo "readme-check: cloned $(git -C "$WORK/clone" rev-parse --short HEAD) into $WORK/clone"
user_repo="$HOME/.m2/repository"
m2="$WORK/m2"; mkdir -p "$m2/io"
for d in "$user_repo"/*; do [ -e "$d" ] && [ "$(basename "$d")" != io ] && ln -s "$d" "$m2/"; done
for d in "$user_repo"/io/*; do [ -e "$d" ] && [ "$(basename "$d")" != mlp4j ] && ln -s "$d" "$m2/io/"; done

# ---- 3. the entries, in order -----------------------------------------------------------------------------
passed=0; skipped=0; failed=0
while IFS='|' read -r text kind code; do
  if [ "$kind" = skip ]; then
    echo "readme-check: SKIP \`$text\`: $code"; skipped=$((skipped + 1)); continue
  fi
  start=$(date +%s)
  log="$WORK/tmp/$(printf '%02d' $((passed + failed + 1))).log"
  if (cd "$WORK/clone" && MLP4J_DATA="$DATA" MAVEN_OPTS="${MAVEN_OPTS:-} -Dmaven.repo.local=$m2" \
        IMAGE="$WORK/clone/demo/target/mlp4j/bin/mlp4j" TMP="$WORK/tmp" bash -c "set -o pipefail; $code") </dev/null >"$log" 2>&1; then
    echo "readme-check: ok   \`$text\` ($(( $(date +%s) - start )) s)"; passed=$((passed + 1))
  else
    echo "readme-check: FAIL \`$text\` ($(( $(date +%s) - start )) s; log: $log):" >&2
    tail -15 "$log" | sed 's/^/    /' >&2
    failed=$((failed + 1))
  fi
done <<<"$TABLE"
[ -f "$WORK/tmp/serve.pid" ] && kill "$(cat "$WORK/tmp/serve.pid")" 2>/dev/null || true
$KEEP || rm -rf "$WORK/clone"
echo "readme-check: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || fail "$failed of README's commands failed (above)"
