// Reading a model file of either format the project takes: ONNX or TensorFlow Lite.
#pragma once

#include <filesystem>

#include "sim/nn/graph.h"

namespace ej::nn {

// A TensorFlow Lite model (the file identifier "TFL3", or a name ending in .tflite) through
// importTflite, anything else through importOnnx. Throws ModelError naming the file.
Graph importModel(const std::filesystem::path& file);

}  // namespace ej::nn
