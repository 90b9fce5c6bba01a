#!/usr/bin/env bash
# The one-shot GPU check: on an unknown host, gathers the most evidence it can in under 10 minutes and writes it to
# OUT_DIR/report.md section by section (environment first), so that even a run cut short brings something back.
#
#   scripts/gpu-check.sh IMAGE_DIR OUT_DIR [DATA_DIR]
#
# IMAGE_DIR: the demo's runtime image (bin/mlp4j and its own Java); scripts/gpu-pack.sh builds a carry with it.
# OUT_DIR:   report.md, one log per step (steps/), training outputs (runs/), hs_err files of any JVM crash.
# DATA_DIR:  MNIST IDX files (a subset is fine: training says so); without it the training steps are skipped.
# GPU_CHECK_BUDGET: seconds for the whole run (default 540); a step that no longer fits is skipped, not started.
#
# Steps, each under its own timeout, never rerun, every output kept:
#   1. selfcheck of cublas and of aparapi pinned to a GPU (mlp4j.aparapi.device=gpu), and of cpu (--quick);
#   2. one short training epoch per GPU backend that ran its self-check;  3. the tutorial's schedule per backend, timed;
#   4. if time is left, 784-512-512-10 at batch 512 per backend;  PyTorch with CUDA beside 3 and 4 when present.
# Exit status: 0 whenever the report was written (it says what passed, failed and was missing); 2 when OUT_DIR
# cannot be written.
# No `set -e`: every failure is recorded in the report, none ends the run.

START=$SECONDS
BUDGET=${GPU_CHECK_BUDGET:-540}
abs() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$PWD" "$1" ;; esac; }

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0" >&2
  exit 2
fi
# Every path absolute before anything changes directory.
IMAGE=$(abs "$1")
OUT=$(abs "$2")
DATA=""
[ -n "${3:-}" ] && DATA=$(abs "$3")
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT/steps" "$OUT/runs" || { echo "gpu-check.sh: cannot create $OUT" >&2; exit 2; }
REPORT="$OUT/report.md"
: > "$REPORT" || { echo "gpu-check.sh: cannot write $REPORT" >&2; exit 2; }

