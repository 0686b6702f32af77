// The ONNX reader is a plugin (libedgejoule-onnx.so, sim/nn/onnx_reader.h). This test links
// ej::nn alone, as edgejoule-commands does: protobuf is in the process only once importModel
// has read an ONNX model, and an error through the plugin still names the file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sim/nn/graph.h"
#include "sim/nn/model_import.h"

namespace ej::nn {
namespace {

namespace fs = std::filesystem;
const fs::path kSource = EJ_SOURCE_DIR;

bool mapped(const std::string& library) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.find(library) != std::string::npos) return true;
  }
  return false;
}

TEST(OnnxPluginTest, ProtobufIsLoadedOnlyForAnOnnxModel) {
  EXPECT_FALSE(mapped("libprotobuf"));
  EXPECT_FALSE(mapped("libedgejoule-onnx"));
  const Graph g = importModel(kSource / "models/fc-autoencoder-toyadmos.onnx");
  EXPECT_TRUE(mapped("libedgejoule-onnx"));
  EXPECT_TRUE(mapped("libprotobuf"));
  // MLPerf Tiny's autoencoder structure (sim/zoo): 264,192 weights and 1,672 biases.
  const ParameterCount p = countParameters(g);
  EXPECT_EQ(p.weights, 264'192);
  EXPECT_EQ(p.biases, 1'672);
}

TEST(OnnxPluginTest, AFileThatIsNotOnnxIsOneErrorNamingIt) {
  const fs::path file =
      fs::temp_directory_path() / ("ej-onnx-plugin-" + std::to_string(::getpid()) + ".onnx");
  std::ofstream(file) << "hello world\n";
  std::string what;
  try {
    importModel(file);
  } catch (const ModelError& e) {
    what = e.what();
  }
  fs::remove(file);
  EXPECT_EQ(what, file.string() + ": not an ONNX model");
}

}  // namespace
}  // namespace ej::nn
