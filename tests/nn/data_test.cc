// The data a model is scored on is an explicit input: a model without data has its accuracy
// not measured (never 0 %), and test digits given as a file score exactly as the built-in
// MNIST digits they are.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sim/data/mnist.h"
#include "sim/nn/profile.h"
#include "sim/zoo/mlperf_tiny.h"
#include "sim/zoo/onnx_builder.h"
#include "tests/nn/lenet_fixture.h"

namespace ej::nn {
namespace {
namespace fs = std::filesystem;

fs::path tempDir() {
  const fs::path d = fs::temp_directory_path() /
                     ("ej_nn_data_" +
                      std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

TEST(DataTest, ModelWithoutDataHasNoAccuracy) {
  const fs::path dir = tempDir();
  zoo::writeModel(zoo::buildMlperfTiny("fc-autoencoder-toyadmos"), dir / "ae.onnx");
  const PreparedModel pm = prepareModel(dir / "ae.onnx");
  EXPECT_TRUE(pm.test.empty());
  EXPECT_EQ(pm.calibration,
            "32 uniform [0,1) inputs (SplitMix64 seed 1; no calibration data given)");
  const Accuracy a = evaluateAccuracy(pm, 2000);
  EXPECT_FALSE(a.measured());
  EXPECT_EQ(a.samples, 0);
  fs::remove_all(dir);
}

// The same 20 test digits (spread evenly, as the built-in path takes them) written to a CSV
// with a `label` column give the same correct counts, int8 and float.
TEST(DataTest, DigitsFromACsvScoreAsTheBuiltInDigits) {
  const fs::path dir = tempDir();
  testing::writeModel(testing::makeLenet(), dir / "lenet.onnx");
  const auto split = data::loadMnistSplit();
  {
    std::ofstream csv(dir / "digits.csv");
    for (int k = 0; k < 784; ++k) csv << "p" << k << ",";
    csv << "label\n";
    for (const int i : spread(20, int(split.test.size()))) {
      for (float v : split.test.images[std::size_t(i)]) csv << v << ",";
      csv << int(split.test.labels[std::size_t(i)]) << "\n";
    }
  }
  const Accuracy builtIn = evaluateAccuracy(prepareModel(dir / "lenet.onnx"), 20);
  DataSpec data;
  data.test = dir / "digits.csv";
  const PreparedModel fromFile = prepareModel(dir / "lenet.onnx", {}, data);
  const Accuracy a = evaluateAccuracy(fromFile, 20);
  ASSERT_EQ(a.samples, 20);
  EXPECT_EQ(a.correctInt8, builtIn.correctInt8);
  EXPECT_EQ(a.correctFloat, builtIn.correctFloat);
  EXPECT_EQ(a.data, (dir / "digits.csv").string() +
                        " (20 samples, CSV, 20 rows of 784 values + label, labelled)");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ej::nn
