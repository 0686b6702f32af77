// Every emulated core's kernels against the host int8 reference, bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "sim/data/mnist.h"
#include "sim/firmware/firmware_images.h"
#include "sim/nn/emulator.h"
#include "sim/nn/onnx_import.h"
#include "sim/nn/quantize.h"
#include "tests/nn/lenet_fixture.h"

namespace ej::nn {
namespace {

std::vector<float> randomInput(data::SplitMix64& rng, int n) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = float(rng.uniform() * 2 - 1);
  return v;
}

// A small graph with every operator the firmware has: grouped and depthwise convolution with
// stride and asymmetric padding, a standalone Clamp, Add of two branches, AvgPool, MaxPool
// with padding, Gemm (dense), Softmax.
Graph operatorZoo() {
  data::SplitMix64 rng(7);
  Graph g;
  auto value = [&](Shape s) {
    g.shapes.push_back(s);
    g.names.push_back("v" + std::to_string(g.shapes.size()));
    return int(g.shapes.size()) - 1;
  };
  auto weights = [&](std::size_t n) {
    std::vector<float> w(n);
    for (auto& x : w) x = float(rng.uniform() - 0.5);
    return w;
  };
  g.input = value({4, 9, 9});
  Layer conv;  // grouped: 4 -> 8 channels in 2 groups, 3x3, stride 2, pads t1 l0 b1 r1
  conv.op = Op::Conv, conv.name = "grouped", conv.inputs = {g.input}, conv.groups = 2;
  conv.kH = conv.kW = 3, conv.strideH = conv.strideW = 2, conv.padT = 1, conv.padB = 1,
  conv.padR = 1;
  conv.weights = weights(8 * 2 * 9), conv.bias = weights(8);
  conv.output = value({8, 5, 5});
  conv.actMin = 0;
  Layer dw = conv;  // depthwise 8 -> 8, 3x3, stride 1, pad 1
  dw.name = "depthwise", dw.inputs = {conv.output}, dw.groups = 8, dw.strideH = dw.strideW = 1;
  dw.padT = dw.padL = dw.padB = dw.padR = 1, dw.weights = weights(8 * 9), dw.bias = weights(8);
  dw.actMin = -INFINITY;
  dw.output = value({8, 5, 5});
  Layer clip;
  clip.op = Op::Clamp, clip.name = "clip", clip.inputs = {dw.output}, clip.actMin = -0.5f,
  clip.actMax = 0.75f;
  clip.output = value({8, 5, 5});
  Layer add;
  add.op = Op::Add, add.name = "add", add.inputs = {conv.output, clip.output};
  add.output = value({8, 5, 5});
  Layer avg;
  avg.op = Op::AvgPool, avg.name = "avg", avg.inputs = {add.output}, avg.kH = avg.kW = 2,
  avg.strideH = avg.strideW = 2;
  avg.padB = avg.padR = 1;
  avg.output = value({8, 3, 3});
  Layer mx = avg;
  mx.op = Op::MaxPool, mx.name = "max", mx.inputs = {avg.output}, mx.padT = mx.padL = 1,
  mx.padB = mx.padR = 0;
  mx.strideH = mx.strideW = 1;
  mx.output = value({8, 3, 3});
  Layer flat;
  flat.op = Op::Reshape, flat.name = "flatten", flat.inputs = {mx.output};
  flat.output = value({72, 1, 1});
  Layer fc;
  fc.op = Op::Gemm, fc.name = "fc", fc.inputs = {flat.output}, fc.weights = weights(10 * 72),
  fc.bias = weights(10);
  fc.output = value({10, 1, 1});
  Layer sm;
  sm.op = Op::Softmax, sm.name = "softmax", sm.inputs = {fc.output};
  sm.output = value({10, 1, 1});
  g.layers = {conv, dw, clip, add, avg, mx, flat, fc, sm};
  g.output = sm.output;
  return g;
}

void expectBitExact(const QuantModel& q, const std::vector<std::vector<float>>& inputs,
                    const char* what) {
  for (const auto& core : firmware::emulatedCores()) {
    Emulator emu(coreFromName(core), q, 1);
    for (const auto& x : inputs) {
      const auto in = quantizeInput(q, x);
      const auto ref = runInt8(q, in);
      const auto counts = emu.run(in, [&](std::size_t i) {
        ASSERT_EQ(emu.value(q.layers[i].out), ref[std::size_t(q.layers[i].out)])
            << what << " on " << core << ", layer " << q.layers[i].name;
      });
      // Every core charges at least one cycle per instruction but the M7, which dual-issues
      // at most two; every instruction executed is counted.
      for (std::size_t i = 0; i < q.layers.size(); ++i) {
        EXPECT_GT(counts[i].instructions, 0u);
        EXPECT_GE(2 * counts[i].cycles, counts[i].instructions) << core << " " << q.layers[i].name;
      }
    }
    std::printf("%s on %s: %.0f M guest instructions/s\n", what, core.c_str(),
                double(emu.totalInstructions()) / emu.emulationSeconds() / 1e6);
  }
}

TEST(FirmwareKernelsTest, EveryCoreMatchesReferenceOnOperatorZoo) {
  Graph g = operatorZoo();
  data::SplitMix64 rng(11);
  std::vector<std::vector<float>> calib, inputs;
  for (int i = 0; i < 16; ++i) calib.push_back(randomInput(rng, 4 * 81));
  for (int i = 0; i < 4; ++i) inputs.push_back(randomInput(rng, 4 * 81));
  const QuantModel q = quantize(g, calib);
  expectBitExact(q, inputs, "operator zoo");
}

TEST(FirmwareKernelsTest, EveryCoreMatchesReferenceOnDenseAndSparseLenet) {
  const auto split = data::loadMnistSplit();
  std::vector<std::vector<float>> calib, inputs;
  for (int i = 0; i < 16; ++i)
    calib.emplace_back(split.train.images[std::size_t(i)].begin(),
                       split.train.images[std::size_t(i)].end());
  for (int i = 0; i < 2; ++i)
    inputs.emplace_back(split.test.images[std::size_t(i)].begin(),
                        split.test.images[std::size_t(i)].end());
  for (double sparsity : {0.0, 0.9}) {
    testing::LenetOptions o;
    o.gemmSparsity = sparsity;
    Graph g = importOnnx(testing::makeLenet(o));
    fuseActivations(g);
    expectBitExact(quantize(g, calib), inputs,
                   sparsity > 0 ? "LeNet-5 90% sparse fc" : "LeNet-5 dense");
  }
}

}  // namespace
}  // namespace ej::nn
