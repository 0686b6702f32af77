// Writes the LeNet-5-shaped fixture models (deterministic untrained weights, see
// lenet_fixture.h) to the folder given: lenet5_fixture.onnx (dense) and
// lenet5_fixture_sparse90.onnx (90% of each Gemm's weights zero).
#include <cstdio>
#include <filesystem>

#include "tests/nn/lenet_fixture.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  ej::nn::testing::writeModel(ej::nn::testing::makeLenet(), dir / "lenet5_fixture.onnx");
  ej::nn::testing::LenetOptions sparse;
  sparse.gemmSparsity = 0.9;
  ej::nn::testing::writeModel(ej::nn::testing::makeLenet(sparse),
                              dir / "lenet5_fixture_sparse90.onnx");
  return 0;
}
