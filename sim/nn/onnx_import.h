// Reading an ONNX model (float32, opset 13) into a Graph: the library ej::onnx, the only code
// linked with protobuf and Debian's ONNX. The program itself reads ONNX through a plugin built
// from it (onnx_reader.h, loaded by importModel at the first ONNX model), so that its other
// commands never load protobuf; the trainer, the zoo and the tests link it directly.
#pragma once

#include <filesystem>
#include <string>

#include "sim/nn/graph.h"

namespace onnx {
class ModelProto;
}

namespace ej::nn {

// Supported: Conv (grouped, depthwise), Gemm, MatMul (+ Add of a constant bias), Add, Relu,
// Clip, MaxPool, AveragePool, GlobalAveragePool, Flatten, Reshape, Softmax, and the no-ops
// Dropout and Identity. Anything else throws ModelError naming the operator and node.
Graph importOnnx(const onnx::ModelProto& model);

// The serialised model BYTES: as above, and "not an ONNX model (...)" if protobuf cannot parse
// them. Messages do not name a file.
Graph importOnnxBytes(const std::string& bytes);

// The model FILE (read by readModelFile): as above, every message starting with the file's
// name.
Graph importOnnx(const std::filesystem::path& file);

}  // namespace ej::nn
