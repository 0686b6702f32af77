// The interface of the TensorFlow Lite reader plugin (libedgejoule-tflite.so, built from
// tflite_reader.cc and graph.cc, linked with Debian's Arm NN 20.08): tflite_import.cc loads it
// with dlopen at the first .tflite, so that the program's other commands never load Arm NN
// (about 5,800 more symbol relocations at every start; README.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/nn/graph.h"

#define EJ_TFLITE_EXPORT __attribute__((visibility("default")))

namespace ej::nn {

inline constexpr const char* kTflitePluginName = "libedgejoule-tflite.so";

// Reads the TensorFlow Lite model BYTES[0, SIZE) into GRAPH (validated); false with PROBLEM
// ("operator N (TYPE): ...", or why the file is not a model Arm NN can read) if it cannot.
// Never throws.
using TfliteReadFn = bool (*)(const std::uint8_t* bytes, std::size_t size, Graph* graph,
                              std::string* problem) noexcept;

}  // namespace ej::nn

extern "C" EJ_TFLITE_EXPORT bool ej_tflite_read(const std::uint8_t* bytes, std::size_t size,
                                                ej::nn::Graph* graph,
                                                std::string* problem) noexcept;
