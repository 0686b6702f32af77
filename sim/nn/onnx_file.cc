// An ONNX file read and imported in this process (the library ej::onnx; the program goes
// through the plugin instead, model_import.cc).
#include "sim/nn/model_import.h"
#include "sim/nn/onnx_import.h"

namespace ej::nn {

Graph importOnnx(const std::filesystem::path& file) {
  const std::string bytes = readModelFile(file, "ONNX model");
  try {
    return importOnnxBytes(bytes);
  } catch (const ModelError& e) {
    throw ModelError(file.string() + ": " + e.what());
  }
}

}  // namespace ej::nn
