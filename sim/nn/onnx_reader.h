// The interface of the ONNX reader plugin (libedgejoule-onnx.so, built from onnx_reader.cc,
// onnx_import.cc and graph.cc, linked with Debian's protobuf and ONNX): model_import.cc loads
// it with dlopen at the first ONNX model, so that commands that read none never load protobuf
// and ONNX (their relocations and protobuf's descriptor registration: about 2 ms of every
// start; tests/bench/README.md, twelfth pass).
#pragma once

#include <cstddef>
#include <string>

#include "sim/nn/graph.h"

#define EJ_ONNX_EXPORT __attribute__((visibility("default")))

namespace ej::nn {

inline constexpr const char* kOnnxPluginName = "libedgejoule-onnx.so";

// Reads the serialised ONNX model BYTES[0, SIZE) into GRAPH (importOnnxBytes); false with
// PROBLEM (its message, naming no file) if it cannot. Never throws.
using OnnxReadFn = bool (*)(const char* bytes, std::size_t size, Graph* graph,
                            std::string* problem) noexcept;

}  // namespace ej::nn

extern "C" EJ_ONNX_EXPORT bool ej_onnx_read(const char* bytes, std::size_t size,
                                            ej::nn::Graph* graph, std::string* problem) noexcept;
