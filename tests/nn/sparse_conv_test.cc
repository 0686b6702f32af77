// Sparse convolutions (EJ_OP_CONV_SPARSE): chosen when smaller, bit-exact on every core, and
// what they save on the magnitude-pruned LeNet-5 of models/.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "sim/core/config.h"
#include "sim/data/mnist.h"
#include "sim/firmware/firmware_images.h"
#include "sim/nn/analytic.h"
#include "sim/nn/emulator.h"
#include "sim/nn/mcu_target.h"
#include "sim/nn/profile.h"

namespace ej::nn {
namespace {
namespace fs = std::filesystem;

fs::path modelFile(const char* name) { return fs::path(EJ_SOURCE_DIR) / "models" / name; }

// Every layer's output on every emulated core equals the host reference, for INPUTS.
void expectBitExact(const QuantModel& q, const std::vector<std::vector<std::int8_t>>& inputs,
                    const std::string& what) {
  for (const auto& core : firmware::emulatedCores()) {
    Emulator emu(coreFromName(core), q, 1);
    for (const auto& in : inputs) {
      const auto ref = runInt8(q, in);
      emu.run(in, [&](std::size_t i) {
        ASSERT_EQ(emu.value(q.layers[i].out), ref[std::size_t(q.layers[i].out)])
            << what << " on " << core << ", layer " << q.layers[i].name;
      });
    }
  }
}

// One-Conv graphs with unstructured zeros: padded (symmetric and asymmetric), strided,
// grouped, depthwise, 1x1, a kernel wider than its input; each must run sparse and agree with
// the same layer run dense, and every core with the reference.
TEST(SparseConvTest, PrunedConvZooRunsSparseAndBitExactOnEveryCore) {
  struct Case {
    int cin, h, w, cout, kh, kw, stride, padT, padL, padB, padR, groups;
    double sparsity;
    bool clipped;
  };
  const std::vector<Case> cases{
      {6, 14, 14, 16, 5, 5, 1, 0, 0, 0, 0, 1, 0.9, false},  // LeNet conv2, valid
      {1, 28, 28, 6, 5, 5, 1, 2, 2, 2, 2, 1, 0.9, true},    // LeNet conv1 with pad 2
      {4, 9, 9, 8, 3, 3, 2, 1, 0, 1, 1, 2, 0.9, true},      // grouped, stride 2, asymmetric pads
      {16, 7, 7, 16, 5, 5, 1, 2, 2, 2, 2, 16, 0.9, true},   // depthwise
      {16, 6, 6, 32, 1, 1, 1, 0, 0, 0, 0, 1, 0.8, false},   // pointwise
      {2, 5, 3, 16, 3, 5, 1, 1, 1, 1, 1, 1, 0.9, true},     // kernel wider than the input
      {3, 12, 10, 8, 3, 3, 2, 0, 0, 1, 1, 1, 0.9, true},    // padding only bottom/right
  };
  data::SplitMix64 rng(31);
  for (const Case& c : cases) {
    Graph g;
    const int oh = (c.h + c.padT + c.padB - c.kh) / c.stride + 1,
              ow = (c.w + c.padL + c.padR - c.kw) / c.stride + 1;
    g.shapes = {{c.cin, c.h, c.w}, {c.cout, oh, ow}};
    g.names = {"in", "out"};
    g.input = 0, g.output = 1;
    Layer l;
    l.op = Op::Conv, l.name = "conv", l.inputs = {0}, l.output = 1, l.kH = c.kh, l.kW = c.kw;
    l.strideH = l.strideW = c.stride, l.padT = c.padT, l.padL = c.padL, l.padB = c.padB,
    l.padR = c.padR;
    l.groups = c.groups, l.actMin = 0;
    l.weights.resize(std::size_t(c.cout) * (c.cin / c.groups) * c.kh * c.kw);
    for (auto& w : l.weights) w = rng.uniform() < c.sparsity ? 0.0f : float(rng.uniform() - 0.5);
    l.bias.resize(std::size_t(c.cout));
    for (auto& b : l.bias) b = float(rng.uniform() - 0.5) * 0.1f;
    g.layers = {l};
    std::vector<std::vector<float>> calib(8, std::vector<float>(std::size_t(g.shapes[0].size())));
    for (auto& v : calib) {
      for (auto& x : v) x = float(rng.uniform() * 2 - 1);
    }
    const QuantModel sparse = quantize(g, calib);
    QuantOptions denseOnly;
    denseOnly.allowSparse = false;
    const QuantModel dense = quantize(g, calib, denseOnly);
    const std::string what = "conv " + std::to_string(c.cin) + "x" + std::to_string(c.h) + "x" +
                             std::to_string(c.w) + " k" + std::to_string(c.kh) + "x" +
                             std::to_string(c.kw);
    ASSERT_EQ(sparse.layers[0].desc.op, std::uint32_t(EJ_OP_CONV_SPARSE)) << what;
    EXPECT_EQ(dense.layers[0].desc.op, std::uint32_t(EJ_OP_CONV)) << what;
    EXPECT_EQ(sparse.layers[0].taps.empty(), !c.clipped) << what;
    // Flash: 1 B value + 2 B offset (+ 2 B taps when clipped) per non-zero + 4 B per row
    // pointer, instead of 1 B per weight.
    const auto& sl = sparse.layers[0];
    EXPECT_EQ(sl.flashBytes() - dense.layers[0].flashBytes(),
              sl.nonZeroWeights * (c.clipped ? 5 : 3) + 4 * (c.cout + 1) - sl.totalWeights)
        << what;
    EXPECT_LT(sl.flashBytes(), dense.layers[0].flashBytes()) << what;
    std::vector<std::vector<std::int8_t>> inputs;
    for (int i = 0; i < 2; ++i) {
      std::vector<float> x(std::size_t(g.shapes[0].size()));
      for (auto& v : x) v = float(rng.uniform() * 2 - 1);
      inputs.push_back(quantizeInput(sparse, x));
      EXPECT_EQ(runInt8(sparse, inputs.back())[1], runInt8(dense, inputs.back())[1]) << what;
    }
    expectBitExact(sparse, inputs, what);
  }
}

TEST(SparseConvTest, SparseWhenSmallerOrAtMostHalfDense) {
  // LeNet's conv2 (2,400 weights, valid: 3 B per non-zero + 17 row pointers of 4 B).
  auto conv2 = [](int keepOf5) {
    Graph g;
    g.shapes = {{6, 14, 14}, {16, 10, 10}};
    g.names = {"in", "out"};
    g.input = 0, g.output = 1;
    Layer l;
    l.op = Op::Conv, l.name = "conv2", l.inputs = {0}, l.output = 1, l.kH = l.kW = 5;
    l.weights.assign(2400, 0.0f);
    for (std::size_t i = 0; i < l.weights.size(); ++i)
      l.weights[i] = int(i % 5) < keepOf5 ? 0.25f : 0.0f;
    l.bias.assign(16, 0.0f);
    g.layers = {l};
    return quantize(g, {std::vector<float>(6 * 14 * 14, 0.5f)}).layers[0];
  };
  // 3/5 dense: 1,440 * 3 + 68 = 4,388 B > 2,400 B and above half density: dense.
  const QLayer d60 = conv2(3);
  EXPECT_EQ(d60.desc.op, std::uint32_t(EJ_OP_CONV));
  EXPECT_EQ(d60.nonZeroWeights, 1440);
  // 2/5 dense: larger in flash (960 * 3 + 68 = 2,948 B) but under half density: sparse.
  const QLayer d40 = conv2(2);
  EXPECT_EQ(d40.desc.op, std::uint32_t(EJ_OP_CONV_SPARSE));
  EXPECT_EQ(d40.flashBytes(), 960 + 2 * 960 + 4 * 17 + 3 * 4 * 16);  // + bias, multiplier, shift
  // 1/5 dense: 480 * 3 + 68 = 1,508 B < 2,400 B: sparse, and smaller.
  const QLayer d20 = conv2(1);
  EXPECT_EQ(d20.desc.op, std::uint32_t(EJ_OP_CONV_SPARSE));
  EXPECT_LT(d20.flashBytes(), 2400);
}

// The magnitude-pruned models of models/: which layers run sparse, emulated outputs equal to
// the host reference on every core, and the sparse reference equal to the dense one.
TEST(SparseConvTest, MagnitudeModelsBitExactOnEveryCore) {
  const auto& test = data::loadMnistSplit().test;
  for (const char* name : {"lenet5-magnitude-13x.onnx", "lenet5-magnitude-88x.onnx"}) {
    const PreparedModel pm = prepareModel(modelFile(name));
    QuantOptions denseOnly;
    denseOnly.allowSparse = false;
    const PreparedModel pd = prepareModel(modelFile(name), denseOnly);
    int sparseConvs = 0;
    for (const auto& l : pm.quant.layers) sparseConvs += l.desc.op == EJ_OP_CONV_SPARSE;
    // Both convolutions: conv1 keeps 73 (13x) and 39 (88x) of 150 weights, conv2 294 and 48
    // of 2,400 (models/README.md).
    EXPECT_EQ(sparseConvs, 2) << name;
    std::vector<std::vector<std::int8_t>> inputs;
    for (const int i : spread(3, int(test.size()))) {
      const std::vector<float> x(test.images[std::size_t(i)].begin(),
                                 test.images[std::size_t(i)].end());
      inputs.push_back(quantizeInput(pm.quant, x));
      EXPECT_EQ(runInt8(pm.quant, inputs.back())[std::size_t(pm.quant.output)],
                runInt8(pd.quant, inputs.back())[std::size_t(pd.quant.output)])
          << name;
    }
    expectBitExact(pm.quant, inputs, name);
  }
}

// lenet5-magnitude-13x on the nRF52840 (M4, 64 MHz, 0 wait states): the profile with sparse
// layers against the same model forced dense. Expected values were measured here (emu, 4 test
// digits, arm-none-eabi-gcc 12 -O2); the cycle tolerance of 2% allows another compiler's
// scheduling, and is far below the 3.3x the sparse layers make. Flash bytes are exact
// (values + index + biases, multipliers, shifts: see QLayer::flashBytes).
TEST(SparseConvTest, Magnitude13xCostsFewerCyclesAndLessFlashSparse) {
  const fs::path dir =
      fs::temp_directory_path() / ("ej_sparse_conv_test_" + std::to_string(::getpid()));
  setenv("XDG_CACHE_HOME", dir.c_str(), 1);
  McuTarget mcu =
      McuTarget::fromConfig(core::Config::load(fs::path(EJ_SOURCE_DIR) / "hw/mcu/nrf52840.yaml"));
  // The figures below compare the sparse kernels with the reference library's dense ones
  // (the optimized library runs the dense layers through im2col; sparse layers run the same
  // kernels in both libraries).
  mcu.kernels = KernelLibrary::Reference;
  ProfileOptions denseOptions;
  denseOptions.allowSparse = false;
  const InferenceProfile sparse =
      profileModel(modelFile("lenet5-magnitude-13x.onnx"), mcu, Backend::Emu);
  const InferenceProfile dense =
      profileModel(modelFile("lenet5-magnitude-13x.onnx"), mcu, Backend::Emu, denseOptions);
  fs::remove_all(dir);
  std::printf(
      "magnitude-13x on nRF52840: sparse %.0f cycles, %lld B weights; dense %.0f cycles, %lld B\n",
      sparse.cycles, static_cast<long long>(sparse.weightBytes), dense.cycles,
      static_cast<long long>(dense.weightBytes));
  // conv1 (73 of 150 weights: at most half dense), conv2 (294 of 2,400) and the three Gemms
  // run sparse; forced dense, none does.
  for (const auto& l : sparse.layers)
    EXPECT_EQ(l.sparse, l.op == "Conv" || l.op == "Gemm") << l.name;
  for (const auto& l : dense.layers) EXPECT_FALSE(l.sparse) << l.name;
  EXPECT_NEAR(sparse.cycles, 1038170, 0.02 * 1038170);
  EXPECT_NEAR(dense.cycles, 3382486, 0.02 * 3382486);
  EXPECT_EQ(sparse.weightBytes, 14227);
  EXPECT_EQ(dense.weightBytes, 47022);
  // Per layer: conv2 sparse (294 non-zeros * 3 B + 17 * 4 B + 16 * 12 B = 1,142 B) against dense
  // (2,400 + 192 = 2,592 B); conv1 pays 97 B of index (319 against 222 B) for 2.2x fewer cycles.
  EXPECT_EQ(sparse.layers[2].flashBytes, 1142);
  EXPECT_EQ(dense.layers[2].flashBytes, 2592);
  EXPECT_EQ(sparse.layers[0].flashBytes, 319);
  EXPECT_EQ(dense.layers[0].flashBytes, 222);
  EXPECT_LT(sparse.layers[0].cycles, dense.layers[0].cycles / 2);
  EXPECT_LT(sparse.layers[2].cycles, dense.layers[2].cycles / 7);
}

}  // namespace
}  // namespace ej::nn
