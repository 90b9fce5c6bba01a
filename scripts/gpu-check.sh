#!/usr/bin/env bash
# Checks the aparapi backend on a GPU machine (e.g. NVIDIA H100) with a carried jlink image of the demo.
#
#   scripts/gpu-check.sh [IMAGE_DIR] [DATA_DIR] [OUT_DIR]
#
# IMAGE_DIR: the demo's runtime image (default demo/target/mlp4j), holding bin/mlp4j and its own Java.
# DATA_DIR:  MNIST IDX files (default $MLP4J_DATA, else shared/mnist).
# OUT_DIR:   where training writes its model and history (default $OUT, else a temporary directory).
#
# Prints the GPU (nvidia-smi), whether an OpenCL ICD loader and the NVIDIA ICD are there, the devices mlp4j
# sees, then trains the tutorial's model with --backend aparapi on the GPU (mlp4j.aparapi.device=gpu) and prints
# the device, the epoch times and the accuracies. Exit status: 0 when training ran on an OpenCL GPU, else non-zero.
set -u

IMAGE=${1:-demo/target/mlp4j}
DATA=${2:-${MLP4J_DATA:-shared/mnist}}
OUTDIR=${3:-${OUT:-$(mktemp -d)}}
status=0

section() { printf '\n=== %s ===\n' "$*"; }

section "GPU"
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi || true
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
else
  echo "nvidia-smi: not found"
fi

section "OpenCL"
loader=""
for f in /usr/lib/x86_64-linux-gnu/libOpenCL.so.1 /usr/lib64/libOpenCL.so.1 /usr/lib/libOpenCL.so.1 \
         /usr/local/cuda/lib64/libOpenCL.so.1 /usr/local/cuda/targets/x86_64-linux/lib/libOpenCL.so.1; do
  if [ -e "$f" ]; then loader=$f; break; fi
done
if [ -z "$loader" ] && command -v ldconfig >/dev/null 2>&1; then
  loader=$(ldconfig -p 2>/dev/null | awk '/libOpenCL\.so\.1/ {print $NF; exit}')
fi
if [ -n "$loader" ]; then
  echo "ICD loader: $loader"
else
  echo "ICD loader: libOpenCL.so.1 NOT FOUND (Aparapi will see no OpenCL platform)"
  echo "  hint: it ships with the CUDA toolkit (cuda/lib64) or the ocl-icd-libopencl1 package;"
  echo "  put its directory on LD_LIBRARY_PATH"
  status=1
fi
vendors=${OCL_ICD_VENDORS:-/etc/OpenCL/vendors}
if ls "$vendors"/*.icd >/dev/null 2>&1; then
  for icd in "$vendors"/*.icd; do echo "ICD $icd -> $(cat "$icd")"; done
  if ! grep -qi nvidia "$vendors"/*.icd; then
    echo "no NVIDIA ICD in $vendors (expected nvidia.icd containing libnvidia-opencl.so.1)"
    status=1
  fi
else
  echo "no ICD files in $vendors"
  if ldconfig -p 2>/dev/null | grep -q libnvidia-opencl.so.1; then
    echo "  libnvidia-opencl.so.1 exists: try  mkdir -p /tmp/icd && echo libnvidia-opencl.so.1 > /tmp/icd/nvidia.icd"
    echo "  && export OCL_ICD_VENDORS=/tmp/icd"
  fi
  status=1
fi
command -v clinfo >/dev/null 2>&1 && clinfo -l

section "mlp4j image"
MLP4J="$IMAGE/bin/mlp4j"
if [ ! -x "$MLP4J" ]; then
  echo "no runnable $MLP4J (build the demo image first, or pass its directory)"
  exit 2
fi
"$IMAGE/bin/java" -version 2>&1 | head -1 || true

section "mlp4j devices"
"$MLP4J" devices
rc=$?
[ $rc -ne 0 ] && { echo "devices failed with exit status $rc"; status=1; }

section "mlp4j train --backend aparapi (OpenCL GPU)"
if [ ! -d "$DATA" ]; then
  echo "data directory $DATA not found (pass it as the second argument or set MLP4J_DATA)"
  exit 2
fi
mkdir -p "$OUTDIR"
log="$OUTDIR/train-aparapi.log"
start=$(date +%s.%N)
MLP4J_APARAPI_DEVICE=gpu "$MLP4J" train --backend aparapi --data "$DATA" --out "$OUTDIR" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
end=$(date +%s.%N)
echo
echo "--- summary ---"
echo "exit status: $rc, wall time: $(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f s", b - a}')"
grep -iE 'backend|device|opencl' "$log" | head -5
grep -iE 'epoch' "$log" | tail -12
grep -iE 'test_acc|test acc|accuracy' "$log" | tail -3
[ $rc -ne 0 ] && status=1
if ! grep -qiE 'OpenCL GPU' "$log"; then
  echo "WARNING: the log does not show an OpenCL GPU device"
  status=1
fi
exit $status
