// Reading a TensorFlow Lite model (.tflite, float32 or int8/uint8) into a Graph, through
// Debian's Arm NN TfLite parser (libarmnntfliteparser, Arm NN 20.08); see README.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/nn/graph.h"

namespace ej::nn {

// Supported: CONV_2D, DEPTHWISE_CONV_2D (dilation 1), FULLY_CONNECTED, ADD, MAX_POOL_2D,
// AVERAGE_POOL_2D, MEAN over height and width, RESHAPE/SQUEEZE, RELU, RELU6, SOFTMAX (beta 1),
// QUANTIZE/DEQUANTIZE (pass-throughs), and the fused activations NONE, RELU, RELU6. Integer
// weights and biases are dequantised with the file's scales (per tensor or per channel); each
// int8/uint8 activation's scale and zero point are kept as its preset quantisation. Anything
// else throws ModelError naming the operator: `operator N (TYPE): ...`. NAME labels messages
// (the file).
Graph importTflite(const std::vector<std::uint8_t>& bytes, const std::string& name);
Graph importTflite(const std::filesystem::path& file);

// True for a TensorFlow Lite flatbuffer: its file identifier "TFL3" at bytes 4-7.
bool looksLikeTflite(const std::string& bytes);

}  // namespace ej::nn
