#!/usr/bin/env bash
# Writes the four MLPerf Tiny reference structures (untrained, int8 weights from seed 1) into
# models/ with `edgejoule zoo` (sim/zoo). Usage: models/regenerate-mlperf-tiny.sh [EDGEJOULE]
# The files are deterministic: tests/zoo/mlperf_tiny_test.cc checks the shipped ones byte for
# byte against the generator. Existing files are replaced only by this script's own output.
set -euo pipefail
cd "$(dirname "$0")"
bin="${1:-../build/release/edgejoule}"
for net in ds-cnn-kws mobilenet-v1-025-vww resnet8-cifar10 fc-autoencoder-toyadmos; do
  tmp="$(mktemp -d)"
  "$bin" zoo --network "$net" --seed 1 --out "$tmp/$net.onnx"
  mv "$tmp/$net.onnx" "$net.onnx"
  rmdir "$tmp"
done
