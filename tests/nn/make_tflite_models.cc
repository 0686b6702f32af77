// Writes an ONNX model (float32) as TensorFlow Lite with tests/nn/tflite_writer.cc: float32,
// or with --int8 as an int8 model quantised as `edgejoule infer` quantises the ONNX model (its
// default calibration: 32 uniform [0,1) inputs, or MNIST digits for an MNIST model). For
// trying `edgejoule infer --model M.tflite` on the project's models; not a converter.
#include <cstdio>
#include <cstring>
#include <fstream>

#include "sim/nn/onnx_import.h"
#include "sim/nn/profile.h"
#include "tests/nn/tflite_writer.h"

int main(int argc, char** argv) {
  const bool int8 = argc == 4 && std::strcmp(argv[1], "--int8") == 0;
  if (argc != 3 && !int8) {
    std::fprintf(stderr, "usage: %s [--int8] MODEL.onnx OUT.tflite\n", argv[0]);
    return 2;
  }
  const char* in = argv[argc - 2];
  const char* out = argv[argc - 1];
  try {
    std::optional<std::vector<ej::nn::QParams>> act;
    ej::nn::Graph g;
    if (int8) {
      ej::nn::QuantOptions dense;
      dense.allowSparse = false;
      const auto pm = ej::nn::prepareModel(in, dense);
      g = pm.graph;
      act = pm.quant.qparams;
    } else {
      g = ej::nn::importOnnx(std::filesystem::path(in));
      ej::nn::fuseActivations(g);
    }
    const auto bytes = ej::nn::testing::writeTflite(g, act).bytes;
    std::ofstream(out, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
