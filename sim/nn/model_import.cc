// Chooses the importer by the model file's format; see README.md.
#include "sim/nn/model_import.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <string>

#include "sim/core/config.h"
#include "sim/core/io.h"
#include "sim/core/plugin.h"
#include "sim/nn/onnx_reader.h"
#include "sim/nn/tflite_import.h"

namespace ej::nn {
namespace {

Graph importOnnxThroughPlugin(const std::filesystem::path& file) {
  static core::PluginFunction<OnnxReadFn> read(kOnnxPluginName, EJ_ONNX_PLUGIN, "ej_onnx_read",
                                               RTLD_NOW | RTLD_LOCAL);
  const std::string bytes = readModelFile(file, "ONNX model");
  if (!read.get()) {
    throw ModelError(file.string() + ": the ONNX reader cannot be loaded (" + read.error() + ")");
  }
  Graph graph;
  std::string problem;
  if (!read.get()(bytes.data(), bytes.size(), &graph, &problem)) {
    throw ModelError(file.string() + ": " + problem);
  }
  return graph;
}

}  // namespace

std::string readModelFile(const std::filesystem::path& file, const char* what) {
  try {
    return core::readFileLimited(file, core::kMaxModelBytes, what);
  } catch (const core::ConfigError& e) {
    throw ModelError(e.what());
  }
}

Graph importModel(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  // The first 8 bytes: a FlatBuffer's root offset and its file identifier. An unreadable
  // file falls through to the ONNX reader, which names the problem.
  std::string head(8, '\0');
  std::ifstream in(file, std::ios::binary);
  in.read(head.data(), 8);
  head.resize(std::size_t(std::max<std::streamsize>(in.gcount(), 0)));
  if (ext == ".tflite" || looksLikeTflite(head)) return importTflite(file);
  return importOnnxThroughPlugin(file);
}

}  // namespace ej::nn
