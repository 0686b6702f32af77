// Reading an ONNX model (float32, opset 13) into a Graph.
#pragma once

#include <filesystem>

#include "sim/nn/graph.h"

namespace onnx {
class ModelProto;
}

namespace ej::nn {

// Supported: Conv (grouped, depthwise), Gemm, MatMul (+ Add of a constant bias), Add, Relu,
// Clip, MaxPool, AveragePool, GlobalAveragePool, Flatten, Reshape, Softmax, and the no-ops
// Dropout and Identity. Anything else throws ModelError naming the operator and node.
Graph importOnnx(const onnx::ModelProto& model);
Graph importOnnx(const std::filesystem::path& file);

}  // namespace ej::nn
