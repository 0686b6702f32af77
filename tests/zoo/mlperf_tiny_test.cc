// The MLPerf Tiny structures: MACs equal to the published figures, parameters equal to the
// count worked out by hand from each layer list, and the files shipped in models/ exactly what
// the generator writes.
#include "sim/zoo/mlperf_tiny.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/nn/graph.h"
#include "sim/nn/onnx_import.h"

namespace ej::zoo {
namespace {

std::int64_t macs(const nn::Graph& g) {
  std::int64_t total = 0;
  for (const auto& l : g.layers) total += nn::macCount(g, l);
  return total;
}

// Parameters (weights + biases; BatchNormalization folded) by hand, layer by layer:
// - DS-CNN: conv1 10*4*1*64 + 64 = 2,624; per block depthwise 3*3*64 + 64 = 640 and pointwise
//   64*64 + 64 = 4,160, x4 = 19,200; fc 64*12 + 12 = 780. Total 22,604.
// - MobileNetV1 0.25: conv1 3*3*3*8 + 8 = 224; depthwise 10*c for c = 8, 16, 32, 32, 64, 64,
//   128 x6, 256 = 12,400; pointwise c_in*c_out + c_out for 8-16, 16-32, 32-32, 32-64, 64-64,
//   64-128, 128-128 x5, 128-256, 256-256 = 197,712; fc 256*2 + 2 = 514. Total 210,850.
// - ResNet-8: conv1 3*9*16 + 16 = 448; stack 1: 2 x (16*9*16 + 16) = 4,640; stack 2:
//   16*9*32 + 32 = 4,640, 32*9*32 + 32 = 9,248, shortcut 16*32 + 32 = 544; stack 3:
//   32*9*64 + 64 = 18,496, 64*9*64 + 64 = 36,928, shortcut 32*64 + 64 = 2,112; fc 64*10 + 10
//   = 650. Total 77,706.
// - FC autoencoder: 640*128 + 128 = 82,048; 3 x (128*128 + 128) = 49,536; 128*8 + 8 = 1,032;
//   8*128 + 128 = 1,152; 3 x 16,512 = 49,536; 128*640 + 640 = 82,560. Total 265,864.
struct Expected {
  const char* name;
  std::int64_t macs;    // MLPerf Tiny's published figure
  std::int64_t params;  // by hand, above
};
const Expected kExpected[] = {{"ds-cnn-kws", 2656768, 22604},
                              {"mobilenet-v1-025-vww", 7489664, 210850},
                              {"resnet8-cifar10", 12501632, 77706},
                              {"fc-autoencoder-toyadmos", 264192, 265864}};

TEST(MlperfTinyTest, MacsArePublishedAndParametersAsCountedByHand) {
  ASSERT_EQ(mlperfTinyNetworks().size(), 4u);
  for (const auto& e : kExpected) {
    nn::Graph g = nn::importOnnx(buildMlperfTiny(e.name));
    nn::fuseActivations(g);
    EXPECT_EQ(macs(g), e.macs) << e.name;
    EXPECT_EQ(countParameters(g).total(), e.params) << e.name;
  }
}

TEST(MlperfTinyTest, ShippedModelsAreTheGeneratorsOutput) {
  for (const auto& e : kExpected) {
    const std::filesystem::path file =
        std::filesystem::path(EJ_SOURCE_DIR) / "models" / (std::string(e.name) + ".onnx");
    std::ifstream in(file, std::ios::binary);
    ASSERT_TRUE(in) << file;
    std::ostringstream shipped;
    shipped << in.rdbuf();
    std::string generated;
    ASSERT_TRUE(buildMlperfTiny(e.name, 1).SerializeToString(&generated));
    EXPECT_TRUE(shipped.str() == generated)
        << file << " differs from `edgejoule zoo --network " << e.name << " --seed 1`";
  }
}

TEST(MlperfTinyTest, UnknownNetworkIsNamed) {
  try {
    buildMlperfTiny("lenet");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()),
              "unknown network 'lenet' (ds-cnn-kws, mobilenet-v1-025-vww, resnet8-cifar10, "
              "fc-autoencoder-toyadmos)");
  }
}

}  // namespace
}  // namespace ej::zoo
