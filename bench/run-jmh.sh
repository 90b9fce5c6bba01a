#!/usr/bin/env bash
# JMH micro-benchmarks of the backends' device operations (GEMMs with GFLOP/s, gather, softmax+CE, SGD, one whole
# training step) and of this machine's FMA peak (PeakBench: run it with -t 1 and -t 2). The benchmarks call the
# Backend interface of the exported SPI (io.mlp4j.spi): io.mlp4j and the backend modules run on the module path,
# as in an application (providers found as services), the benchmarks and JMH on the class path (JMH's forks
# inherit both).
#
#   bench/run-jmh.sh                                   # everything, cpu backend, 1 thread (~5 min)
#   bench/run-jmh.sh GemmBench -p threads=1,2          # any JMH options; a regexp selects benchmarks
#   bench/run-jmh.sh -p backend=cpu,cublas             # on a CUDA machine (LD_LIBRARY_PATH as scripts/gpu-check.sh reports it)
#   bench/run-jmh.sh StepBench -wi 1 -i 2 -w 1s -r 1s  # quicker
#   REBUILD=1 bench/run-jmh.sh ...                     # rebuild the modules and bench first
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -s bench/target/runtime-classpath.txt ] || [ ! -d bench/target/classes/META-INF ] || [ -n "${REBUILD:-}" ]; then
  echo "building mlp4j and bench ..." >&2
  mvn -B -q -pl bench -am package -DskipTests
fi
# io.mlp4j, its backend modules and their libraries on the module path; JMH's jars with the benchmarks.
MP="$(tr ':' '\n' < bench/target/runtime-classpath.txt | grep -v -e jmh -e jopt -e commons-math | paste -sd: -)"
CP="bench/target/classes:$(tr ':' '\n' < bench/target/runtime-classpath.txt | grep -e jmh -e jopt -e commons-math | paste -sd: -)"
# Signal chaining (LD_PRELOAD of libjsig.so): PoCL's LLVM takes the JVM's signal handlers otherwise.
JSIG="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")/lib/libjsig.so"
LD_PRELOAD="$JSIG" exec java --module-path "$MP" \
  --add-modules ALL-MODULE-PATH,jdk.incubator.vector,org.bytedeco.cuda.linux.x86_64,org.bytedeco.javacpp.linux.x86_64 \
  -cp "$CP" io.mlp4j.bench.jmh.JmhMain "$@"
