// The structures of the four MLPerf Tiny v0.5 reference networks (Banbury et al. 2021,
// github.com/mlcommons/tiny benchmark/training), generated as ONNX with deterministic int8
// weights (not trained): for cycles, memory and energy, never for accuracy. See README.md.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ej::zoo {

struct NetworkInfo {
  std::string name;  // ds-cnn-kws, mobilenet-v1-025-vww, resnet8-cifar10, fc-autoencoder-toyadmos
  std::string task;  // what MLPerf Tiny uses it for
  std::int64_t publishedMacs;           // MLPerf Tiny's figure
  std::vector<std::int64_t> inputDims;  // ONNX input, batch first
};

// The four networks, in the paper's order (KWS, VWW, IC, AD).
const std::vector<NetworkInfo>& mlperfTinyNetworks();

// The ONNX model of network NAME, weights from SplitMix64 seeded with SEED. BatchNormalization
// is folded into the convolutions and dense layers (as TFLite's converter does), Dropout left
// out (inference). Throws std::invalid_argument for an unknown NAME.
onnx::ModelProto buildMlperfTiny(const std::string& name, std::uint64_t seed = 1);

}  // namespace ej::zoo
