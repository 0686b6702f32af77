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

// WAIT_STATES 1 (the default) installs the flash-read hook, which sends every load through
// Unicorn's slow path; 0 leaves loads on QEMU's inline fast path. Stores take the RAM's
// write-protect hook either way (sim/nn/emulator.cc).
void expectBitExact(const QuantModel& q, const std::vector<std::vector<float>>& inputs,
                    const char* what, int waitStates = 1) {
  for (const auto& core : firmware::emulatedCores()) {
    for (const auto& library : firmware::kernelLibraries()) {
      Emulator emu(coreFromName(core), q, waitStates, kernelLibraryFromName(library));
      for (const auto& x : inputs) {
        const auto in = quantizeInput(q, x);
        const auto ref = runInt8(q, in);
        const auto counts = emu.run(in, [&](std::size_t i) {
          ASSERT_EQ(emu.value(q.layers[i].out), ref[std::size_t(q.layers[i].out)])
              << what << " on " << core << " (" << library << "), layer " << q.layers[i].name;
        });
        // Every core charges at least one cycle per instruction but the M7, which dual-issues
        // at most two; every instruction executed is counted.
        for (std::size_t i = 0; i < q.layers.size(); ++i) {
          EXPECT_GT(counts[i].instructions, 0u);
          EXPECT_GE(2 * counts[i].cycles, counts[i].instructions)
              << core << " " << q.layers[i].name;
        }
      }
    }
  }
}

// One convolution or fully connected layer on a random input: every core and both kernel
// libraries against the host reference, and the optimized library's kernel for it (the path
// under test) checked, so each test below exercises the variant it names.
struct OneLayer {
  int cin, h, w, cout, kh, kw, stride, padT, padL, padB, padR, groups;
};

void expectLayerBitExact(const OneLayer& c, int expectedPath) {
  data::SplitMix64 rng(31);
  Graph g;
  g.shapes.push_back({c.cin, c.h, c.w});
  const int oh = (c.h + c.padT + c.padB - c.kh) / c.stride + 1;
  const int ow = (c.w + c.padL + c.padR - c.kw) / c.stride + 1;
  Layer l;
  l.name = "layer", l.inputs = {0}, l.output = 1;
  if (c.kh == 0) {  // fully connected
    l.op = Op::Gemm;
    g.shapes.push_back({c.cout, 1, 1});
    l.weights.resize(std::size_t(c.cout) * c.cin * c.h * c.w);
  } else {
    l.op = Op::Conv, l.kH = c.kh, l.kW = c.kw, l.strideH = l.strideW = c.stride;
    l.padT = c.padT, l.padL = c.padL, l.padB = c.padB, l.padR = c.padR, l.groups = c.groups;
    g.shapes.push_back({c.cout, oh, ow});
    l.weights.resize(std::size_t(c.cout) * (c.cin / c.groups) * c.kh * c.kw);
  }
  for (auto& x : l.weights) x = float(rng.uniform() - 0.5);
  l.bias.resize(std::size_t(c.cout));
  for (auto& x : l.bias) x = float(rng.uniform() - 0.5);
  g.names = {"in", "out"};
  g.input = 0, g.output = 1, g.layers = {l};
  const int n = c.cin * c.h * c.w;
  std::vector<std::vector<float>> calib, inputs;
  for (int i = 0; i < 8; ++i) calib.push_back(randomInput(rng, n));
  for (int i = 0; i < 2; ++i) inputs.push_back(randomInput(rng, n));
  QuantOptions dense;
  dense.allowSparse = false;
  const QuantModel q = quantize(g, calib, dense);
  ASSERT_EQ(q.layers.size(), 1u);
  EXPECT_EQ(kernelPath(q.layers[0].desc, KernelLibrary::Optimized), expectedPath);
  expectBitExact(q, inputs, "one layer");
}

