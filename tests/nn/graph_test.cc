#include "sim/nn/graph.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "sim/data/mnist.h"
#include "sim/nn/onnx_import.h"
#include "sim/nn/quantize.h"
#include "tests/nn/lenet_fixture.h"

namespace ej::nn {
namespace {

std::vector<float> image(const data::MnistImage& img) { return {img.begin(), img.end()}; }

const data::MnistSplit& mnist() {
  static const data::MnistSplit split = data::loadMnistSplit();
  return split;
}

TEST(GraphTest, ImportsLenetShapesAndCountsMacs) {
  Graph g = importOnnx(testing::makeLenet());
  fuseActivations(g);
  EXPECT_EQ(g.shapes[g.input], (Shape{1, 28, 28}));
  EXPECT_EQ(g.shapes[g.output], (Shape{10, 1, 1}));
  // By hand: conv1 6*28*28 outputs * 25 taps = 117,600; conv2 16*10*10 * 6*25 = 240,000;
  // fc 400*120 + 120*84 + 84*10 = 48,000 + 10,080 + 840.
  std::int64_t macs = 0;
  for (const auto& l : g.layers) macs += macCount(g, l);
  EXPECT_EQ(macs, 117600 + 240000 + 48000 + 10080 + 840);
  // Relu fused into conv1, conv2, fc1, fc2: 2 conv + 2 pool + flatten + 3 gemm.
  EXPECT_EQ(g.layers.size(), 8u);
}

TEST(GraphTest, UnsupportedOperatorNamesOpAndNode) {
  auto model = testing::makeLenet();
  model.mutable_graph()->mutable_node(1)->set_op_type("LeakyRelu");
  try {
    importOnnx(model);
    FAIL() << "no error";
  } catch (const ModelError& e) {
    EXPECT_STREQ(e.what(), "node 'relu1' (LeakyRelu): unsupported operator");
  }
}

TEST(GraphTest, QdqWeightsAreDequantisedPerAxisAndActivationScalesKept) {
  // input -> QuantizeLinear(s 0.5, zp 128 uint8) -> DequantizeLinear -> Conv 1x1 whose
  // weights are DequantizeLinear(int8 {2, -4}, scales {0.25, 0.5}, axis 0): by hand the
  // float weights are 2 * 0.25 = 0.5 and -4 * 0.5 = -2, and the input's int8 zero point is
  // 128 - 128 = 0 with scale 0.5.
  onnx::ModelProto m;
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  auto* in = g->add_input();
  in->set_name("x");
  for (int d : {1, 1, 2, 2})
    in->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
  auto tensor = [&](const std::string& name, int type, std::vector<int64_t> dims) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    for (auto d : dims) t->add_dims(d);
    return t;
  };
  auto* s = tensor("s", onnx::TensorProto::FLOAT, {});
  s->add_float_data(0.5f);
  auto* z = tensor("z", onnx::TensorProto::UINT8, {});
  z->add_int32_data(128);
  auto* wq = tensor("wq", onnx::TensorProto::INT8, {2, 1, 1, 1});
  wq->add_int32_data(2), wq->add_int32_data(-4);
  auto* ws = tensor("ws", onnx::TensorProto::FLOAT, {2});
  ws->add_float_data(0.25f), ws->add_float_data(0.5f);
  auto* wz = tensor("wz", onnx::TensorProto::INT8, {2});
  wz->add_int32_data(0), wz->add_int32_data(0);
  auto node = [&](const std::string& op, std::vector<std::string> ins, const std::string& out) {
    auto* n = g->add_node();
    n->set_op_type(op), n->set_name(out);
    for (const auto& i : ins) n->add_input(i);
    n->add_output(out);
    return n;
  };
  node("QuantizeLinear", {"x", "s", "z"}, "xq");
  node("DequantizeLinear", {"xq", "s", "z"}, "xd");
  auto* dq = node("DequantizeLinear", {"wq", "ws", "wz"}, "w");
  auto* axis = dq->add_attribute();
  axis->set_name("axis"), axis->set_type(onnx::AttributeProto::INT), axis->set_i(0);
  node("Conv", {"xd", "w"}, "y");
  g->add_output()->set_name("y");
  const Graph graph = importOnnx(m);
  ASSERT_EQ(graph.layers.size(), 1u);
  EXPECT_EQ(graph.layers[0].weights, (std::vector<float>{0.5f, -2.0f}));
  ASSERT_TRUE(graph.preset[std::size_t(graph.input)].set);
  EXPECT_DOUBLE_EQ(graph.preset[std::size_t(graph.input)].scale, 0.5);
  EXPECT_EQ(graph.preset[std::size_t(graph.input)].zeroPoint, 0);
}

TEST(GraphTest, FloatConvMatchesHandComputation) {
  // A 3x3 all-ones kernel, bias 0.5, pad 1, on a 3x3 input 1..9: the centre output is the
  // sum 45 + 0.5; the corner (0,0) sums 1+2+4+5 = 12, + 0.5.
  Graph g;
  g.shapes = {{1, 3, 3}, {1, 3, 3}};
  g.names = {"x", "y"};
  g.input = 0, g.output = 1;
  Layer l;
  l.op = Op::Conv, l.inputs = {0}, l.output = 1, l.kH = l.kW = 3;
  l.padT = l.padL = l.padB = l.padR = 1;
  l.weights.assign(9, 1.0f), l.bias = {0.5f};
  g.layers.push_back(l);
  const auto v = runFloat(g, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  EXPECT_FLOAT_EQ(v[1][4], 45.5f);
  EXPECT_FLOAT_EQ(v[1][0], 12.5f);
}

// The plain loop the float reference used before it became weight-stationary: per output,
// bias first, then every tap inside the input in (ci, ky, kx) order, summed in double.
std::vector<float> plainConv(const Layer& l, const Shape& is, const Shape& os,
                             const std::vector<float>& in) {
  std::vector<float> out(std::size_t(os.size()));
  const int cinG = is.c / l.groups, coutG = os.c / l.groups;
  for (int oc = 0; oc < os.c; ++oc) {
    for (int oy = 0; oy < os.h; ++oy) {
      for (int ox = 0; ox < os.w; ++ox) {
        double acc = l.bias[std::size_t(oc)];
        for (int ci = 0; ci < cinG; ++ci) {
          for (int ky = 0; ky < l.kH; ++ky) {
            for (int kx = 0; kx < l.kW; ++kx) {
              const int iy = oy * l.strideH - l.padT + ky, ix = ox * l.strideW - l.padL + kx;
              if (iy < 0 || iy >= is.h || ix < 0 || ix >= is.w) continue;
              acc += double(in[std::size_t(((oc / coutG * cinG + ci) * is.h + iy) * is.w + ix)]) *
                     l.weights[std::size_t(((oc * cinG + ci) * l.kH + ky) * l.kW + kx)];
            }
          }
        }
        out[std::size_t((oc * os.h + oy) * os.w + ox)] =
            std::min(std::max(float(acc), l.actMin), l.actMax);
      }
    }
  }
  return out;
}

TEST(GraphTest, FloatConvEqualsThePlainLoopBitForBit) {
  // Strides 1 and 2 (also one per axis), asymmetric padding wider than the kernel's reach on
  // one side, groups and depthwise, a kernel larger than the input, and ReLU6: the
  // weight-stationary loop must give every output bit for bit (the same double sums in the
  // same order), since accuracy and calibration ranges are computed from them.
  struct Case {
    int cin, h, w, cout, kh, kw, sh, sw, pt, pl, pb, pr, groups;
  };
  const Case cases[] = {{3, 9, 7, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1},
                        {4, 10, 8, 6, 3, 5, 2, 1, 0, 2, 1, 1, 2},
                        {5, 8, 8, 5, 3, 3, 2, 2, 1, 0, 0, 1, 5},
                        {2, 3, 4, 3, 5, 5, 1, 1, 2, 2, 2, 2, 1},
                        {1, 12, 6, 2, 10, 4, 2, 2, 4, 1, 5, 2, 1}};
  data::SplitMix64 rng(11);
  for (const auto& c : cases) {
    Graph g;
    const Shape is{c.cin, c.h, c.w};
    const Shape os{c.cout, (c.h + c.pt + c.pb - c.kh) / c.sh + 1,
                   (c.w + c.pl + c.pr - c.kw) / c.sw + 1};
    g.shapes = {is, os};
    g.names = {"x", "y"};
    g.input = 0, g.output = 1;
    Layer l;
    l.op = Op::Conv, l.inputs = {0}, l.output = 1, l.kH = c.kh, l.kW = c.kw;
    l.strideH = c.sh, l.strideW = c.sw, l.padT = c.pt, l.padL = c.pl, l.padB = c.pb;
    l.padR = c.pr, l.groups = c.groups, l.actMin = 0.0f, l.actMax = 6.0f;
    for (int i = 0; i < c.cout * c.cin / c.groups * c.kh * c.kw; ++i)
      l.weights.push_back(float(rng.uniform() * 2 - 1) / 3.0f);
    for (int i = 0; i < c.cout; ++i) l.bias.push_back(float(rng.uniform()) / 7.0f);
    g.layers.push_back(l);
    std::vector<float> x;
    for (int i = 0; i < is.size(); ++i) x.push_back(float(rng.uniform() * 3) / 1.7f);
    const auto want = plainConv(l, is, os, x);
    const auto got = runFloat(g, x)[1];
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
      ASSERT_EQ(std::memcmp(&got[i], &want[i], sizeof(float)), 0)
          << "output " << i << ": " << got[i] << " vs " << want[i];
    }
  }
}

TEST(QuantizeTest, RequantizeRoundsHalfUp) {
  // M = 0.5 as m = 2^30, s = 0: 100 -> 50, 101 -> 50.5 -> 51, -101 -> -50.5 -> -50.
  EXPECT_EQ(requantize(100, 1 << 30, 0), 50);
  EXPECT_EQ(requantize(101, 1 << 30, 0), 51);
  EXPECT_EQ(requantize(-101, 1 << 30, 0), -50);
  std::int32_t m = 0, s = 0;
  quantizeMultiplier(0.75, m, s);  // 0.75 = (0.75 * 2^31) * 2^-31
  EXPECT_EQ(m, 1610612736);
  EXPECT_EQ(s, 0);
  quantizeMultiplier(0.003, m, s);  // 0.003 = 0.768 * 2^-8
  EXPECT_EQ(s, -8);
  EXPECT_NEAR(m / 2147483648.0 * std::ldexp(1.0, s), 0.003, 1e-12);
}

TEST(QuantizeTest, Int8LogitsFollowFloatLogits) {
  Graph g = importOnnx(testing::makeLenet());
  fuseActivations(g);
  std::vector<std::vector<float>> calib;
  for (int i = 0; i < 64; ++i) calib.push_back(image(mnist().train.images[std::size_t(i)]));
  const QuantModel q = quantize(g, calib);
  EXPECT_EQ(q.macs(), 416520);
  int agree = 0;
  double worst = 0;
  const int n = 100;
  for (int i = 0; i < n; ++i) {
    const auto x = image(mnist().test.images[std::size_t(i)]);
    const auto f = runFloat(g, x)[g.output];
    const auto r = runInt8(q, quantizeInput(q, x))[q.output];
    const QParams& qp = q.qparams[q.output];
    int fArg = int(std::max_element(f.begin(), f.end()) - f.begin());
    agree += fArg == argmax(r);
    // The error in output steps (1/255 of the calibrated logit range).
    for (int k = 0; k < 10; ++k)
      worst = std::max(worst, std::fabs(qp.scale * (r[k] - qp.zeroPoint) - f[k]) / qp.scale);
  }
  // Each of the five int8 layers rounds its output to half a step of its own range, and the
  // weights to half a step of 1/127 of each channel's largest weight; carried through the
  // network (and amplified by untrained He-uniform weights) it was measured at 11.4 steps
  // (4.5% of the range) over these 100 digits; the bound is 6% of the range (15.3 steps).
  // 90% top-1 agreement allows for untrained weights, whose logits lie close together.
  EXPECT_LT(worst, 0.06 * 255);
  EXPECT_GE(agree, 90);
  std::printf("worst logit error %.2f steps, top-1 agreement %d/%d\n", worst, agree, n);
}

TEST(QuantizeTest, SparseGemmEqualsDenseBitForBit) {
  testing::LenetOptions o;
  o.gemmSparsity = 0.9;
  Graph g = importOnnx(testing::makeLenet(o));
  fuseActivations(g);
  std::vector<std::vector<float>> calib{image(mnist().train.images[0]),
                                        image(mnist().train.images[1])};
  const QuantModel sparse = quantize(g, calib);
  QuantOptions denseOnly;
  denseOnly.allowSparse = false;
  const QuantModel dense = quantize(g, calib, denseOnly);
  int sparseLayers = 0;
  for (const auto& l : sparse.layers) sparseLayers += l.desc.op == EJ_OP_FC_SPARSE;
  EXPECT_EQ(sparseLayers, 3);
  // fc1 at 10% density: 4,800 values + 4,800 2-byte columns + 121 row pointers, against
  // 48,000 dense bytes; the biases and multipliers are the same in both.
  EXPECT_LT(sparse.flashBytes(), dense.flashBytes() / 2);
  for (int i = 0; i < 20; ++i) {
    const auto x = quantizeInput(dense, image(mnist().test.images[std::size_t(i)]));
    EXPECT_EQ(runInt8(sparse, x)[sparse.output], runInt8(dense, x)[dense.output]);
  }
}

}  // namespace
}  // namespace ej::nn
