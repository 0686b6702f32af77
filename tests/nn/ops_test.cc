// The operators of the MLPerf Tiny networks, one test per operator and variant (as
// tflite-micro tests each reference kernel): imported from an ONNX node written with
// sim/zoo's builder, checked for what the importer made of it (worked out by hand from the
// ONNX operator specification), quantised, and run on every emulated core (M0+, M4, M7,
// RV32IMC), each layer's output equal to the host int8 reference bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "sim/data/mnist.h"
#include "sim/firmware/firmware_images.h"
#include "sim/nn/emulator.h"
#include "sim/nn/onnx_import.h"
#include "sim/nn/quantize.h"
#include "sim/zoo/onnx_builder.h"

namespace ej::nn {
namespace {

using zoo::OnnxBuilder;

std::vector<float> randomFloats(data::SplitMix64& rng, std::size_t n, double lo, double hi) {
  std::vector<float> v(n);
  for (auto& x : v) x = float(lo + (hi - lo) * rng.uniform());
  return v;
}

// A float Conv weight initializer of OUT x IN/GROUPS x K x K and its bias.
std::pair<std::string, std::string> convWeights(OnnxBuilder& b, data::SplitMix64& rng,
                                                const std::string& name, int out, int inG, int kh,
                                                int kw) {
  return {b.floats(name + "_w", {out, inG, kh, kw},
                   randomFloats(rng, std::size_t(out * inG * kh * kw), -0.5, 0.5)),
          b.floats(name + "_b", {out}, randomFloats(rng, std::size_t(out), -0.2, 0.2))};
}

// Imports MODEL, quantises it on 16 random inputs in [-1, 1] and runs 3 more on every
// emulated core, comparing every layer with the host reference. Returns the float graph.
Graph expectBitExactEverywhere(const onnx::ModelProto& model) {
  Graph g = importOnnx(model);
  fuseActivations(g);
  data::SplitMix64 rng(5);
  const std::size_t n = std::size_t(g.shapes[std::size_t(g.input)].size());
  std::vector<std::vector<float>> calib, inputs;
  for (int i = 0; i < 16; ++i) calib.push_back(randomFloats(rng, n, -1, 1));
  for (int i = 0; i < 3; ++i) inputs.push_back(randomFloats(rng, n, -1, 1));
  const QuantModel q = quantize(g, calib);
  for (const auto& core : firmware::emulatedCores()) {
    Emulator emu(coreFromName(core), q, 1);
    for (const auto& x : inputs) {
      const auto in = quantizeInput(q, x);
      const auto ref = runInt8(q, in);
      emu.run(in, [&](std::size_t i) {
        ASSERT_EQ(emu.value(q.layers[i].out), ref[std::size_t(q.layers[i].out)])
            << "on " << core << ", layer " << q.layers[i].name;
      });
    }
  }
  return g;
}

const Layer& only(const Graph& g, Op op) {
  for (const auto& l : g.layers) {
    if (l.op == op) return l;
  }
  throw std::runtime_error("no such layer");
}

TEST(OpsTest, DepthwiseConvSamePadding) {
  data::SplitMix64 rng(1);
  OnnxBuilder b("dw", "input", {1, 6, 7, 7});
  const auto [w, bias] = convWeights(b, rng, "dw", 6, 1, 3, 3);
  auto& n = b.node("Conv", "dw", {"input", w, bias});
  OnnxBuilder::integer(n, "group", 6);
  OnnxBuilder::text(n, "auto_pad", "SAME_UPPER");
  OnnxBuilder::ints(n, "kernel_shape", {3, 3});
  const Graph g = expectBitExactEverywhere(b.finish("dw", {1, 6, 7, 7}));
  const Layer& c = only(g, Op::Conv);
  // 3x3 stride 1: total padding 2 per axis, 1 on each side; output 7x7.
  EXPECT_EQ(c.groups, 6);
  EXPECT_EQ(c.padT, 1);
  EXPECT_EQ(c.padB, 1);
  EXPECT_EQ(c.padL, 1);
  EXPECT_EQ(c.padR, 1);
  EXPECT_EQ(g.shapes[std::size_t(c.output)], (Shape{6, 7, 7}));
}

TEST(OpsTest, ConvStrideTwoSameUpperPadsTheEnd) {
  data::SplitMix64 rng(2);
  OnnxBuilder b("s2", "input", {1, 3, 8, 9});
  const auto [w, bias] = convWeights(b, rng, "c", 4, 3, 3, 3);
  auto& n = b.node("Conv", "c", {"input", w, bias});
  OnnxBuilder::ints(n, "strides", {2, 2});
  OnnxBuilder::text(n, "auto_pad", "SAME_UPPER");
  const Graph g = expectBitExactEverywhere(b.finish("c", {1, 4, 4, 5}));
  const Layer& c = only(g, Op::Conv);
  // H: out ceil(8/2) = 4, total (4-1)*2 + 3 - 8 = 1 -> top 0, bottom 1 (TensorFlow "same").
  // W: out ceil(9/2) = 5, total (5-1)*2 + 3 - 9 = 2 -> 1 and 1.
  EXPECT_EQ(c.padT, 0);
  EXPECT_EQ(c.padB, 1);
  EXPECT_EQ(c.padL, 1);
  EXPECT_EQ(c.padR, 1);
  EXPECT_EQ(g.shapes[std::size_t(c.output)], (Shape{4, 4, 5}));
}

TEST(OpsTest, ConvStrideTwoSameLowerPadsTheStart) {
  data::SplitMix64 rng(3);
  OnnxBuilder b("s2l", "input", {1, 2, 8, 8});
  const auto [w, bias] = convWeights(b, rng, "c", 3, 2, 3, 3);
  auto& n = b.node("Conv", "c", {"input", w, bias});
  OnnxBuilder::ints(n, "strides", {2, 2});
  OnnxBuilder::text(n, "auto_pad", "SAME_LOWER");
  const Graph g = expectBitExactEverywhere(b.finish("c", {1, 3, 4, 4}));
  const Layer& c = only(g, Op::Conv);
  EXPECT_EQ(c.padT, 1);
  EXPECT_EQ(c.padB, 0);
  EXPECT_EQ(c.padL, 1);
  EXPECT_EQ(c.padR, 0);
}

TEST(OpsTest, ConvExplicitAsymmetricPadsAndRectangularKernel) {
  data::SplitMix64 rng(4);
  OnnxBuilder b("asym", "input", {1, 1, 12, 6});
  const auto [w, bias] = convWeights(b, rng, "c", 8, 1, 5, 2);
  auto& n = b.node("Conv", "c", {"input", w, bias});
  OnnxBuilder::ints(n, "strides", {2, 2});
  OnnxBuilder::ints(n, "pads", {2, 0, 3, 1});  // top, left, bottom, right
  // H: (12 + 5 - 5) / 2 + 1 = 7; W: (6 + 1 - 2) / 2 + 1 = 3.
  const Graph g = expectBitExactEverywhere(b.finish("c", {1, 8, 7, 3}));
  EXPECT_EQ(g.shapes[std::size_t(only(g, Op::Conv).output)], (Shape{8, 7, 3}));
}

TEST(OpsTest, PointwiseConvWithRelu6) {
  data::SplitMix64 rng(5);
  OnnxBuilder b("pw", "input", {1, 16, 5, 5});
  const auto [w, bias] = convWeights(b, rng, "pw", 24, 16, 1, 1);
  b.node("Conv", "pw", {"input", w, bias});
  const std::string lo = b.floats("lo", {}, {0.0f}), hi = b.floats("hi", {}, {6.0f});
  b.node("Clip", "relu6", {"pw", lo, hi});
  const Graph g = expectBitExactEverywhere(b.finish("relu6", {1, 24, 5, 5}));
  ASSERT_EQ(g.layers.size(), 1u);  // Clip fused into the Conv
  EXPECT_EQ(g.layers[0].actMin, 0.0f);
  EXPECT_EQ(g.layers[0].actMax, 6.0f);
}

TEST(OpsTest, GemmWithRelu) {
  data::SplitMix64 rng(6);
  OnnxBuilder b("fc", "input", {1, 37});
  const std::string w = b.floats("w", {23, 37}, randomFloats(rng, 23 * 37, -0.3, 0.3));
  const std::string c = b.floats("c", {23}, randomFloats(rng, 23, -0.1, 0.1));
  auto& n = b.node("Gemm", "fc", {"input", w, c});
  OnnxBuilder::integer(n, "transB", 1);
  b.node("Relu", "relu", {"fc"});
  const Graph g = expectBitExactEverywhere(b.finish("relu", {1, 23}));
  EXPECT_EQ(macCount(g, only(g, Op::Gemm)), 23 * 37);
}

// Residual: Conv branch added to its own input, then ReLU (ResNet's identity shortcut).
TEST(OpsTest, ResidualAdd) {
  data::SplitMix64 rng(7);
  OnnxBuilder b("res", "input", {1, 4, 6, 6});
  const auto [w, bias] = convWeights(b, rng, "c", 4, 4, 3, 3);
  auto& n = b.node("Conv", "c", {"input", w, bias});
  OnnxBuilder::ints(n, "pads", {1, 1, 1, 1});
  b.node("Add", "add", {"input", "c"});
  b.node("Relu", "relu", {"add"});
  const Graph g = expectBitExactEverywhere(b.finish("relu", {1, 4, 6, 6}));
  EXPECT_EQ(only(g, Op::Add).actMin, 0.0f);  // ReLU fused into the Add
}

// Add of a tensor [4,5,5] and its channel means [4,1,1]: broadcast over H and W.
TEST(OpsTest, BroadcastingAddPerChannel) {
  OnnxBuilder b("bc", "input", {1, 4, 5, 5});
  b.node("GlobalAveragePool", "mean", {"input"});
  b.node("Add", "add", {"mean", "input"});  // the small one first: the importer swaps them
  const Graph g = expectBitExactEverywhere(b.finish("add", {1, 4, 5, 5}));
  const Layer& add = only(g, Op::Add);
  EXPECT_EQ(g.shapes[std::size_t(add.inputs[0])], (Shape{4, 5, 5}));
  EXPECT_EQ(g.shapes[std::size_t(add.inputs[1])], (Shape{4, 1, 1}));
  // Float semantics by hand: input all 1 except channel 2 all 3: means 1,1,3,1; out = x + mean.
  std::vector<float> x(100, 1.0f);
  for (int i = 50; i < 75; ++i) x[std::size_t(i)] = 3.0f;
  const auto v = runFloat(g, x);
  EXPECT_FLOAT_EQ(v[std::size_t(add.output)][0], 2.0f);
  EXPECT_FLOAT_EQ(v[std::size_t(add.output)][60], 6.0f);
}

// Add of a tensor and a scalar [1,1,1] (the smaller one has a 1 in every dimension).
TEST(OpsTest, BroadcastingAddScalarTensor) {
  // A one-channel tensor and its global average [1,1,1].
  OnnxBuilder c("bs", "input", {1, 1, 4, 4});
  c.node("GlobalAveragePool", "gap", {"input"});
  c.node("Add", "add", {"input", "gap"});
  const Graph g = expectBitExactEverywhere(c.finish("add", {1, 1, 4, 4}));
  EXPECT_EQ(g.shapes[std::size_t(only(g, Op::Add).inputs[1])], (Shape{1, 1, 1}));
}

// Add of a per-channel constant that is not a bias (after a pool): a depthwise 1x1 Conv with
// weight 1 and the constant as bias.
TEST(OpsTest, AddOfPerChannelConstant) {
  OnnxBuilder b("offset", "input", {1, 3, 4, 4});
  auto& p = b.node("MaxPool", "pool", {"input"});
  OnnxBuilder::ints(p, "kernel_shape", {2, 2});
  OnnxBuilder::ints(p, "strides", {2, 2});
  const std::string k = b.floats("k", {3, 1, 1}, {0.5f, -0.25f, 1.0f});
  b.node("Add", "add", {"pool", k});
  const Graph g = expectBitExactEverywhere(b.finish("add", {1, 3, 2, 2}));
  const Layer& c = only(g, Op::Conv);
  EXPECT_EQ(c.groups, 3);
  EXPECT_EQ(c.kH, 1);
  EXPECT_EQ(c.weights, (std::vector<float>{1, 1, 1}));
  EXPECT_EQ(c.bias, (std::vector<float>{0.5f, -0.25f, 1.0f}));
}

// QLinearAdd (com.microsoft): the scales and zero points of A, B and C are the model's.
TEST(OpsTest, QLinearAddKeepsTheModelsScales) {
  OnnxBuilder b("qadd", "input", {1, 2, 3, 3});
  b.node("GlobalAveragePool", "mean", {"input"});
  const std::string as = b.floats("as", {}, {0.01f}), bs = b.floats("bs", {}, {0.004f}),
                    cs = b.floats("cs", {}, {0.02f});
  const std::string az = b.int8s("az", {}, {5}), bz = b.int8s("bz", {}, {-3}),
                    cz = b.int8s("cz", {}, {7});
  b.node("QLinearAdd", "qadd", {"input", as, az, "mean", bs, bz, cs, cz}, "com.microsoft");
  const Graph g = expectBitExactEverywhere(b.finish("qadd", {1, 2, 3, 3}));
  const Layer& add = only(g, Op::Add);
  ASSERT_TRUE(g.preset[std::size_t(add.output)].set);
  EXPECT_FLOAT_EQ(float(g.preset[std::size_t(add.output)].scale), 0.02f);
  EXPECT_EQ(g.preset[std::size_t(add.output)].zeroPoint, 7);
  EXPECT_FLOAT_EQ(float(g.preset[std::size_t(add.inputs[0])].scale), 0.01f);
  EXPECT_EQ(g.preset[std::size_t(add.inputs[1])].zeroPoint, -3);
}

TEST(OpsTest, AveragePoolStrideEqualsKernel) {
  OnnxBuilder b("avg", "input", {1, 5, 25, 5});
  auto& n = b.node("AveragePool", "pool", {"input"});
  OnnxBuilder::ints(n, "kernel_shape", {25, 5});
  OnnxBuilder::ints(n, "strides", {25, 5});
  const Graph g = expectBitExactEverywhere(b.finish("pool", {1, 5, 1, 1}));
  EXPECT_EQ(g.shapes[std::size_t(only(g, Op::AvgPool).output)], (Shape{5, 1, 1}));
}

TEST(OpsTest, GlobalAveragePoolFlattenGemmSoftmax) {
  data::SplitMix64 rng(8);
  OnnxBuilder b("head", "input", {1, 8, 3, 3});
  b.node("GlobalAveragePool", "gap", {"input"});
  b.node("Flatten", "flat", {"gap"});
  const std::string w = b.floats("w", {8, 2}, randomFloats(rng, 16, -1, 1));
  b.node("MatMul", "fc", {"flat", w});
  b.node("Softmax", "sm", {"fc"});
  const Graph g = expectBitExactEverywhere(b.finish("sm", {1, 2}));
  const Layer& pool = only(g, Op::AvgPool);
  EXPECT_EQ(pool.kH, 3);
  EXPECT_EQ(pool.kW, 3);
  EXPECT_EQ(g.shapes[std::size_t(only(g, Op::Reshape).output)], (Shape{8, 1, 1}));
}

TEST(OpsTest, ReshapeToVector) {
  data::SplitMix64 rng(9);
  OnnxBuilder b("reshape", "input", {1, 2, 4, 4});
  const std::string shape = [&] {
    auto& t = b.node("Constant", "shape", {});
    auto* a = t.add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    a->mutable_t()->set_data_type(onnx::TensorProto::INT64);
    a->mutable_t()->add_dims(2);
    a->mutable_t()->add_int64_data(1);
    a->mutable_t()->add_int64_data(-1);
    return std::string("shape");
  }();
  b.node("Reshape", "r", {"input", shape});
  const std::string w = b.floats("w", {3, 32}, randomFloats(rng, 96, -1, 1));
  auto& n = b.node("Gemm", "fc", {"r", w});
  OnnxBuilder::integer(n, "transB", 1);
  const Graph g = expectBitExactEverywhere(b.finish("fc", {1, 3}));
  EXPECT_EQ(g.shapes[std::size_t(only(g, Op::Reshape).output)], (Shape{32, 1, 1}));
}

TEST(OpsTest, AutoPadRejectsUnknownValues) {
  data::SplitMix64 rng(10);
  OnnxBuilder b("bad", "input", {1, 1, 4, 4});
  const auto [w, bias] = convWeights(b, rng, "c", 1, 1, 3, 3);
  auto& n = b.node("Conv", "c", {"input", w, bias});
  OnnxBuilder::text(n, "auto_pad", "SAME");
  try {
    importOnnx(b.finish("c", {1, 1, 4, 4}));
    FAIL() << "auto_pad SAME was accepted";
  } catch (const ModelError& e) {
    EXPECT_EQ(std::string(e.what()),
              "node 'c' (Conv): auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, not "
              "SAME");
  }
}

TEST(OpsTest, AddOfShapesThatDoNotBroadcastIsRejected) {
  OnnxBuilder b("bad", "input", {1, 4, 4, 4});
  auto& p = b.node("MaxPool", "pool", {"input"});
  OnnxBuilder::ints(p, "kernel_shape", {2, 2});
  OnnxBuilder::ints(p, "strides", {2, 2});
  b.node("Add", "add", {"input", "pool"});
  try {
    importOnnx(b.finish("add", {1, 4, 4, 4}));
    FAIL() << "shapes [4,4,4] + [4,2,2] were accepted";
  } catch (const ModelError& e) {
    EXPECT_EQ(std::string(e.what()),
              "node 'add' (Add): shapes [4,4,4] and [4,2,2] do not broadcast");
  }
}

}  // namespace
}  // namespace ej::nn
