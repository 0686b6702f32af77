// A small writer of ONNX graphs (opset 13, onnx_proto): initializers, nodes with attributes,
// one input and one output. Used to generate the MLPerf Tiny structures and the operator tests.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/data/mnist.h"

namespace ej::zoo {

class OnnxBuilder {
 public:
  // A model with the float32 input NAME of shape DIMS (batch first, 1).
  OnnxBuilder(const std::string& graphName, const std::string& input,
              const std::vector<std::int64_t>& dims);

  // A float32 constant.
  std::string floats(const std::string& name, const std::vector<std::int64_t>& dims,
                     const std::vector<float>& values);
  // An int8 constant.
  std::string int8s(const std::string& name, const std::vector<std::int64_t>& dims,
                    const std::vector<std::int8_t>& values);
  // Weights of output-channel count DIMS[0] stored as int8 behind a DequantizeLinear (axis 0,
  // one scale per output channel): 1 byte per weight in the file. Returns the float tensor.
  std::string int8Weights(const std::string& name, const std::vector<std::int64_t>& dims,
                          const std::vector<std::int8_t>& q, const std::vector<float>& scales);

  // Appends node NAME running OP (domain DOMAIN, "" for ai.onnx) on IN, one output named NAME.
  onnx::NodeProto& node(const std::string& op, const std::string& name,
                        const std::vector<std::string>& in, const std::string& domain = "");
  static void ints(onnx::NodeProto& n, const std::string& attr, const std::vector<std::int64_t>& v);
  static void integer(onnx::NodeProto& n, const std::string& attr, std::int64_t v);
  static void real(onnx::NodeProto& n, const std::string& attr, float v);
  static void text(onnx::NodeProto& n, const std::string& attr, const std::string& v);

  // Declares VALUE as the graph output of shape DIMS and returns the model.
  onnx::ModelProto finish(const std::string& value, const std::vector<std::int64_t>& dims);
  void metadata(const std::string& key, const std::string& value);

 private:
  onnx::ModelProto m_model;
};

// Writes MODEL to FILE through a temporary file and a rename (never half-written).
void writeModel(const onnx::ModelProto& model, const std::filesystem::path& file);

// Deterministic int8 weights: N values uniform in [-127, 127] (SplitMix64), per output channel
// of size PER one value forced to +-127 so the channel's max|q| is 127 (re-quantising with
// max|w|/127 gives back the same integers). Scale per channel: sqrt(6 / fanIn) / 127
// (He-uniform, He et al. 2015).
struct Int8Tensor {
  std::vector<std::int8_t> q;
  std::vector<float> scales;
};
Int8Tensor heUniformInt8(data::SplitMix64& rng, std::size_t n, std::size_t per, int fanIn);

}  // namespace ej::zoo