PASSED=()
FAILED=()
MISSING=()
TIMES=()
GPU_PASSED=()
GPU_BACKENDS=()
md() { printf '%s\n' "$@" >> "$REPORT"; }
# Runs a short probe command (30 s at most) and puts its output in the report as a code block.
block() {
  md '```'
  timeout -k 5 30 "$@" >> "$REPORT" 2>&1
  local rc=$?
  [ $rc -ne 0 ] && md "(exit status $rc)"
  md '```'
  return $rc
}
have() { command -v "$1" >/dev/null 2>&1; }
finish() {
  md "" "## Summary" ""
  md "GPU backends that passed their self-check: ${GPU_PASSED[*]:-none}; trained: ${GPU_BACKENDS[*]:-none}" ""
  if [ ${#TIMES[@]} -gt 0 ]; then
    md "| training run | result | wall s | reported | test accuracy |" "|---|---|---:|---|---|"
    for x in "${TIMES[@]}"; do md "$x"; done
    md ""
  fi
  md "Passed (${#PASSED[@]}):"; for x in "${PASSED[@]}"; do md "- $x"; done
  md "" "Failed (${#FAILED[@]}):"; for x in "${FAILED[@]}"; do md "- $x"; done
  md "" "Missing or skipped (${#MISSING[@]}):"; for x in "${MISSING[@]}"; do md "- $x"; done
  local crashes=("$OUT"/hs_err_*.log)
  if [ -e "${crashes[0]}" ]; then
    md "" "## JVM crash reports" ""
    for f in "${crashes[@]}"; do md "### $(basename "$f")" '```'; head -n 60 "$f" >> "$REPORT"; md '```'; done
  fi
  md "" "Finished in $((SECONDS - START)) s."
  [ -n "${CACHE:-}" ] && rm -rf "$CACHE"
  echo "gpu-check.sh: report written to $REPORT (passed ${#PASSED[@]}, failed ${#FAILED[@]}, missing ${#MISSING[@]})"
  exit 0
}
trap 'md "" "**Interrupted by a signal.**"; finish' INT TERM

# ---------------------------------------------------------------- 1. environment (always written first)
md "# mlp4j GPU check" "" "$(date -u '+%Y-%m-%d %H:%M:%S UTC') on $(hostname 2>/dev/null), $(uname -srm)," \
   "$(nproc 2>/dev/null) CPUs ($(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo 2>/dev/null) memory." \
   "Image: $IMAGE. Output: $OUT. Data: ${DATA:-none}. Budget: $BUDGET s." "" "## Environment" ""
GPU=0
if have nvidia-smi; then
  gpus=$(timeout -k 5 30 nvidia-smi --query-gpu=index,name,driver_version,memory.total,mig.mode.current,compute_cap \
         --format=csv,noheader 2>&1)
  rc=$?
  cuda=$(timeout -k 5 30 nvidia-smi 2>/dev/null | grep -o 'CUDA Version: *[0-9.]*' | head -1)
  if [ $rc -eq 0 ] && [ -n "$gpus" ]; then
    GPU=1
    md "- NVIDIA GPU: found; driver supports ${cuda:-CUDA version unknown}" \
       "  (index, name, driver, memory, MIG mode, compute capability):" '```' "$gpus" '```'
  else
    md "- **No NVIDIA GPU found**: nvidia-smi exit status $rc: $(printf '%s' "$gpus" | head -3)"
  fi
  md "- nvidia-smi:"; block nvidia-smi
else
  md "- **No NVIDIA GPU found**: nvidia-smi is not installed"
fi
[ $GPU -eq 1 ] || MISSING+=("an NVIDIA GPU (nvidia-smi lists none)")
glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')
[ -n "$glibc" ] || glibc=$(ldd --version 2>/dev/null | head -1 | grep -o '[0-9]\+\.[0-9]\+$')
if [ -z "$glibc" ]; then
  md "- glibc: unknown (the image's JVM and the CUDA wrappers need 2.34 or newer)"
elif [ "$(printf '%s\n2.34\n' "$glibc" | sort -V | head -1)" = "2.34" ]; then
  md "- glibc $glibc (2.34 or newer: fine)"
else
  md "- **glibc $glibc is older than 2.34**, which the image's JVM and JavaCPP's CUDA wrappers need"
  MISSING+=("glibc 2.34 or newer (host has $glibc)")
fi
md "- /dev/nvidia*: $(ls /dev/nvidia* 2>/dev/null | tr '\n' ' ')"
md "- ldconfig -p (libcuda, libcudart, libcublas, libnvrtc, OpenCL):"
md '```'; ldconfig -p 2>/dev/null | grep -E 'libcuda\.so|libcudart|libcublas|libnvrtc|libOpenCL|libnvidia-opencl' >> "$REPORT" || md "(none)"; md '```'
md "- /etc/OpenCL/vendors:"
md '```'
if ls /etc/OpenCL/vendors/*.icd >/dev/null 2>&1; then
  for f in /etc/OpenCL/vendors/*.icd; do md "$f: $(cat "$f")"; done
else
  md "(no ICD files)"
fi
md '```'
md "- java on PATH: $(have java && java -version 2>&1 | head -1 || echo none) (the image brings its own)"
md "- python3: $(have python3 && python3 --version 2>&1 || echo none)"
TORCH_CUDA=0
if have python3; then
  torch=$(timeout -k 5 90 python3 -c 'import torch; c = torch.cuda.is_available(); print("torch", torch.__version__, "CUDA", torch.version.cuda, "cuda-available" if c else "cuda-not-available", torch.cuda.get_device_name(0) if c else "")' 2>&1 | tail -1)
  md "- PyTorch: $torch"
  case "$torch" in "torch "*" cuda-available"*) TORCH_CUDA=1 ;; esac
fi
[ $TORCH_CUDA -eq 1 ] || MISSING+=("PyTorch with CUDA (its numbers are left out)")

# CUDA 13 libraries for JavaCPP: the system's folders, /usr/local/cuda*, PyTorch's nvidia-* wheels. Only the mlp4j
# runs get them on LD_LIBRARY_PATH (PyTorch brings its own).
dirs=()
while IFS= read -r l; do dirs+=("$(dirname "$l")"); done < <(ldconfig -p 2>/dev/null | awk '/libcudart\.so\.13|libcublas\.so\.13|libnvrtc\.so\.13/ {print $NF}')
for d in /usr/local/cuda/lib64 /usr/local/cuda-13*/lib64 /usr/local/cuda-13*/targets/x86_64-linux/lib /usr/lib/x86_64-linux-gnu; do
  [ -d "$d" ] && dirs+=("$d")
done
if have python3; then
  while IFS= read -r d; do [ -n "$d" ] && dirs+=("$d"); done < <(timeout -k 5 60 python3 -c '
import os
try:
    import nvidia
    for base in list(nvidia.__path__):
        for sub in sorted(os.listdir(base)):
            for lib in ("lib", "lib64"):
                p = os.path.join(base, sub, lib)
                if os.path.isdir(p):
                    print(p)
except Exception:
    pass' 2>/dev/null)
fi
MLP4J_LD=""
md "- CUDA 13 libraries for mlp4j:"
for lib in libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libnvrtc.so.13 'libnvrtc-builtins.so.13*'; do
  hit=""
  for d in "${dirs[@]}"; do
    for f in "$d"/$lib; do [ -e "$f" ] && { hit="$d"; break 2; }; done
  done
  if [ -n "$hit" ]; then
    md "  - $lib: $hit"
    case ":$MLP4J_LD:" in *":$hit:"*) ;; *) MLP4J_LD="${MLP4J_LD:+$MLP4J_LD:}$hit" ;; esac
  else
    md "  - $lib: **not found**"
    MISSING+=("$lib (the cublas backend needs it)")
  fi
done

# ---------------------------------------------------------------- 2. OpenCL
md "" "## OpenCL" ""
vendors=${OCL_ICD_VENDORS:-/etc/OpenCL/vendors}
nvocl=$(ldconfig -p 2>/dev/null | awk '/libnvidia-opencl\.so\.1 .*x86-64/ {print $NF; exit}')
for f in /usr/lib/x86_64-linux-gnu/libnvidia-opencl.so.1 /usr/lib64/libnvidia-opencl.so.1 /usr/local/nvidia/lib64/libnvidia-opencl.so.1; do
  [ -z "$nvocl" ] && [ -e "$f" ] && nvocl=$f
done
if [ -z "$nvocl" ]; then
  md "- libnvidia-opencl.so.1: not found (aparapi cannot reach an NVIDIA GPU)"
elif grep -qs 'nvidia-opencl' "$vendors"/*.icd "$vendors" 2>/dev/null; then
  md "- libnvidia-opencl.so.1: $nvocl, named by an ICD file in $vendors"
else
  mkdir -p "$OUT/icd"
  cp "$vendors"/*.icd "$OUT/icd/" 2>/dev/null
  echo "$nvocl" > "$OUT/icd/nvidia.icd"
  export OCL_ICD_VENDORS="$OUT/icd"
  md "- libnvidia-opencl.so.1: $nvocl, but no ICD file in $vendors names it: wrote $OUT/icd/nvidia.icd and set OCL_ICD_VENDORS=$OUT/icd"
fi
loader=$(ldconfig -p 2>/dev/null | awk '/libOpenCL\.so\.1 .*x86-64/ {print $NF; exit}')
if [ -n "$loader" ]; then
  md "- OpenCL ICD loader: $loader"
else
  carried=""
  for f in "$(dirname "$IMAGE")/opencl/libOpenCL.so.1" "$HERE/opencl/libOpenCL.so.1"; do
    [ -e "$f" ] && { carried=$f; break; }
  done
  if [ -n "$carried" ]; then
    MLP4J_LD="${MLP4J_LD:+$MLP4J_LD:}$(dirname "$carried")"
    md "- OpenCL ICD loader: none on the host; using the carried $carried"
  else
    md "- OpenCL ICD loader: **none** on the host and none carried (scripts/gpu-pack.sh carries ocl-icd's)"
    MISSING+=("an OpenCL ICD loader (libOpenCL.so.1)")
  fi
fi
have clinfo && { md "- clinfo -l:"; block clinfo -l; }

# ---------------------------------------------------------------- 3. the image
md "" "## Image" ""
MLP4J="$IMAGE/bin/mlp4j"
if [ ! -f "$MLP4J" ]; then
  md "**No image at $IMAGE** (bin/mlp4j is missing): build it with scripts/gpu-pack.sh and pass its mlp4j folder."
  MISSING+=("the mlp4j image at $IMAGE")
  finish
fi
# Carried files may have lost their execute bits.
chmod u+x "$IMAGE"/bin/* "$IMAGE"/lib/jspawnhelper "$IMAGE"/lib/jexec 2>/dev/null
# A crash leaves its hs_err file in OUT_DIR (JDK_JAVA_OPTIONS splits at spaces: not for a path with one).
JOPTS=""
case "$OUT" in
  *" "*) md "- no -XX:ErrorFile: OUT_DIR has a space, which JDK_JAVA_OPTIONS would split" ;;
  *) JOPTS="-XX:ErrorFile=$OUT/hs_err_%p.log" ;;
esac
# JavaCPP unpacks its JNI libraries into a cache: a fresh one outside OUT_DIR (megabytes nobody needs to bring back).
CACHE=$(mktemp -d "${TMPDIR:-/tmp}/mlp4j-javacpp.XXXXXX" 2>/dev/null)
case "$CACHE" in /*" "*|"") ;; *) JOPTS="${JOPTS:+$JOPTS }-Dorg.bytedeco.javacpp.cachedir=$CACHE" ;; esac
MENV=(env "LD_LIBRARY_PATH=${MLP4J_LD}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "JDK_JAVA_OPTIONS=$JOPTS")
md "- environment of every mlp4j run: \`${MENV[*]:1}\`"
md "- $MLP4J --version:"; block "${MENV[@]}" "$MLP4J" --version
md "- $MLP4J devices:"; block "${MENV[@]}" "$MLP4J" devices

# ---------------------------------------------------------------- 4. steps
n=0
# step [-m] NAME LIMIT_S COMMAND...: runs once under its own timeout (cut to what is left of the budget), keeps the
# log, writes a section, and returns the command's exit status (124 on timeout, 125 when skipped for lack of time).
# -m: exit status 2 means "cannot run here" (selfcheck's answer for an unavailable backend): missing, not failed.
step() {
  local missing_on_2=0
  [ "$1" = -m ] && { missing_on_2=1; shift; }
  local name=$1 limit=$2
  shift 2
  local left=$((BUDGET - (SECONDS - START)))
  if [ $left -lt 20 ]; then
    md "" "### $name" "" "skipped: out of time ($left s of the budget left)"
    MISSING+=("$name (out of time)")
    return 125
  fi
  [ "$limit" -gt "$left" ] && limit=$left
  n=$((n + 1))
  local log
  log="$OUT/steps/$(printf '%02d' $n)-$(printf '%s' "$name" | tr -c 'A-Za-z0-9._-' '_').log"
  local t0=$SECONDS
  timeout -k 10 "$limit" "$@" > "$log" 2>&1 < /dev/null
  local rc=$?
  local dt=$((SECONDS - t0))
  local verdict
  case $rc in
    0) verdict="passed"; PASSED+=("$name (${dt} s)") ;;
    2) if [ $missing_on_2 -eq 1 ]; then
         verdict="cannot run here"
         MISSING+=("$(grep -v '^WARNING' "$log" | tail -n 1 | cut -c1-300)")
       else
         verdict="**failed** (exit status 2)"; FAILED+=("$name: exit status 2")
       fi ;;
    124|137) verdict="**timed out** after $limit s"; FAILED+=("$name: timed out after $limit s") ;;
    *) verdict="**failed** (exit status $rc)"; FAILED+=("$name: exit status $rc") ;;
  esac
  md "" "### $name" "" "$verdict in $dt s; log: steps/$(basename "$log")" '```'
  grep -vE '^WARNING: Using incubator modules|^NOTE: Picked up JDK_JAVA_OPTIONS' "$log" | tail -n 45 >> "$REPORT"
  md '```'
  case $name in
    train*|pytorch*)
      TIMES+=("| $name | $verdict | $dt | $(grep -o 'trained [0-9]* epochs in [0-9.]* s ([0-9,]* samples/s' "$log" | tail -1 | sed 's/$/)/')$(grep -o 'median epoch (2\.\.) [0-9.]* s' "$log" | tail -1) | $(grep -oE 'test_acc:? [0-9.]+%?' "$log" | tail -1) |") ;;
  esac
  return $rc
}
md "" "## 1. Self-checks (no data needed)"
# A GPU backend whose self-check ran is trained even if a check failed: its timings and behaviour are evidence too.
gpu_selfcheck() {
  local be=$1
  shift
  step -m "selfcheck $be$([ "$be" = aparapi ] && echo ' (device gpu)')" 240 "$@"
  case $? in
    0) GPU_PASSED+=("$be"); GPU_BACKENDS+=("$be") ;;
    1) GPU_BACKENDS+=("$be") ;;
  esac
}
gpu_selfcheck cublas "${MENV[@]}" "$MLP4J" selfcheck --backend cublas
gpu_selfcheck aparapi "${MENV[@]}" MLP4J_APARAPI_DEVICE=gpu "$MLP4J" selfcheck --backend aparapi
step -m "selfcheck cpu (quick)" 120 "${MENV[@]}" "$MLP4J" selfcheck --backend cpu --quick

if [ -z "$DATA" ] || [ ! -d "$DATA" ]; then
  md "" "## Training" "" "skipped: no DATA_DIR${DATA:+ ($DATA does not exist)}"
  MISSING+=("MNIST data (training steps skipped)")
  finish
fi
# aparapi runs stay pinned to the GPU, so that a PoCL on the host cannot stand in for it.
train() {
  local be=$1 label=$2 limit=$3
  shift 3
  local pin=()
  [ "$be" = aparapi ] && pin=(MLP4J_APARAPI_DEVICE=gpu)
  step "train $be $label" "$limit" "${MENV[@]}" "${pin[@]}" "$MLP4J" train --backend "$be" --data "$DATA" \
    --out "$OUT/runs/$be-$(printf '%s' "$label" | tr -c 'A-Za-z0-9' '-')" "$@"
}
torch() {
  local label=$1 limit=$2
  shift 2
  if [ $TORCH_CUDA -eq 1 ]; then
    local script="$HERE/mnist_mlp.py"
    [ -f "$script" ] || script="$HERE/../bench/pytorch/mnist_mlp.py"
    step "pytorch cuda $label" "$limit" python3 "$script" --device cuda --data "$DATA" "$@"
  fi
}

md "" "## 2. Short training per GPU backend"
[ ${#GPU_BACKENDS[@]} -eq 0 ] && md "" "no GPU backend can run here: nothing to train on a GPU"
for be in "${GPU_BACKENDS[@]}"; do train "$be" "1 epoch" 120 --schedule 1@0.5; done

md "" "## 3. The tutorial's schedule (784-32-10, batch 128, 5@0.5,5@0.1)"
for be in "${GPU_BACKENDS[@]}" cpu; do train "$be" "tutorial" 180; done
torch "tutorial" 180 --hidden 32 --batch 128

md "" "## 4. Larger model (784-512-512-10, batch 512), while time is left"
for be in "${GPU_BACKENDS[@]}" cpu; do train "$be" "784-512-512-10" 180 --hidden 512,512 --batch 512; done
torch "784-512-512-10" 180 --hidden 512,512 --batch 512

finish
