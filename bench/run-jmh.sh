#!/usr/bin/env bash
# JMH micro-benchmarks of the backends' device operations (GEMMs with GFLOP/s, gather, softmax+CE, SGD, one whole
# training step) and of this machine's FMA peak (PeakBench: run it with -t 1 and -t 2). Runs on the CLASS PATH: there the backend packages, hidden by io.mlp4j's module descriptor, are
# ordinary public classes, so the benchmarks call the Backend interface directly.
#
#   bench/run-jmh.sh                                   # everything, cpu backend, 1 thread (~5 min)
#   bench/run-jmh.sh GemmBench -p threads=1,2          # any JMH options; a regexp selects benchmarks
#   bench/run-jmh.sh -p backend=cpu,cublas             # on a CUDA machine (LD_LIBRARY_PATH as scripts/gpu-check.sh reports it)
#   bench/run-jmh.sh StepBench -wi 1 -i 2 -w 1s -r 1s  # quicker
#   REBUILD=1 bench/run-jmh.sh ...                     # rebuild mlp4j and bench first
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -s bench/target/runtime-classpath.txt ] || [ ! -d bench/target/classes/META-INF ] || [ -n "${REBUILD:-}" ]; then
  echo "building mlp4j and bench ..." >&2
  mvn -B -q -pl bench -am package -DskipTests
fi
CP="bench/target/classes:$(cat bench/target/runtime-classpath.txt)"
# Signal chaining (LD_PRELOAD of libjsig.so): PoCL's LLVM takes the JVM's signal handlers otherwise.
JSIG="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")/lib/libjsig.so"
LD_PRELOAD="$JSIG" exec java --add-modules jdk.incubator.vector -cp "$CP" io.mlp4j.bench.jmh.JmhMain "$@"
