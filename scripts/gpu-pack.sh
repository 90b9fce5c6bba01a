#!/usr/bin/env bash
# Builds the smallest folder to carry to a GPU machine (which receives at most 64 MiB) and prints its size.
#
#   scripts/gpu-pack.sh [--image DIR] [--data DIR] [--train N] OUT_DIR
#
# OUT_DIR gets:
#   mlp4j/        the demo's runtime image (default demo/target/mlp4j; build it first)
#   opencl/       ocl-icd's libOpenCL.so.1, for a host without an OpenCL loader (gpu-check.sh uses it then)
#   mnist/        gzipped IDX: the first N training images and labels (default 10,000) and the whole test set
#   gpu-check.sh  the check to run there, and mnist_mlp.py, the PyTorch peer it times when torch has CUDA
# Then, on the GPU machine:  OUT_DIR/gpu-check.sh OUT_DIR/mlp4j RESULTS_DIR OUT_DIR/mnist
# Exit status: 0 when the folder is complete, 1 when something is missing (named), 2 for a bad command line.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
IMAGE="$ROOT/demo/target/mlp4j"
DATA="${MLP4J_DATA:-$ROOT/../shared/mnist}"
TRAIN=10000
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --image) IMAGE="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --train) TRAIN="$2"; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    -*) echo "gpu-pack.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) [ -z "$OUT" ] || { echo "gpu-pack.sh: one OUT_DIR only (see --help)" >&2; exit 2; }; OUT="$1"; shift ;;
  esac
done
[ -n "$OUT" ] || { echo "gpu-pack.sh: OUT_DIR is missing (see --help)" >&2; exit 2; }
case "$TRAIN" in ''|*[!0-9]*) echo "gpu-pack.sh: --train $TRAIN is not a whole number" >&2; exit 2 ;; esac
fail() { echo "gpu-pack.sh: $*" >&2; exit 1; }

[ -x "$IMAGE/bin/mlp4j" ] || fail "no runtime image at $IMAGE (bin/mlp4j missing): mvn -B -q -pl demo -am package -DskipTests"
[ -d "$DATA" ] || fail "no MNIST folder at $DATA: pass --data DIR or set MLP4J_DATA"
loader=""
for f in $(ldconfig -p 2>/dev/null | awk '/libOpenCL\.so\.1 .*x86-64/ {print $NF}') \
         /usr/lib/x86_64-linux-gnu/libOpenCL.so.1 /usr/lib64/libOpenCL.so.1; do
  [ -e "$f" ] && { loader="$f"; break; }
done
[ -n "$loader" ] || fail "no OpenCL ICD loader (libOpenCL.so.1) here: apt-get install ocl-icd-libopencl1"

# Decompresses an IDX file whether or not it is gzipped (quietly: the readers below stop early, on purpose).
idx() { if [ -f "$DATA/$1.gz" ]; then gzip -dc "$DATA/$1.gz" 2>/dev/null; elif [ -f "$DATA/$1" ]; then cat "$DATA/$1"; else return 1; fi; }
# A big-endian 32-bit count, as IDX headers hold it.
be32() { printf "\\x$(printf %02x $(($1 >> 24 & 255)))\\x$(printf %02x $(($1 >> 16 & 255)))\\x$(printf %02x $(($1 >> 8 & 255)))\\x$(printf %02x $(($1 & 255)))"; }

# Only ever replaces an earlier pack, and only once the new one is complete (built beside it, then renamed).
if [ -e "$OUT" ] && [ -n "$(ls -A "$OUT" 2>/dev/null)" ] && [ ! -f "$OUT/gpu-check.sh" ]; then
  fail "$OUT exists and is not an earlier pack: name a new or empty folder"
fi
FINAL="$OUT"
OUT="$FINAL.partial.$$"
PARTIAL="$OUT"
trap 'rm -rf "$PARTIAL"' EXIT
mkdir -p "$OUT/opencl" "$OUT/mnist" || fail "cannot create $OUT"
cp -a "$IMAGE" "$OUT/mlp4j" || fail "cannot copy the image"
cp -L "$loader" "$OUT/opencl/libOpenCL.so.1" || fail "cannot copy $loader"
cp "$ROOT/scripts/gpu-check.sh" "$ROOT/bench/pytorch/mnist_mlp.py" "$OUT/" || fail "cannot copy the scripts"

available=$(idx train-labels-idx1-ubyte | head -c 8 | tail -c 4 | od -An -tu1 | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}')
[ -n "$available" ] || fail "$DATA has no readable train-labels-idx1-ubyte(.gz)"
[ "$TRAIN" -le "$available" ] || TRAIN=$available
header=$(idx train-images-idx3-ubyte | head -c 16 | od -An -tu1 | tr -s ' \n' ' ')
set -- $header
[ $# -eq 16 ] || fail "$DATA/train-images-idx3-ubyte: no IDX header"
pixels=$(( ${13} * 16777216 + ${14} * 65536 + ${15} * 256 + ${16} ))
pixels=$(( pixels * (${9} * 16777216 + ${10} * 65536 + ${11} * 256 + ${12}) ))
{ printf '\x00\x00\x08\x03'; be32 "$TRAIN"; idx train-images-idx3-ubyte | head -c 16 | tail -c 8
  idx train-images-idx3-ubyte | tail -c +17 | head -c $((TRAIN * pixels)); } | gzip -9 > "$OUT/mnist/train-images-idx3-ubyte.gz"
{ printf '\x00\x00\x08\x01'; be32 "$TRAIN"
  idx train-labels-idx1-ubyte | tail -c +9 | head -c "$TRAIN"; } | gzip -9 > "$OUT/mnist/train-labels-idx1-ubyte.gz"
for f in t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  if [ -f "$DATA/$f.gz" ]; then cp "$DATA/$f.gz" "$OUT/mnist/"; else idx "$f" | gzip -9 > "$OUT/mnist/$f.gz" || fail "no $f in $DATA"; fi
done

rm -rf "$FINAL" && mv "$OUT" "$FINAL" || fail "cannot move the pack into $FINAL"
OUT="$FINAL"
bytes=$(du -sb "$OUT" | cut -f1)
printf 'packed %s: image %s, OpenCL loader %s, MNIST subset (%s training images + the test set) %s bytes\n' "$OUT" \
  "$(du -sb "$OUT/mlp4j" | cut -f1)" "$(du -sb "$OUT/opencl" | cut -f1)" "$TRAIN" "$(du -sb "$OUT/mnist" | cut -f1)"
awk -v b="$bytes" 'BEGIN { printf "total: %d bytes (%.2f MiB)\n", b, b / 1048576 }'
