// Chooses the importer by the model file's format; see README.md.
#include "sim/nn/model_import.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <string>

#include "sim/nn/onnx_import.h"
#include "sim/nn/tflite_import.h"

namespace ej::nn {

Graph importModel(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  // The first 8 bytes: a FlatBuffer's root offset and its file identifier. An unreadable
  // file falls through to importOnnx, which names the problem.
  std::string head(8, '\0');
  std::ifstream in(file, std::ios::binary);
  in.read(head.data(), 8);
  head.resize(std::size_t(std::max<std::streamsize>(in.gcount(), 0)));
  if (ext == ".tflite" || looksLikeTflite(head)) return importTflite(file);
  return importOnnx(file);
}

}  // namespace ej::nn
