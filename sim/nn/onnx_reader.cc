// The ONNX reader plugin's one entry point (onnx_reader.h).
#include "sim/nn/onnx_reader.h"

#include <exception>

#include "sim/nn/onnx_import.h"

extern "C" bool ej_onnx_read(const char* bytes, std::size_t size, ej::nn::Graph* graph,
                             std::string* problem) noexcept {
  try {
    *graph = ej::nn::importOnnxBytes(std::string(bytes, size));
    return true;
  } catch (const std::exception& e) {
    *problem = e.what();
    return false;
  }
}
