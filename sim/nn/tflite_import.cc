// Reading a TensorFlow Lite model: the reader (tflite_reader.cc, which links Debian's Arm NN)
// is a plugin loaded at the first .tflite, so that no other command pays for loading Arm NN;
// see README.md.
#include "sim/nn/tflite_import.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <mutex>

#include "sim/core/config.h"
#include "sim/core/io.h"
#include "sim/nn/tflite_reader.h"

namespace ej::nn {
namespace {

// The plugin beside the running program (edgejoule-commands), else where the build put it.
TfliteReadFn loadReader() {
  static std::once_flag once;
  static TfliteReadFn read = nullptr;
  static std::string error;
  std::call_once(once, [] {
    std::vector<std::string> candidates;
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) candidates.push_back((self.parent_path() / kTflitePluginName).string());
    candidates.push_back(EJ_TFLITE_PLUGIN);
    for (const auto& path : candidates) {
      void* lib = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!lib) {
        if (error.empty()) error = ::dlerror();
        continue;
      }
      read = reinterpret_cast<TfliteReadFn>(::dlsym(lib, "ej_tflite_read"));
      if (read) return;
      error = path + ": no ej_tflite_read";
    }
  });
  if (!read) throw ModelError("the TensorFlow Lite reader cannot be loaded (" + error + ")");
  return read;
}

}  // namespace

bool looksLikeTflite(const std::string& bytes) {
  return bytes.size() >= 8 && bytes.compare(4, 4, "TFL3") == 0;
}

Graph importTflite(const std::vector<std::uint8_t>& bytes, const std::string& name) {
  const TfliteReadFn read = [&] {
    try {
      return loadReader();
    } catch (const ModelError& e) {
      throw ModelError(name + ": " + e.what());
    }
  }();
  Graph graph;
  std::string problem;
  if (!read(bytes.data(), bytes.size(), &graph, &problem)) throw ModelError(name + ": " + problem);
  return graph;
}

Graph importTflite(const std::filesystem::path& file) {
  const std::string bytes = [&] {
    try {
      return core::readFileLimited(file, core::kMaxModelBytes, "TensorFlow Lite model");
    } catch (const core::ConfigError& e) {
      throw ModelError(e.what());
    }
  }();
  return importTflite(std::vector<std::uint8_t>(bytes.begin(), bytes.end()), file.string());
}

}  // namespace ej::nn