// General convolution (im2col + 2x2 block): 3x3, stride 1, "same" padding; 5 output
// channels (a lone last filter) and 7x7 = 49 pixels (a lone last column).
TEST(FirmwareKernelsTest, ConvSamePaddingOddFiltersAndPixels) {
  expectLayerBitExact({3, 7, 7, 5, 3, 3, 1, 1, 1, 1, 1, 1}, EJ_PATH_IM2COL);
}
// Stride 2 with asymmetric padding (TensorFlow "same" on an even input: pad only bottom/right).
TEST(FirmwareKernelsTest, ConvStride2AsymmetricPadding) {
  expectLayerBitExact({4, 8, 8, 8, 3, 3, 2, 0, 0, 1, 1, 1}, EJ_PATH_IM2COL);
}
// Rectangular kernel without padding (DS-CNN's first layer is 10x4, stride 2).
TEST(FirmwareKernelsTest, ConvRectangularKernelStride2) {
  expectLayerBitExact({1, 20, 10, 8, 10, 4, 2, 4, 1, 5, 2, 1}, EJ_PATH_IM2COL);
}
// Pointwise 1x1 (the 1x1 gather), with a channel count not a multiple of 4.
TEST(FirmwareKernelsTest, Conv1x1) {
  expectLayerBitExact({18, 5, 5, 12, 1, 1, 1, 0, 0, 0, 0, 1}, EJ_PATH_IM2COL);
}
// 1x1 with stride 2 (ResNet's shortcut projection).
TEST(FirmwareKernelsTest, Conv1x1Stride2) {
  expectLayerBitExact({8, 8, 8, 16, 1, 1, 2, 0, 0, 0, 0, 1}, EJ_PATH_IM2COL);
}
// Grouped convolution (2 groups of 4 -> 6 channels).
TEST(FirmwareKernelsTest, ConvGrouped) {
  expectLayerBitExact({8, 6, 6, 12, 3, 3, 1, 1, 1, 1, 1, 2}, EJ_PATH_IM2COL);
}
// Depthwise 3x3, stride 1, padding 1 (DS-CNN, MobileNet).
TEST(FirmwareKernelsTest, Depthwise3x3) {
  expectLayerBitExact({6, 9, 7, 6, 3, 3, 1, 1, 1, 1, 1, 6}, EJ_PATH_DEPTHWISE3X3);
}
// Depthwise 3x3, stride 2, asymmetric padding (MobileNet's down-sampling layers).
TEST(FirmwareKernelsTest, Depthwise3x3Stride2Asymmetric) {
  expectLayerBitExact({4, 10, 10, 4, 3, 3, 2, 0, 0, 1, 1, 4}, EJ_PATH_DEPTHWISE3X3);
}
// Depthwise 3x3 on an input smaller than the kernel plus padding: no interior output.
TEST(FirmwareKernelsTest, Depthwise3x3AllBorder) {
  expectLayerBitExact({3, 2, 2, 3, 3, 3, 1, 1, 1, 1, 1, 3}, EJ_PATH_DEPTHWISE3X3);
}
// Depthwise 5x5: the optimized library hands it to the reference kernel.
TEST(FirmwareKernelsTest, Depthwise5x5FallsBackToReference) {
  expectLayerBitExact({4, 8, 8, 4, 5, 5, 1, 2, 2, 2, 2, 4}, EJ_PATH_REFERENCE);
}
// A column longer than EJ_OPT_COLUMN_MAX (the im2col buffer): the reference kernel runs.
TEST(FirmwareKernelsTest, ConvLongerThanColumnFallsBackToReference) {
  expectLayerBitExact({130, 3, 3, 2, 3, 3, 1, 0, 0, 0, 0, 1}, EJ_PATH_REFERENCE);
}
// Fully connected: 37 inputs (a 4-wide loop plus a tail of 1), 7 outputs (odd).
TEST(FirmwareKernelsTest, FullyConnectedOddSizes) {
  expectLayerBitExact({37, 1, 1, 7, 0, 0, 1, 0, 0, 0, 0, 1}, EJ_PATH_FC);
}
// Fully connected on a flattened 4x4x4 map, 10 outputs (four rows at a time and a tail of 2).
TEST(FirmwareKernelsTest, FullyConnectedAfterFlatten) {
  expectLayerBitExact({4, 4, 4, 10, 0, 0, 1, 0, 0, 0, 0, 1}, EJ_PATH_FC);
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

TEST(FirmwareKernelsTest, EveryCoreMatchesReferenceOnOperatorZooWithoutWaitStates) {
  Graph g = operatorZoo();
  data::SplitMix64 rng(13);
  std::vector<std::vector<float>> calib, inputs;
  for (int i = 0; i < 16; ++i) calib.push_back(randomInput(rng, 4 * 81));
  for (int i = 0; i < 4; ++i) inputs.push_back(randomInput(rng, 4 * 81));
  expectBitExact(quantize(g, calib), inputs, "operator zoo, 0 WS", 0);
}

// The arena and the layer descriptors must fit below the stack in the emulated 4 MB of RAM:
// a 1x1 convolution of a 1,200 x 1,200 plane (1.44 MB in, 2.88 MB out) does not.
TEST(FirmwareKernelsTest, ModelLargerThanTheEmulatedRamIsRefused) {
  Graph g;
  g.shapes = {{1, 1200, 1200}, {2, 1200, 1200}};
  g.names = {"in", "out"};
  Layer l;
  l.op = Op::Conv, l.name = "wide", l.inputs = {0}, l.output = 1, l.kH = l.kW = 1;
  l.weights = {0.5f, -0.25f}, l.bias = {0.0f, 0.125f};
  g.layers = {l}, g.input = 0, g.output = 1;
  data::SplitMix64 rng(17);
  const QuantModel q = quantize(g, {randomInput(rng, 1200 * 1200)});
  try {
    Emulator emu(Core::CortexM4F, q, 0);
    FAIL() << "no error for a " << planActivations(q).peakBytes << "-byte arena";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("larger than the emulated RAM"), std::string::npos)
        << e.what();
  }
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
