// Reading a TensorFlow Lite model: the reader (tflite_reader.cc, which links Debian's Arm NN)
// is a plugin loaded at the first .tflite, so that no other command pays for loading Arm NN;
// see README.md.
#include "sim/nn/tflite_import.h"

#include <fmt/format.h>

#include "sim/core/plugin.h"
#include "sim/nn/model_import.h"
#include "sim/nn/tflite_reader.h"

namespace ej::nn {

bool looksLikeTflite(const std::string& bytes) {
  return bytes.size() >= 8 && bytes.compare(4, 4, "TFL3") == 0;
}

Graph importTflite(const std::vector<std::uint8_t>& bytes, const std::string& name) {
  static core::PluginFunction<TfliteReadFn> read(kTflitePluginName, EJ_TFLITE_PLUGIN,
                                                 "ej_tflite_read", RTLD_NOW | RTLD_LOCAL);
  if (!read.get()) {
    throw ModelError(name + ": the TensorFlow Lite reader cannot be loaded (" + read.error() + ")");
  }
  Graph graph;
  std::string problem;
  if (!read.get()(bytes.data(), bytes.size(), &graph, &problem)) {
    throw ModelError(name + ": " + problem);
  }
  return graph;
}

Graph importTflite(const std::filesystem::path& file) {
  const std::string bytes = readModelFile(file, "TensorFlow Lite model");
  return importTflite(std::vector<std::uint8_t>(bytes.begin(), bytes.end()), file.string());
}

}  // namespace ej::nn
