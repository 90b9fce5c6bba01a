#!/usr/bin/env bash
# Batch inference on Spark, images/s, every peer in one run, interleaved: the mlp4j transformer, Spark MLlib's
# MultilayerPerceptronClassificationModel [784,256,10], a sum-UDF (Spark's own per-row cost) and a single-thread
# Classifier loop without Spark (SparkInferenceMain says how each is measured).
#
#   bench/spark-compare.sh [--master 'local[2]'] [--rows 10000,100000] [--partitions 2,8] [--repeats 3]
#                          [--data DIR]
#
# About 6 minutes on 2 cores with the defaults. Heap: 6 GB (the 100,000-row inputs are cached twice: arrays
# and Vectors); JAVA_OPTS adds options.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MASTER='local[2]'
ROWS=10000,100000
PARTITIONS=2,8
REPEATS=3
DATA="${MLP4J_DATA:-$ROOT/../shared/mnist}"
while [ $# -gt 0 ]; do
  case "$1" in
    --master) MASTER="$2"; shift 2 ;;
    --rows) ROWS="$2"; shift 2 ;;
    --partitions) PARTITIONS="$2"; shift 2 ;;
    --repeats) REPEATS="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -f "$DATA/t10k-images-idx3-ubyte.gz" ] || { echo "no MNIST in $DATA (--data DIR or MLP4J_DATA)" >&2; exit 2; }
if [ ! -f "$ROOT/bench/target/classes/io/mlp4j/bench/SparkInferenceMain.class" ] \
    || [ ! -f "$ROOT/mlp4j-spark/target/spark-classpath.txt" ]; then
  echo "building mlp4j-spark and bench ..." >&2
  (cd "$ROOT" && mvn -B -q -pl bench -am package -DskipTests)
fi
source "$ROOT/spark/common.sh"
exec "${JAVA:-java}" "${spark_jvm_options[@]}" -Xmx6g ${JAVA_OPTS:-} \
  -Dlog4j2.configurationFile="$ROOT/spark/log4j2.properties" \
  -cp "$ROOT/bench/target/classes:$jar:$(cat "$ROOT/mlp4j-spark/target/spark-classpath.txt")" \
  io.mlp4j.bench.SparkInferenceMain "$MASTER" "$ROWS" "$PARTITIONS" "$REPEATS" "$DATA"
