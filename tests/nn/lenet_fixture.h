// A LeNet-5-shaped ONNX model built in code for the tests (LeCun et al. 1998, with the
// 5x5/pad-2 first convolution of the usual MNIST variant): Conv(6,5x5,pad 2)-Relu-MaxPool2-
// Conv(16,5x5)-Relu-MaxPool2-Flatten-Gemm(120)-Relu-Gemm(84)-Relu-Gemm(10) -> "logits".
// Weights are deterministic pseudo-random (SplitMix64, He-uniform), NOT trained: the tests
// use it for shapes, arithmetic and cycle counts, never for accuracy.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ej::nn::testing {

struct LenetOptions {
  std::uint64_t seed = 1;
  // Fraction of each Gemm's weights set to zero (smallest magnitudes): unstructured pruning.
  double gemmSparsity = 0.0;
  bool softmax = false;   // append Softmax after the logits
  int conv1Channels = 6;  // structured pruning shrinks the layers
  int conv2Channels = 16;
  int fc1 = 120;
  int fc2 = 84;
};

onnx::ModelProto makeLenet(const LenetOptions& options = {});
// Appends node NAME running OP on inputs IN to G, with the one output OUT.
onnx::NodeProto* addNode(onnx::GraphProto* g, const std::string& op, const std::string& name,
                         const std::vector<std::string>& in, const std::string& out);
void writeModel(const onnx::ModelProto& model, const std::filesystem::path& file);

}  // namespace ej::nn::testing
