// Reading a model file of either format the project takes: ONNX or TensorFlow Lite.
#pragma once

#include <filesystem>
#include <string>

#include "sim/nn/graph.h"

namespace ej::nn {

// A TensorFlow Lite model (the file identifier "TFL3", or a name ending in .tflite) through
// importTflite, anything else through the ONNX reader plugin (onnx_reader.h, which runs
// importOnnxBytes). Throws ModelError naming the file.
Graph importModel(const std::filesystem::path& file);

// The bytes of the model FILE, a WHAT ("ONNX model"), read up to core::kMaxModelBytes; an
// unreadable or larger file throws ModelError naming it.
std::string readModelFile(const std::filesystem::path& file, const char* what);

}  // namespace ej::nn
