// Writing LeNet-5 as ONNX (opset 13, float32 or QDQ int8) and reading it back, with ONNX's own
// protobuf classes (onnx_proto). Graph: input "input" float32 [1,1,28,28] (pixels in [0, 1]),
// Conv-Relu-MaxPool x2, Flatten, Gemm-Relu x2, Gemm, output "logits" float32 [1,10].
#pragma once

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>

#include "sim/train/convnet.h"
#include "sim/train/lenet5.h"
#include "sim/train/quantize.h"

namespace ej::train {

// Key/value pairs stored in the model's metadata_props (method, accuracy, command, ...).
using OnnxMetadata = std::map<std::string, std::string>;

// A file that is not a LeNet-5 ONNX model this code understands.
class OnnxError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes the float32 model. The file is written beside OUT under a temporary name and renamed
// into place, so an interrupted run never leaves a half-written OUT.
void writeFloatOnnx(const LeNet5& net, const std::filesystem::path& out,
                    const OnnxMetadata& metadata = {});

// Writes the QDQ int8 model: QuantizeLinear/DequantizeLinear pairs on the input and after each
// Relu and on the logits (per-tensor int8 scales from calibration), int8 weights with one scale
// per output channel (DequantizeLinear axis 0) and int32 biases, all feeding float ops.
void writeQdqOnnx(const Int8Model& model, const std::filesystem::path& out,
                  const OnnxMetadata& metadata = {});

// Reads a model written by either function; QDQ weights come back dequantized. Throws OnnxError.
LeNet5 readOnnx(const std::filesystem::path& file, OnnxMetadata* metadata = nullptr);

// The DS-CNN and the ResNet (convnet.h, compact: no gates). Graph "ds_cnn" or "resnet": Conv
// (depthwise: group = C), Relu, Add, GlobalAveragePool, Flatten, Gemm(transB=1), Identity;
// initializers NODE.weight / NODE.bias. The QDQ form ("..._qdq") puts a QuantizeLinear ->
// DequantizeLinear pair on every quantization point (the input, each Relu, each residual
// branch's last conv and shortcut before the Add, the pooled vector, the logits) and feeds the
// convs int8 weights and int32 biases through DequantizeLinear, as writeQdqOnnx does.
void writeConvNetOnnx(const ConvNet& net, const std::filesystem::path& out,
                      const OnnxMetadata& metadata = {});
void writeConvNetQdqOnnx(const ConvNet& net, const ConvNetInt8& q, const std::filesystem::path& out,
                         const OnnxMetadata& metadata = {});
// Reads either form back (QDQ weights dequantized); the widths come from the weights' shapes.
ConvNet readConvNetOnnx(const std::filesystem::path& file, OnnxMetadata* metadata = nullptr);
// The family of a model file written here, from its graph name: "lenet5", "ds-cnn" or
// "resnet" (a "_qdq" suffix dropped). Throws OnnxError.
std::string onnxFamily(const std::filesystem::path& file);

}  // namespace ej::train
