// QLinearConv / QLinearMatMul models (ONNX QOperator format) are taken as they are: their int8
// weights, int32 biases and activation scales come back unchanged after quantisation.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <string>
#include <vector>

#include "sim/data/mnist.h"
#include "sim/nn/onnx_import.h"
#include "sim/nn/quantize.h"
#include "tests/nn/lenet_fixture.h"

namespace ej::nn {
namespace {

template <typename T>
void addInit(onnx::GraphProto* g, const std::string& name, int type,
             const std::vector<std::int64_t>& dims, const std::vector<T>& values) {
  auto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(type);
  for (auto d : dims) t->add_dims(d);
  for (T v : values) {
    if constexpr (std::is_same_v<T, float>)
      t->add_float_data(v);
    else
      t->add_int32_data(std::int32_t(v));  // int8, uint8 and int32 live in int32_data
  }
}

using testing::addNode;  // tests/nn/lenet_fixture.h

void ints(onnx::NodeProto* n, const std::string& name, const std::vector<std::int64_t>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (auto x : v) a->add_ints(x);
}

// input [1,2,8,8] -> QuantizeLinear -> QLinearConv 2->4, 3x3, pad 1 (per-channel weight
// scales, int32 bias) -> MaxPool 2x2 -> Flatten -> QLinearMatMul 64->5 (per-column scales) ->
// DequantizeLinear -> "logits". Every weight channel reaches |q| = 127, as an exporter using
// max|w|/127 writes it.
struct QLinearModel {
  onnx::ModelProto proto;
  std::vector<std::int32_t> convW, convB, fcW;  // fcW as stored: B [64][5]
  std::vector<float> convWs, fcWs;
  float inS = 1.0f / 255, convS = 0.05f, fcS = 0.1f;
  int inZp = -128, convZp = -20, fcZp = 3;
};

QLinearModel makeQLinear(bool constantWeights = true) {
  QLinearModel m;
  data::SplitMix64 rng(17);
  auto q8 = [&](std::size_t n, std::size_t per, std::vector<float>& scales) {
    std::vector<std::int32_t> v(n);
    for (auto& x : v) x = std::int32_t(std::lround(rng.uniform() * 200 - 100));
    for (std::size_t c = 0; c < n / per; ++c) {
      v[c * per + c % per] = c % 2 ? -127 : 127;
      scales.push_back(float(0.002 + 0.001 * double(c)));
    }
    return v;
  };
  m.convW = q8(4 * 2 * 9, 18, m.convWs);
  for (int o = 0; o < 4; ++o)
    m.convB.push_back(std::int32_t(std::lround(rng.uniform() * 4000 - 2000)));
  // QLinearMatMul's B is [K=64][N=5] with one scale per column: draw it column-wise.
  std::vector<float> colScales;
  const auto cols = q8(5 * 64, 64, colScales);
  m.fcWs = colScales;
  m.fcW.resize(64 * 5);
  for (int k = 0; k < 64; ++k) {
    for (int nn = 0; nn < 5; ++nn) m.fcW[std::size_t(k) * 5 + nn] = cols[std::size_t(nn) * 64 + k];
  }
  m.proto.set_ir_version(7);
  m.proto.add_opset_import()->set_version(13);
  auto* g = m.proto.mutable_graph();
  auto* in = g->add_input();
  in->set_name("input");
  auto* tt = in->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  for (int d : {1, 2, 8, 8}) tt->mutable_shape()->add_dim()->set_dim_value(d);
  const int I8 = onnx::TensorProto::INT8, F = onnx::TensorProto::FLOAT,
            I32 = onnx::TensorProto::INT32;
  addInit<float>(g, "in_s", F, {}, {m.inS});
  addInit<int>(g, "in_zp", I8, {}, {m.inZp});
  addInit<float>(g, "c_s", F, {}, {m.convS});
  addInit<int>(g, "c_zp", I8, {}, {m.convZp});
  addInit<float>(g, "f_s", F, {}, {m.fcS});
  addInit<int>(g, "f_zp", I8, {}, {m.fcZp});
  if (constantWeights) addInit<int>(g, "cw", I8, {4, 2, 3, 3}, m.convW);
  addInit<float>(g, "cw_s", F, {4}, m.convWs);
  addInit<int>(g, "cw_zp", I8, {4}, {0, 0, 0, 0});
  addInit<int>(g, "cb", I32, {4}, m.convB);
  addInit<int>(g, "fw", I8, {64, 5}, m.fcW);
  addInit<float>(g, "fw_s", F, {5}, m.fcWs);
  addInit<int>(g, "fw_zp", I8, {5}, {0, 0, 0, 0, 0});
  addNode(g, "QuantizeLinear", "quant", {"input", "in_s", "in_zp"}, "xq");
  auto* conv = addNode(
      g, "QLinearConv", "qconv",
      {"xq", "in_s", "in_zp", constantWeights ? "cw" : "xq", "cw_s", "cw_zp", "c_s", "c_zp", "cb"},
      "c");
  ints(conv, "pads", {1, 1, 1, 1});
  auto* pool = addNode(g, "MaxPool", "pool", {"c"}, "p");
  ints(pool, "kernel_shape", {2, 2});
  ints(pool, "strides", {2, 2});
  addNode(g, "Flatten", "flat", {"p"}, "f");
  addNode(g, "QLinearMatMul", "qfc", {"f", "c_s", "c_zp", "fw", "fw_s", "fw_zp", "f_s", "f_zp"},
          "y");
  addNode(g, "DequantizeLinear", "dequant", {"y", "f_s", "f_zp"}, "logits");
  g->add_output()->set_name("logits");
  return m;
}

TEST(QLinearImportTest, Int8WeightsBiasesAndScalesComeBackUnchanged) {
  const QLinearModel m = makeQLinear();
  Graph g = importOnnx(m.proto);
  fuseActivations(g);
  std::vector<std::vector<float>> calib(4, std::vector<float>(128));
  data::SplitMix64 rng(3);
  for (auto& v : calib) {
    for (auto& x : v) x = float(rng.uniform());
  }
  const QuantModel q = quantize(g, calib);
  ASSERT_EQ(q.layers.size(), 3u);  // conv, pool, fc (Flatten is an alias)
  const QLayer& conv = q.layers[0];
  const QLayer& fc = q.layers[2];
  EXPECT_EQ(conv.desc.op, std::uint32_t(EJ_OP_CONV));
  EXPECT_EQ(std::vector<std::int32_t>(conv.weights.begin(), conv.weights.end()), m.convW);
  EXPECT_EQ(conv.bias, m.convB);
  // fc weights are kept [out][in]: the file's B transposed.
  for (int o = 0; o < 5; ++o) {
    for (int k = 0; k < 64; ++k) {
      ASSERT_EQ(fc.weights[std::size_t(o) * 64 + k], m.fcW[std::size_t(k) * 5 + o])
          << o << "," << k;
    }
  }
  EXPECT_EQ(fc.bias, std::vector<std::int32_t>(5, 0));
  // Activation scales and zero points: the file's, not calibrated ones.
  EXPECT_DOUBLE_EQ(q.qparams[q.input].scale, double(m.inS));
  EXPECT_EQ(q.qparams[q.input].zeroPoint, m.inZp);
  EXPECT_DOUBLE_EQ(q.qparams[conv.out].scale, double(m.convS));
  EXPECT_EQ(conv.desc.out_zp, m.convZp);
  EXPECT_DOUBLE_EQ(q.qparams[fc.out].scale, double(m.fcS));
  EXPECT_EQ(fc.desc.out_zp, m.fcZp);
  // The requantisation multiplier is the QLinearConv rule x_s * w_s / y_s, channel by channel,
  // to the float rounding of the scales (float32 in the file, re-derived through max|w|/127).
  for (int o = 0; o < 4; ++o) {
    const double M = double(m.inS) * double(m.convWs[std::size_t(o)]) / double(m.convS);
    const double got =
        double(conv.mult[std::size_t(o)]) * std::ldexp(1.0, conv.shift[std::size_t(o)] - 31);
    EXPECT_NEAR(got / M, 1.0, 1e-6) << o;
  }
}

TEST(QLinearImportTest, NonConstantWeightsNameTheNode) {
  const QLinearModel m = makeQLinear(false);
  try {
    importOnnx(m.proto);
    FAIL() << "a QLinearConv with computed weights was accepted";
  } catch (const ModelError& e) {
    EXPECT_STREQ(e.what(), "node 'qconv' (QLinearConv): w must be a constant");
  }
}

}  // namespace
}  // namespace ej::nn
