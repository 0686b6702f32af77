// Writes a Graph as a TensorFlow Lite model (FlatBuffers code that flatc generates from
// tests/nn/tflite_subset.fbs), for the tests to read back through Arm NN's parser: the writer
// and the reader share no code. Float32, or int8 as TensorFlow Lite's converter quantises
// (weights per output channel, scale max|w|/127; int32 biases at s_in * s_w; activations per
// tensor with the scales and zero points given).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

#include "sim/nn/graph.h"
#include "sim/nn/quantize.h"

namespace ej::nn::testing {

// What the int8 writer stored for one weighted layer (in the Graph's layout [out][in...]).
struct WrittenLayer {
  std::vector<std::int8_t> weights;
  std::vector<std::int32_t> bias;
  std::vector<float> weightScales;  // per output channel
};

struct WrittenModel {
  std::vector<std::uint8_t> bytes;
  std::vector<WrittenLayer> layers;  // one per Graph layer (empty for unweighted ones)
};

struct WriteOptions {
  // With activations: uint8 tensors (zero points + 128; weights uint8 per tensor, zero point
  // 128), as TensorFlow 1's quantised models; else int8.
  bool uint8 = false;
  // A float32 input and output around the integer model: QUANTIZE first, DEQUANTIZE last
  // (what TensorFlow Lite's converter writes unless told to take integer input).
  bool floatIo = false;
  // A global average pool as MEAN over height and width (Keras' GlobalAveragePooling2D).
  bool meanForGlobalPool = false;
  int extraOperator = -1;  // see writeTflite
};

// GRAPH (after fuseActivations) as a .tflite: one operator per layer, fused ReLU/ReLU6 as the
// operator's fused activation, pads as SAME or VALID (anything else throws
// std::invalid_argument). With ACTIVATIONS (per Graph value, e.g. a QuantModel's qparams), an
// int8 model; else float32. EXTRA_OPERATOR appends one more operator of that builtin code
// (no options) on the output, for the unsupported-operator tests.
WrittenModel writeTflite(const Graph& graph,
                         const std::optional<std::vector<QParams>>& activations = std::nullopt,
                         int extraOperator = -1);
WrittenModel writeTflite(const Graph& graph, const std::optional<std::vector<QParams>>& activations,
                         const WriteOptions& options);

}  // namespace ej::nn::testing
