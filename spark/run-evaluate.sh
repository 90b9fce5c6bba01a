#!/usr/bin/env bash
# Accuracy and confusion matrix of an mlp4j model over labelled data, computed by Spark.
#   spark/run-evaluate.sh --idx IMAGES LABELS --model FILE [--master local[2]] [--partitions N]
#   spark/run-evaluate.sh --parquet PATH [--pixels-col pixels] [--label-col label] --model FILE [--master URL]
# IDX files (gzipped or raw) are read on the driver; Parquet is read in parallel (pixel column: array<float> in
# [0, 1], array<int> 0..255, an ML Vector, or a picture file's bytes; label column: an integer).
source "$(dirname "$0")/common.sh"
if [ $# -eq 0 ] || [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
run_job io.mlp4j.spark.EvaluateJob "$@"
