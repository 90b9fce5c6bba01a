#!/usr/bin/env bash
# Classifies every picture GLOB matches with an mlp4j model on Spark; writes CSV (path,digit,probability,blank,
# error) into the new directory DIR and prints counts and images/s.
#   spark/run-predict.sh --images GLOB --model FILE --out DIR [--master local[2]] [--batch N]
# GLOB and FILE are any paths Hadoop reads (local, hdfs://, s3a://); quote GLOB so the shell leaves it alone.
# Without --master: all local cores. JAVA_OPTS adds JVM options (e.g. -Xmx4g).
source "$(dirname "$0")/common.sh"
if [ $# -eq 0 ] || [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
run_job io.mlp4j.spark.PredictJob "$@"
